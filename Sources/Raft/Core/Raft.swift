// Raft (Ongaro & Ousterhout, extended paper, Figure 2 and Figure 13) as a sans-IO value.
//
//   var raft = Raft<Cmd, Snap>(id: 0, peerCount: 3, config: .init(), restoring: persisted)
//   var ready = RaftReady<Cmd, Snap>()
//   raft.boot(&ready)                       // arms the election timer
//   raft.step(message, from: peer, &ready)  // an RPC or a reply arrived
//   raft.tick(.election, &ready)            // a timer the host armed fired
//   raft.start(command, &ready)             // -> (index, term, isLeader), like the labs' Start
//   raft.snapshot(index: i, data: s)        // the service compacted through i (true: persist)
//   raft.state                              // (term, isLeader), like GetState
//
// After each call the host handles `ready` in this order: persist `raft.durable` when
// `mustPersist` (before anything leaves the node), send `messages`, re-arm timers, deliver
// `applies` to the service in order. Nothing here reads a clock or draws a random number: the
// host draws the election timeout when asked to reset it. The state is `Hashable`, so an
// explorer can deduplicate states.

/// A peer's role (§5.1).
public enum RaftRole: String, Hashable, Sendable {
    /// Answers RPCs; becomes candidate when it hears nothing for an election timeout.
    case follower
    /// Asks for votes in a new term.
    case candidate
    /// Replicates its log to everyone; at most one per term (§5.2).
    case leader
}

/// What a peer keeps in stable storage (Figure 2 "Persistent state" plus the snapshot, §7).
public struct RaftDurable<Command: RaftPayload, Snapshot: RaftPayload>: Hashable, Sendable {
    /// Latest term the peer has seen.
    public var currentTerm: Int
    /// Candidate that received the vote in currentTerm, or nil.
    public var votedFor: Int?
    /// The log, with its compacted prefix described by snapshotIndex/snapshotTerm.
    public var log: RaftLog<Command>
    /// The service's latest snapshot (nil until the first one).
    public var snapshot: Snapshot?

    /// Approximate gob size of the Raft state: term, vote, snapshot index/term, entries.
    public var stateBytes: Int { 16 + log.entryBytes }
    /// Size of the snapshot part.
    public var snapshotBytes: Int { snapshot?.sizeBytes ?? 0 }
}

/// One Raft peer as a pure state machine.
public struct Raft<Command: RaftPayload, Snapshot: RaftPayload>: Hashable {
    /// This peer's index in `0..<peerCount`.
    public let id: Int
    /// Number of peers, this one included. Invariant: 1...64 (votes are a bit set).
    public let peerCount: Int
    /// Timing and planted bugs.
    public let config: RaftConfig

    // Persistent state (Figure 2), saved through `durable` before any reply or send.
    /// Latest term seen. Invariant: never decreases (§5.1).
    public internal(set) var currentTerm = 0
    /// Vote granted in currentTerm. Invariant: at most one candidate per term (§5.2).
    public internal(set) var votedFor: Int?
    /// The log. Invariant: entries up to commitIndex never change (§5.4 State Machine Safety).
    public internal(set) var log = RaftLog<Command>()
    /// The latest snapshot, covering indices 1...log.snapshotIndex.
    public internal(set) var snapshot: Snapshot?

    // Volatile state (Figure 2).
    /// Highest index known committed. Invariant: log.snapshotIndex <= lastApplied <= commitIndex.
    public internal(set) var commitIndex = 0
    /// Highest index handed to the service.
    public internal(set) var lastApplied = 0
    /// Current role.
    public internal(set) var role = RaftRole.follower
    /// The leader of currentTerm, when known.
    public internal(set) var leaderId: Int?
    /// Candidate: peers that granted their vote in currentTerm, as bits.
    var votesGranted: UInt64 = 0
    /// Leader: next index to send to each peer.
    /// Invariant: matchIndex[p] < nextIndex[p] <= lastIndex + 1.
    var nextIndex: [Int] = []
    /// Leader: highest index known replicated on each peer (own entry = log.lastIndex).
    var matchIndex: [Int] = []

    /// A peer, fresh or restored from its persisted state (a restored snapshot is already
    /// installed in the service by the host, so applying resumes after it).
    public init(
        id: Int, peerCount: Int, config: RaftConfig = .init(),
        restoring durable: RaftDurable<Command, Snapshot>? = nil
    ) {
        precondition(id >= 0 && id < peerCount && peerCount <= 64, "id \(id) of \(peerCount) peers")
        self.id = id
        self.peerCount = peerCount
        self.config = config
        if let d = durable {
            currentTerm = d.currentTerm
            votedFor = d.votedFor
            log = d.log
            snapshot = d.snapshot
            commitIndex = d.log.snapshotIndex
            lastApplied = d.log.snapshotIndex
        }
    }

    /// The state to persist. (The planted bug `votedfor-not-persisted` drops the vote.)
    public var durable: RaftDurable<Command, Snapshot> {
        RaftDurable(
            currentTerm: currentTerm,
            votedFor: config.bugs.contains(.votedForNotPersisted) ? nil : votedFor, log: log,
            snapshot: snapshot)
    }

    /// The labs' `GetState()`.
    public var state: (term: Int, isLeader: Bool) { (currentTerm, role == .leader) }

    /// Number of peers that form a majority.
    @inlinable var quorum: Int { peerCount / 2 + 1 }

    /// Starts (or restarts) the peer: it is a follower waiting for an election timeout.
    public mutating func boot(_ out: inout RaftReady<Command, Snapshot>) {
        out.resetElectionTimer = true
        out.events.append(.role(.follower, term: currentTerm))
    }

    /// The single entry point for messages: dispatches on the message kind.
    public mutating func step(
        _ message: RaftMessage<Command, Snapshot>, from peer: Int,
        _ out: inout RaftReady<Command, Snapshot>
    ) {
        precondition(peer >= 0 && peer < peerCount && peer != id, "message from \(peer) to \(id)")
        switch message {
        case .requestVote(let a): handleRequestVote(a, from: peer, &out)
        case .requestVoteReply(let r): handleRequestVoteReply(r, from: peer, &out)
        case .appendEntries(let a): handleAppendEntries(a, from: peer, &out)
        case .appendEntriesReply(let r): handleAppendEntriesReply(r, from: peer, &out)
        case .installSnapshot(let a): handleInstallSnapshot(a, from: peer, &out)
        case .installSnapshotReply(let r): handleInstallSnapshotReply(r, from: peer, &out)
        }
    }

    /// A timer armed through `ready` fired.
    public mutating func tick(_ timer: RaftTimer, _ out: inout RaftReady<Command, Snapshot>) {
        switch (timer, role) {
        case (.election, .leader): return  // a leader does not time out (§5.2)
        case (.election, _): startElection(&out)
        case (.heartbeat, .leader):
            broadcastAppendEntries(&out)
            out.heartbeatAfterNs = config.heartbeatIntervalNs
        case (.heartbeat, _): return
        }
    }

    /// The labs' `Start(command)`: a leader appends the command and replicates it soon; others
    /// answer `isLeader == false`.
    public mutating func start(_ command: Command, _ out: inout RaftReady<Command, Snapshot>)
        -> (index: Int, term: Int, isLeader: Bool)
    {
        guard role == .leader else { return (-1, currentTerm, false) }
        log.append(LogEntry(term: currentTerm, command: command))
        matchIndex[id] = log.lastIndex
        out.mustPersist = true
        // Replicate at once, coalescing Starts made at the same instant into one round.
        out.heartbeatAfterNs = 0
        if peerCount == 1 { advanceCommitIndex(&out) }
        return (log.lastIndex, currentTerm, true)
    }

    /// Moves to `term` as a follower (§5.1: a higher term always wins), persisting the new term.
    mutating func becomeFollower(term: Int, _ out: inout RaftReady<Command, Snapshot>) {
        precondition(term >= currentTerm, "becomeFollower(\(term)) < currentTerm \(currentTerm)")
        let changed = term > currentTerm || role != .follower
        if term > currentTerm {
            currentTerm = term
            votedFor = nil
            leaderId = nil
            out.mustPersist = true
        }
        if role == .leader {
            out.stopHeartbeat = true
            out.resetElectionTimer = true
        }
        role = .follower
        if changed { out.events.append(.role(.follower, term: currentTerm)) }
    }

    /// Advances commitIndex and hands newly committed entries to the service, in order.
    mutating func commit(through index: Int, _ out: inout RaftReady<Command, Snapshot>) {
        guard index > commitIndex else { return }
        commitIndex = index
        out.events.append(.committed(index: index))
        applyCommitted(&out)
    }

    /// Applies lastApplied+1 ... commitIndex (Figure 2, "Rules for Servers").
    mutating func applyCommitted(_ out: inout RaftReady<Command, Snapshot>) {
        let last = min(commitIndex, log.lastIndex)
        while lastApplied < last {
            lastApplied += 1
            if lastApplied <= log.snapshotIndex { continue }  // only with planted bugs
            let e = log.entry(at: lastApplied)
            out.applies.append(.command(index: lastApplied, term: e.term, command: e.command))
        }
    }
}
