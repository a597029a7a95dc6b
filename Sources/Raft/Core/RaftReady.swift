// What one call into Raft asks of the world, collected as a batch (etcd/raft's `Ready`): the
// caller persists first when `mustPersist` is set, then sends, re-arms timers and delivers
// applies in order. One `RaftReady` value is reused across calls so the hot path does not
// allocate: `clear()` keeps capacity.

/// A message delivered to the service, as the labs' `ApplyMsg`.
public enum ApplyMsg<Command: RaftPayload, Snapshot: RaftPayload>: Hashable, Sendable {
    /// `CommandValid`: the committed command at `index`.
    case command(index: Int, term: Int, command: Command)
    /// `SnapshotValid`: replace the service state with `data`, covering 1...`index`.
    case snapshot(index: Int, term: Int, data: Snapshot)
}

/// A timer Raft asks its host to run.
public enum RaftTimer: Int, Sendable {
    /// Fires when no leader was heard from for an election timeout.
    case election = 0
    /// Fires when a leader should send AppendEntries to its followers.
    case heartbeat = 1
}

/// Something worth observing (a trace line and a checker input).
public enum RaftEvent: Hashable, Sendable {
    /// The peer became `role` in `term`.
    case role(RaftRole, term: Int)
    /// The peer granted its vote in `term` to `candidate` (after persisting it).
    case voted(term: Int, candidate: Int)
    /// commitIndex advanced to `index`.
    case committed(index: Int)
}

/// The side effects of one call into `Raft`.
public struct RaftReady<Command: RaftPayload, Snapshot: RaftPayload> {
    /// Durable state changed: save it before sending anything (Figure 2, "Persistent state …
    /// updated on stable storage before responding to RPCs").
    public var mustPersist = false
    /// Messages to send, in order.
    public var messages: [(to: Int, message: RaftMessage<Command, Snapshot>)] = []
    /// Re-arm the election timer with a fresh random timeout.
    public var resetElectionTimer = false
    /// Arm the heartbeat timer after this many nanoseconds (nil: leave it alone).
    public var heartbeatAfterNs: Int64?
    /// Disarm the heartbeat timer (no longer leader).
    public var stopHeartbeat = false
    /// Entries and snapshots for the service, in order.
    public var applies: [ApplyMsg<Command, Snapshot>] = []
    /// Observations, in order.
    public var events: [RaftEvent] = []

    /// An empty batch.
    public init() {}

    /// Empties the batch, keeping its buffers.
    public mutating func clear() {
        mustPersist = false
        if !messages.isEmpty { messages.removeAll(keepingCapacity: true) }
        resetElectionTimer = false
        heartbeatAfterNs = nil
        stopHeartbeat = false
        if !applies.isEmpty { applies.removeAll(keepingCapacity: true) }
        if !events.isEmpty { events.removeAll(keepingCapacity: true) }
    }

    /// True when the batch asks for nothing.
    public var isEmpty: Bool {
        !mustPersist && messages.isEmpty && !resetElectionTimer && heartbeatAfterNs == nil
            && !stopHeartbeat && applies.isEmpty && events.isEmpty
    }
}
