// The applied state of one replica group (6.5840 lab 5B with both challenges), changed only by
// applying committed log entries in order. Pure: no messages, no timers.
//
// Per shard, a status (the challenge design: shards migrate one by one, not all at once):
//
//   absent ──config: gained, previous owner gid 0──▶ serving
//   absent ──config: gained from another group───▶ pulling ──insertShards──▶ releasing
//   releasing ──shardsReleased (old copy deleted)──▶ serving
//   serving ──config: lost──▶ offering ──deleteShards──▶ absent
//
// A shard is served (Get/Put/Append) only when the current configuration assigns it to this
// group and its data is here: `serving` or `releasing` (challenge 2: a shard received is served
// before the rest of the migration completes, and a shard the change does not touch is never
// interrupted). The next configuration is applied only when it is number `config.num + 1` and
// every shard is `serving` or `absent` — nothing in flight — so configurations are processed
// one at a time, in order. A shard handed over is deleted once the new owner has it
// (challenge 1), so the state stays bounded. Each shard carries its own duplicate table
// (client → last executed Put/Append seq), which migrates with the data: exactly-once holds
// across moves.

import KVRaft
import Raft
import ShardCtrler

/// Where a shard stands in this group.
public enum ShardStatus: UInt8, Hashable, Sendable {
    /// Not ours, no data.
    case absent
    /// Ours, data here, nothing pending.
    case serving
    /// Ours in the current configuration; waiting for the previous owner's data.
    case pulling
    /// Ours and received; the previous owner has not yet confirmed deleting its copy.
    case releasing
    /// Ours in the previous configuration only; kept, frozen, until the new owner has it.
    case offering

    /// `absent`, `serving`, `pulling`, `releasing`, `offering`.
    public var name: String {
        switch self {
        case .absent: return "absent"
        case .serving: return "serving"
        case .pulling: return "pulling"
        case .releasing: return "releasing"
        case .offering: return "offering"
        }
    }
}

/// One shard in a group: its status, data and duplicate table.
public struct ShardSlot: Hashable, Sendable {
    /// Where the shard stands. Invariant: data and lastSeq are empty when absent or pulling.
    public var status = ShardStatus.absent
    /// Key/value pairs of the shard.
    public var data: [String: String] = [:]
    /// The last executed Put/Append sequence number per client, for this shard's keys.
    public var lastSeq: [Int: Int] = [:]

    /// An absent shard.
    public init() {}
}

/// The replicated state machine of one replica group.
public struct ShardGroupState: Hashable, Sendable {
    /// This group's id.
    public let gid: Int
    /// Planted bugs.
    public let bugs: ShardKVBugs
    /// The configuration the group is in.
    public private(set) var config = ShardConfig.initial
    /// The one before it (where pulled shards come from). Invariant: num == config.num − 1,
    /// or both are #0.
    public private(set) var previous = ShardConfig.initial
    /// The shards, by shard number. Invariant: count == shardCount.
    public private(set) var shards = Array(repeating: ShardSlot(), count: shardCount)

    /// A fresh group in configuration #0.
    public init(gid: Int, bugs: ShardKVBugs = []) {
        precondition(gid > 0, "gid \(gid)")
        self.gid = gid
        self.bugs = bugs
    }

    /// True when no shard is in flight: the next configuration may be applied.
    public var isSettled: Bool {
        shards.allSatisfy { $0.status == .serving || $0.status == .absent }
    }

    /// Whether a client operation on `shard` is served now.
    public func serves(_ shard: Int) -> Bool {
        guard config.shards[shard] == gid else { return false }
        switch shards[shard].status {
        case .serving, .releasing: return true
        case .pulling: return bugs.contains(.serveBeforeArrival)
        case .absent, .offering: return false
        }
    }

    /// Shards with status `status`, ascending.
    public func shards(in status: ShardStatus) -> [Int] {
        (0..<shardCount).filter { shards[$0].status == status }
    }

    /// Applies one committed command and returns its answer.
    @discardableResult
    public mutating func apply(_ command: ShardKVCommand) -> ShardKVResult {
        switch command {
        case .client(let op, let clientId, let seq):
            return applyClient(op, clientId: clientId, seq: seq)
        case .config(let next):
            return applyConfig(next)
        case .insertShards(let num, let transfers):
            return applyInsert(configNum: num, transfers)
        case .deleteShards(let num, let ids):
            return applyDelete(configNum: num, ids)
        case .shardsReleased(let num, let ids):
            return applyReleased(configNum: num, ids)
        case .noop:
            return .ok
        }
    }

    /// Get/Put/Append on an owned, present shard; Put/Append once per (client, seq).
    mutating func applyClient(_ op: KVOperation, clientId: Int, seq: Int) -> ShardKVResult {
        let s = keyToShard(op.key)
        guard serves(s) else { return ShardKVResult(.wrongGroup) }
        switch op.op {
        case .get:
            return ShardKVResult(.ok, shards[s].data[op.key] ?? "")
        case .put, .append:
            if (shards[s].lastSeq[clientId] ?? 0) >= seq { return .ok }
            if op.op == .put {
                shards[s].data[op.key] = op.value
            } else {
                shards[s].data[op.key, default: ""].append(op.value)
            }
            shards[s].lastSeq[clientId] = seq
            return .ok
        }
    }

    /// Moves to `next` when it is the next configuration and nothing is in flight; otherwise
    /// nothing changes (`notReady`).
    mutating func applyConfig(_ next: ShardConfig) -> ShardKVResult {
        guard next.num == config.num + 1, isSettled else { return ShardKVResult(.notReady) }
        for s in 0..<shardCount {
            let had = config.shards[s] == gid
            let has = next.shards[s] == gid
            switch (had, has) {
            case (true, false):
                shards[s].status = .offering
            case (false, true):
                // Shards of gid 0 (config #0, or after every group left) have no data anywhere.
                shards[s].status = config.shards[s] == 0 ? .serving : .pulling
            case (true, true), (false, false):
                break
            }
        }
        previous = config
        config = next
        return .ok
    }

    /// Installs shards pulled for configuration `num`: only into shards still `pulling` in
    /// that configuration, so a duplicate or stale insert changes nothing.
    mutating func applyInsert(configNum num: Int, _ transfers: [ShardTransfer]) -> ShardKVResult {
        guard num == config.num else { return ShardKVResult(.notReady) }
        for t in transfers where shards[t.shard].status == .pulling {
            shards[t.shard].data = t.data
            shards[t.shard].lastSeq = bugs.contains(.dupTableNotMoved) ? [:] : t.lastSeq
            shards[t.shard].status = .releasing
        }
        return .ok
    }

    /// Deletes shards handed over in configuration `num`. `ok` also when the group is already
    /// past `num` (the deletion happened); `notReady` when it has not reached `num`.
    mutating func applyDelete(configNum num: Int, _ ids: [Int]) -> ShardKVResult {
        if num < config.num { return .ok }
        guard num == config.num else { return ShardKVResult(.notReady) }
        for s in ids where shards[s].status == .offering { shards[s] = ShardSlot() }
        return .ok
    }

    /// Ends the migration of shards received in configuration `num`.
    mutating func applyReleased(configNum num: Int, _ ids: [Int]) -> ShardKVResult {
        guard num == config.num else { return ShardKVResult(.notReady) }
        for s in ids where shards[s].status == .releasing { shards[s].status = .serving }
        return .ok
    }

    /// The data of shards this group offers in configuration `num` (a pull request), or nil
    /// when the group is not in `num` or does not hold every one of them.
    public func export(configNum num: Int, _ ids: [Int]) -> [ShardTransfer]? {
        guard num == config.num else { return nil }
        var out: [ShardTransfer] = []
        for s in ids {
            guard shards[s].status == .offering else { return nil }
            out.append(ShardTransfer(shard: s, data: shards[s].data, lastSeq: shards[s].lastSeq))
        }
        return out
    }

    /// Approximate encoded size of a snapshot of this state (a sum: independent of order).
    public var sizeBytes: Int {
        var bytes = 16 + config.sizeBytes + previous.sizeBytes
        for slot in shards {
            bytes += 8 + 12 * slot.lastSeq.count
            for (k, v) in slot.data { bytes += 4 + k.utf8.count + v.utf8.count }
        }
        return bytes
    }
}

/// A snapshot of a group's state, its size computed once.
public struct ShardKVSnapshot: RaftPayload {
    /// The state.
    public let state: ShardGroupState
    /// Approximate gob size of `state`.
    public let sizeBytes: Int

    /// A snapshot of `state`.
    public init(_ state: ShardGroupState) {
        self.state = state
        sizeBytes = state.sizeBytes
    }
}
