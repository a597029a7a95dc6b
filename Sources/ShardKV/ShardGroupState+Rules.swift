// A replica group's rules (shardkv), checked around every apply and install by `RaftHost` and
// reported as `shardkv-rule:<name>`:
//
//   serve-owned-present      a client operation is executed only on a shard the current
//                            configuration gives this group and whose data is here
//   at-most-once             a Put/Append whose (client, seq) the shard's table holds changes
//                            no value
//   dup-table-monotone       a client's entry in a shard's duplicate table never goes back
//   config-advances-by-one   the configuration moves only to number + 1, only when settled
//   shard-transitions        a shard's status moves only along the diagram of
//                            ShardGroupState.swift, by the command that owns that move, and
//                            agrees with ownership in the current configuration
//   dup-table-moves-with-data  an inserted shard holds exactly the data and duplicate table sent
import KVRaft
import Raft
import ShardCtrler

extension ShardGroupState {
    /// `apply`, with the group's rules checked.
    public mutating func applyChecked(_ command: ShardKVCommand) -> (
        output: ShardKVResult, breach: ServiceRuleBreach?
    ) {
        let before = RuleSnapshot(self, command)
        let output = apply(command)
        return (output, before.verify(self, command, output))
    }

    /// `restore`, with the configuration checked not to go back.
    public mutating func restoreChecked(_ s: ShardKVSnapshot) -> ServiceRuleBreach? {
        let num = config.num
        restore(s)
        guard config.num < num else { return nil }
        return ShardGroupState.rule(
            "config-advances-by-one",
            "group \(gid): a snapshot took config #\(num) to #\(config.num)")
    }

    static func rule(_ name: String, _ detail: String) -> ServiceRuleBreach {
        ServiceRuleBreach("shardkv-rule:" + name, detail)
    }
}

/// What the rules need from a group before one apply.
struct RuleSnapshot {
    let config: ShardConfig
    let settled: Bool
    let status: [ShardStatus]
    /// A client operation's shard, its table entry and (for a duplicate) the key's value.
    var shard = 0
    var seq = 0
    var isDuplicate = false
    var value: String?

    init(_ g: ShardGroupState, _ command: ShardKVCommand) {
        config = g.config
        settled = g.isSettled
        status = g.shards.map(\.status)
        if case .client(let op, let client, let seq) = command {
            shard = keyToShard(op.key)
            self.seq = g.shards[shard].lastSeq[client] ?? 0
            isDuplicate = op.op != .get && self.seq >= seq
            value = isDuplicate ? g.shards[shard].data[op.key] : nil
        }
    }

    func verify(_ g: ShardGroupState, _ command: ShardKVCommand, _ output: ShardKVResult)
        -> ServiceRuleBreach?
    {
        if case .client(let op, let client, let s) = command,
            let b = verifyClient(g, op, client: client, seq: s, output)
        {
            return b
        }
        if g.config.num != config.num {
            var isConfig = false
            if case .config = command { isConfig = true }
            guard isConfig, settled, g.config.num == config.num + 1, g.previous == config else {
                return ShardGroupState.rule(
                    "config-advances-by-one",
                    "group \(g.gid): config #\(config.num) -> #\(g.config.num) (settled \(settled))"
                )
            }
        }
        return verifyTransitions(g, command)
    }

    func verifyClient(
        _ g: ShardGroupState, _ op: KVOperation, client: Int, seq: Int, _ output: ShardKVResult
    ) -> ServiceRuleBreach? {
        let who = "group \(g.gid) \(op.op.name)(\(op.key)) client \(client) seq \(seq)"
        let present = status[shard] == .serving || status[shard] == .releasing
        if output.err != .wrongGroup, config.shards[shard] != g.gid || !present {
            return ShardGroupState.rule(
                "serve-owned-present",
                "\(who) served on shard \(shard) \(status[shard].name), owner "
                    + "\(config.shards[shard]) in config #\(config.num)")
        }
        let now = g.shards[shard].lastSeq[client] ?? 0
        if now < self.seq {
            return ShardGroupState.rule("dup-table-monotone", "\(who): seq \(self.seq) -> \(now)")
        }
        if isDuplicate, g.shards[shard].data[op.key] != value {
            return ShardGroupState.rule("at-most-once", "\(who) applied again after \(self.seq)")
        }
        return nil
    }

    /// Every shard's move is on the diagram, made by its command, and agrees with ownership.
    func verifyTransitions(_ g: ShardGroupState, _ command: ShardKVCommand) -> ServiceRuleBreach? {
        for s in 0..<status.count {
            let from = status[s]
            let to = g.shards[s].status
            let owned = g.config.shards[s] == g.gid
            let agrees = owned == (to == .serving || to == .pulling || to == .releasing)
            if from == to && agrees { continue }
            if !agrees || !isLegal(from, to, command, shard: s) {
                return ShardGroupState.rule(
                    "shard-transitions",
                    "group \(g.gid) shard \(s): \(from.name) -> \(to.name) (owned \(owned)) "
                        + "in config #\(g.config.num)")
            }
            if from == .pulling, let b = verifyInserted(g, command, shard: s) { return b }
        }
        return nil
    }

    func isLegal(_ from: ShardStatus, _ to: ShardStatus, _ c: ShardKVCommand, shard: Int) -> Bool {
        switch (from, to, c) {
        case (.absent, .serving, .config): return config.shards[shard] == 0
        case (.absent, .pulling, .config): return config.shards[shard] != 0
        case (.serving, .offering, .config): return true
        case (.pulling, .releasing, .insertShards): return true
        case (.releasing, .serving, .shardsReleased): return true
        case (.offering, .absent, .deleteShards): return true
        default: return false
        }
    }

    /// An inserted shard holds what was sent, duplicate table included (exactly-once across
    /// moves).
    func verifyInserted(_ g: ShardGroupState, _ c: ShardKVCommand, shard: Int)
        -> ServiceRuleBreach?
    {
        guard case .insertShards(_, let transfers) = c,
            let t = transfers.first(where: { $0.shard == shard })
        else { return nil }
        if g.shards[shard].data != t.data || g.shards[shard].lastSeq != t.lastSeq {
            return ShardGroupState.rule(
                "dup-table-moves-with-data",
                "group \(g.gid) shard \(shard): holds \(g.shards[shard].lastSeq.count) table "
                    + "entries, \(t.lastSeq.count) were sent")
        }
        return nil
    }
}
