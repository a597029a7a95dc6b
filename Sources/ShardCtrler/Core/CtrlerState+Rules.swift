// The shard controller's rules, checked around every apply by `RaftHost` and reported as
// `ctrler-rule:<name>`:
//
//   at-most-once          an operation whose (client, seq) was applied adds no configuration
//   duplicate-same-reply  a repeated (client, seq) gets the reply the first one got
//   dup-table-monotone    a client's last applied seq never goes back
//   config-advances-by-one  Join/Leave/Move add exactly one configuration, numbered one past
//                         the latest; Query adds none
//   move-assigns-shard    Move(shard, gid) leaves shard with gid in the new configuration
import Raft

extension CtrlerState {
    /// `apply`, with the controller's rules checked.
    public mutating func applyChecked(_ command: CtrlerCommand) -> (
        output: ShardConfig?, breach: ServiceRuleBreach?
    ) {
        let last = lastApplied[command.client]
        let countBefore = configs.count
        let output = apply(command)
        return (output, verify(command, last: last, countBefore: countBefore, output))
    }

    /// The rules of applying `command` to a state that held `last` for its client and
    /// `countBefore` configurations, this being the state after and `output` the reply.
    public func verify(
        _ command: CtrlerCommand, last: (seq: Int, config: ShardConfig?)?, countBefore: Int,
        _ output: ShardConfig?
    ) -> ServiceRuleBreach? {
        let who = "client \(command.client) seq \(command.seq)"
        let seqAfter = lastApplied[command.client]?.seq ?? 0
        if let l = last, seqAfter < l.seq {
            return rule("dup-table-monotone", "\(who): last seq \(l.seq) -> \(seqAfter)")
        }
        if let l = last, l.seq >= command.seq {
            if configs.count != countBefore {
                return rule("at-most-once", "\(who) applied again after seq \(l.seq)")
            }
            if l.seq == command.seq, output != l.config {
                return rule("duplicate-same-reply", "\(who) answered differently the second time")
            }
            return nil
        }
        var added = 1
        if case .query = command.op { added = 0 }
        guard configs.count == countBefore + added, latest.num == configs.count - 1 else {
            return rule(
                "config-advances-by-one",
                "\(who): \(countBefore) configurations -> \(configs.count), latest #\(latest.num)")
        }
        if case .move(let shard, let gid) = command.op, latest.shards[shard] != gid {
            return rule("move-assigns-shard", "\(who): shard \(shard) is not with group \(gid)")
        }
        return nil
    }

    private func rule(_ name: String, _ detail: String) -> ServiceRuleBreach {
        ServiceRuleBreach("ctrler-rule:" + name, detail)
    }
}
