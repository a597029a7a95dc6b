// A node's stable storage, with the crash semantics of the labs' harnesses (lab-tests.md §2):
// `save` replaces the state and the snapshot together, atomically; what was saved survives a
// crash; on a crash the harness gives the dead instance's persister away and the new
// incarnation gets a copy, so a zombie's later writes are never seen.

/// Stable storage for one node incarnation. `State` is the node's durable value (sans-IO nodes
/// keep typed values, not bytes; sizes are reported by the node so byte bounds can be tested).
public final class Persister<State> {
    /// The last saved durable state (Raft: currentTerm, votedFor, log), or nil.
    public private(set) var state: State?
    /// Size in bytes of the state part, as the node encodes it (labrpc `RaftStateSize`).
    public private(set) var stateBytes = 0
    /// Size in bytes of the snapshot part (labrpc `SnapshotSize`).
    public private(set) var snapshotBytes = 0
    /// Number of saves (a cost counter).
    public private(set) var saveCount = 0
    /// False once the incarnation that owned this persister has crashed: writes are ignored.
    public private(set) var isLive = true

    /// An empty persister.
    public init() {}

    /// Replaces state and snapshot atomically. Ignored after the owner crashed.
    public func save(_ state: State, stateBytes: Int, snapshotBytes: Int) {
        guard isLive else { return }
        self.state = state
        self.stateBytes = stateBytes
        self.snapshotBytes = snapshotBytes
        saveCount += 1
    }

    /// A new persister with the same contents (labrpc `Copy`), for the next incarnation; this
    /// one stops accepting writes.
    public func handOver() -> Persister<State> {
        isLive = false
        let p = Persister<State>()
        p.state = state
        p.stateBytes = stateBytes
        p.snapshotBytes = snapshotBytes
        return p
    }
}
