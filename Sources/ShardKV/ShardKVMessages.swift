// The RPCs of a shardkv simulation besides Raft's and the controller's: a clerk's request and
// the server's reply (the labs' GetArgs/PutAppendArgs and replies), and the two group-to-group
// RPCs of a migration — `pullShards` (the new owner asks the previous owner for the shards of
// configuration N: data and duplicate tables) and `deleteShards` (the new owner has them; the
// previous owner may delete its copy, challenge 1).
import DSimCore
import KVRaft

/// A clerk's request.
public struct ShardKVRequest: Hashable, Sendable {
    /// The operation.
    public var operation: KVOperation
    /// The clerk's id.
    public var clientId: Int
    /// The clerk's sequence number of the operation.
    public var seq: Int
    /// Which try of this operation this is, echoed so a clerk ignores stale failures.
    public var attempt: Int
}

/// A server's reply to a clerk.
public struct ShardKVReply: Hashable, Sendable {
    /// The request's sequence number.
    public var seq: Int
    /// The request's attempt.
    public var attempt: Int
    /// The outcome.
    public var err: ShardKVErr
    /// The value read (Get) or "".
    public var value: String
}

/// Ask the previous owner for shards of configuration `configNum`.
public struct PullShardsArgs: Hashable, Sendable {
    /// The configuration the asking group is in.
    public var configNum: Int
    /// The shards, ascending.
    public var shards: [Int]
}

/// The previous owner's answer: the shards, or `notReady` when it is not (or no longer) in
/// that configuration.
public struct PullShardsReply: Hashable, Sendable {
    /// The configuration asked for.
    public var configNum: Int
    /// `ok` with the shards, or `notReady`.
    public var err: ShardKVErr
    /// The shards' data and duplicate tables.
    public var transfers: [ShardTransfer]
}

/// Tell the previous owner that shards of configuration `configNum` arrived (delete them), or
/// its answer: `ok` once they are deleted.
public struct DeleteShardsMessage: Hashable, Sendable {
    /// The configuration the new owner is in.
    public var configNum: Int
    /// The shards, ascending.
    public var shards: [Int]
    /// The answer's outcome (`ok` in a request).
    public var err: ShardKVErr
}

extension ShardKVRequest {
    /// Approximate labgob size.
    var sizeBytes: Int { 30 + operation.key.utf8.count + operation.value.utf8.count }
}

extension PullShardsReply {
    /// Approximate labgob size.
    var sizeBytes: Int { transfers.reduce(24) { $0 + $1.sizeBytes } }
}
