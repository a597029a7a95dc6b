// The entries a replica group replicates through its Raft log, and the outcome of a client
// request. Every change to the group's state — a client operation, the next configuration, the
// arrival of migrated shards, the deletion of shards handed over, the end of a migration — is a
// log entry, so all replicas of a group make the same decision at the same point of the log
// (the handout: "all servers in a replica group do the migration at the same point in the
// sequence of operations they execute"). Sizes approximate labgob, as KVCommand's do.
import KVRaft
import Raft
import ShardCtrler

/// The result of a shardkv request (the labs' `Err`).
public enum ShardKVErr: UInt8, Hashable, Sendable {
    /// Executed (or already was, for a duplicate).
    case ok
    /// The group does not serve the key's shard in its current configuration (or has not
    /// received it yet): the clerk re-reads the configuration and retries.
    case wrongGroup
    /// Not the leader, or leadership was lost before the entry was applied.
    case wrongLeader
    /// A shard transfer asked for a configuration this group has not reached yet.
    case notReady

    /// `OK`, `ErrWrongGroup`, `ErrWrongLeader`, `ErrNotReady`.
    public var name: String {
        switch self {
        case .ok: return "OK"
        case .wrongGroup: return "ErrWrongGroup"
        case .wrongLeader: return "ErrWrongLeader"
        case .notReady: return "ErrNotReady"
        }
    }
}

/// One shard's contents as it migrates: the data and the duplicate table.
public struct ShardTransfer: Hashable, Sendable {
    /// The shard number.
    public var shard: Int
    /// Its key/value pairs.
    public var data: [String: String]
    /// The last executed Put/Append sequence number per client, for keys of this shard.
    public var lastSeq: [Int: Int]

    /// Creates a transfer.
    public init(shard: Int, data: [String: String], lastSeq: [Int: Int]) {
        precondition(shard >= 0 && shard < shardCount, "shard \(shard)")
        self.shard = shard
        self.data = data
        self.lastSeq = lastSeq
    }

    /// Approximate gob size (a sum, so independent of dictionary order).
    public var sizeBytes: Int {
        var bytes = 16 + 12 * lastSeq.count
        for (k, v) in data { bytes += 4 + k.utf8.count + v.utf8.count }
        return bytes
    }
}

/// A log entry of a replica group.
public enum ShardKVCommand: RaftPayload {
    /// A client's Get/Put/Append with its exactly-once identity.
    case client(KVOperation, clientId: Int, seq: Int)
    /// Move to this configuration (applied only when it is the next one and nothing migrates).
    case config(ShardConfig)
    /// Shards pulled from their previous owner for configuration `configNum`.
    case insertShards(configNum: Int, [ShardTransfer])
    /// The new owner has the shards of `configNum`: the previous owner deletes its copy.
    case deleteShards(configNum: Int, shards: [Int])
    /// The previous owner deleted the shards: the new owner's migration of them is over.
    case shardsReleased(configNum: Int, shards: [Int])
    /// Nothing: a new leader's first entry (Raft §8), so that entries of earlier terms commit
    /// — and their effects reach the state — even when no client writes to this group.
    case noop

    /// Approximate gob size.
    public var sizeBytes: Int {
        switch self {
        case .client(let op, _, _): return 24 + op.key.utf8.count + op.value.utf8.count
        case .config(let c): return c.sizeBytes
        case .insertShards(_, let ts): return ts.reduce(16) { $0 + $1.sizeBytes }
        case .deleteShards(_, let s), .shardsReleased(_, let s): return 16 + 8 * s.count
        case .noop: return 8
        }
    }

    /// A short name for traces.
    public var traceName: String {
        switch self {
        case .client(let op, _, _): return op.op.name
        case .config: return "config"
        case .insertShards: return "insertShards"
        case .deleteShards: return "deleteShards"
        case .shardsReleased: return "shardsReleased"
        case .noop: return "noop"
        }
    }
}

/// What applying a command answered: an error code and, for Get, the value read.
public struct ShardKVResult: Hashable, Sendable {
    /// The outcome.
    public var err: ShardKVErr
    /// The value a Get read ("" otherwise).
    public var value: String

    /// Creates a result.
    public init(_ err: ShardKVErr, _ value: String = "") {
        self.err = err
        self.value = value
    }

    /// `OK` with no value.
    public static let ok = ShardKVResult(.ok)
}
