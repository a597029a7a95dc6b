// The group state as the `RaftStateMachine` a `RaftHost` drives: a snapshot is the whole state
// (configurations, every shard's status, data and duplicate table).
import Raft

extension ShardGroupState: RaftStateMachine {
    /// `shardInstall`.
    public static var installEvent: String { "shardInstall" }

    /// The whole state.
    public func snapshot() -> ShardKVSnapshot { ShardKVSnapshot(self) }

    /// Replaces the state with a snapshot's (taken by a replica of the same group).
    public mutating func restore(_ s: ShardKVSnapshot) {
        precondition(s.state.gid == gid, "snapshot of group \(s.state.gid) restored into \(gid)")
        self = s.state
    }
}
