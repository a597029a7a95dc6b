// State equality for the explorer and the shrinker (DESIGN §3: sans-IO state is Hashable).
// Shared references (the workload driver, the server directory) are not state and are left
// out.

extension ShardKVServer: Hashable {
    /// Equal hosts (Raft, group state, waiting requests) and duty rounds.
    public static func == (a: ShardKVServer, b: ShardKVServer) -> Bool {
        a.host == b.host && a.gid == b.gid && a.round == b.round && a.noopTerm == b.noopTerm
            && a.pulledConfig == b.pulledConfig && a.pollNs == b.pollNs
    }

    /// Hashes the host and the group.
    public func hash(into h: inout Hasher) {
        h.combine(host)
        h.combine(gid)
    }
}

extension ShardKVClerk: Hashable {
    /// Equal position in the clerk protocol.
    public static func == (a: ShardKVClerk, b: ShardKVClerk) -> Bool {
        a.index == b.index && a.clientId == b.clientId && a.config == b.config
            && a.leaderOf == b.leaderOf && a.seq == b.seq && a.attempt == b.attempt
            && a.current == b.current && a.target == b.target && a.sentAt == b.sentAt
            && a.isRetryArmed == b.isRetryArmed && a.isSleeping == b.isSleeping
            && a.isWaitingForConfig == b.isWaitingForConfig
    }

    /// Hashes the clerk's identity and progress.
    public func hash(into h: inout Hasher) {
        h.combine(index)
        h.combine(seq)
        h.combine(attempt)
    }
}

extension ShardKVNode: Hashable {
    /// Equal components.
    public static func == (a: ShardKVNode, b: ShardKVNode) -> Bool {
        a.ctrlerServer == b.ctrlerServer && a.server == b.server && a.clerk == b.clerk
            && a.ctrlerClerk == b.ctrlerClerk && a.lastConfig == b.lastConfig
    }

    /// Hashes whichever components are set.
    public func hash(into h: inout Hasher) {
        h.combine(ctrlerServer)
        h.combine(server)
        h.combine(clerk)
        h.combine(ctrlerClerk)
    }
}
