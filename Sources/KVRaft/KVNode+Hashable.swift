// State equality for the explorer and the shrinker (DESIGN §3: sans-IO state is Hashable).
// Scratch buffers and shared references (the Raft batch, the workload driver, the links) are
// not state and are left out.

extension KVServer: Hashable {
    /// Equal Raft peers, state machines, duplicate tables and waiting requests.
    public static func == (a: KVServer, b: KVServer) -> Bool { a.host == b.host }

    /// Hashes the Raft peer and the applied position (enough to spread states).
    public func hash(into h: inout Hasher) { h.combine(host) }
}

extension KVClerk: Hashable {
    /// Equal position in the clerk protocol.
    public static func == (a: KVClerk, b: KVClerk) -> Bool {
        a.index == b.index && a.leader == b.leader && a.seq == b.seq && a.attempt == b.attempt
            && a.current == b.current && a.sentAt == b.sentAt && a.isRetryArmed == b.isRetryArmed
    }

    /// Hashes the clerk's identity and progress.
    public func hash(into h: inout Hasher) {
        h.combine(index)
        h.combine(seq)
        h.combine(attempt)
    }
}

extension KVNode: Hashable {
    /// Equal server or clerk state.
    public static func == (a: KVNode, b: KVNode) -> Bool {
        a.server == b.server && a.clerk == b.clerk
    }

    /// Hashes whichever part is set.
    public func hash(into h: inout Hasher) {
        h.combine(server)
        h.combine(clerk)
    }
}
