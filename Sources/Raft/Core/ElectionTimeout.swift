// One election timeout per term and role, as etcd draws `randomizedElectionTimeout` when a
// peer becomes follower, candidate or leader rather than on every reset. A follower resets its
// timer on every AppendEntries; drawing afresh each time would spend one decision per
// heartbeat, and a shrinker editing one message would shift which draw each later reset gets.
// The timeout is still uniform over the configured range and still drawn anew for every term.

/// The election timeout of a peer's current term and role.
public struct ElectionTimeout: Hashable, Sendable {
    private var term = -1
    private var role = RaftRole.follower
    private var ms = 0

    /// No timeout drawn yet.
    public init() {}

    /// The timeout in milliseconds for `raft`'s current term and role: the one drawn before
    /// when neither changed since, else `draw()` (a value in the configured range), staggered
    /// by peer (`RaftConfig.staggeredElectionMs`).
    public mutating func milliseconds<C, S>(for raft: Raft<C, S>, draw: () -> Int) -> Int {
        if term != raft.currentTerm || role != raft.role {
            term = raft.currentTerm
            role = raft.role
            ms = raft.config.staggeredElectionMs(draw(), id: raft.id, peerCount: raft.peerCount)
        }
        return ms
    }
}
