// The adapter between the Raft core and the simulation: one `RaftServer` is one lab peer plus
// its `applier`/`applierSnap` (config.go). It persists before sending, arms the timers Raft asks
// for (drawing election timeouts through the run's Choices), and hands applies to the harness
// state in `RaftMonitor`, which checks them. Every role change, vote, commit and apply becomes
// a trace observation.
import DSimCore

/// One Raft peer of the lab harness, as a sans-IO node.
public struct RaftServer: SansIONode, Hashable {
    /// The messages of the harness's Raft.
    public typealias Message = RaftMessage<LabCommand, LabSnapshot>
    /// What the harness's Raft persists.
    public typealias Durable = RaftDurable<LabCommand, LabSnapshot>

    /// The Raft peer.
    public private(set) var raft: Raft<LabCommand, LabSnapshot>
    /// `applierSnap` mode: snapshot every `snapshotEvery` applies and check lastApplied+1.
    public let snapshots: Bool
    /// Applies between snapshots (config.go's `SnapShotInterval`, 10, unless a fuzz run drew
    /// another). Invariant: at least 1.
    public let snapshotEvery: Int
    /// config.go's lastApplied[i] for this incarnation.
    public private(set) var lastApplied = 0
    /// The harness state and the checker (shared by every peer; not part of the node's state).
    let monitor: RaftMonitor
    /// Scratch batch reused across calls (not part of the node's state).
    private var ready = RaftReady<LabCommand, LabSnapshot>()

    /// config.go's SnapShotInterval.
    public static let snapshotInterval = 10

    /// Builds peer `id` from what its persister holds.
    public init(
        id: NodeID, config: RaftConfig, snapshots: Bool,
        snapshotEvery: Int = RaftServer.snapshotInterval, monitor: RaftMonitor, restoring: Durable?
    ) {
        precondition(snapshotEvery >= 1, "snapshotEvery \(snapshotEvery)")
        raft = Raft(id: id, peerCount: monitor.n, config: config, restoring: restoring)
        self.snapshots = snapshots
        self.snapshotEvery = snapshotEvery
        self.monitor = monitor
    }

    /// Node state equality: the Raft value and the applier position.
    public static func == (a: RaftServer, b: RaftServer) -> Bool {
        a.raft == b.raft && a.lastApplied == b.lastApplied
    }

    /// Hashes the Raft value and the applier position.
    public func hash(into h: inout Hasher) {
        h.combine(raft)
        h.combine(lastApplied)
    }

    /// start1: a persisted snapshot is ingested by the harness itself, then Raft boots.
    public mutating func boot(_ ctx: NodeContext<RaftServer>) {
        if let s = raft.snapshot {
            let line = ctx.observe("ingest", [("index", .int(Int64(s.lastIncludedIndex)))])
            monitor.ingestSnapshot(
                server: ctx.id, s, index: -1, lastApplied: lastApplied, line: line)
            lastApplied = s.lastIncludedIndex
        }
        ready.clear()
        raft.boot(&ready)
        flush(ctx)
    }

    /// A Raft message arrived.
    public mutating func receive(_ message: Message, from: NodeID, _ ctx: NodeContext<RaftServer>) {
        ready.clear()
        raft.step(message, from: from, &ready)
        flush(ctx)
    }

    /// A timer armed for Raft fired.
    public mutating func timerFired(_ timer: Int, _ ctx: NodeContext<RaftServer>) {
        guard let t = RaftTimer(rawValue: timer) else {
            preconditionFailure("unknown timer \(timer)")
        }
        ready.clear()
        raft.tick(t, &ready)
        flush(ctx)
    }

    /// The labs' `Start(command)`.
    public mutating func start(_ command: LabCommand, _ ctx: NodeContext<RaftServer>)
        -> (index: Int, term: Int, isLeader: Bool)
    {
        ready.clear()
        let r = raft.start(command, &ready)
        flush(ctx)
        return r
    }

    /// Carries out a batch: persist, send, timers, observations, applies.
    private mutating func flush(_ ctx: NodeContext<RaftServer>) {
        if ready.isEmpty { return }
        if ready.mustPersist { persist(ctx) }
        for (to, m) in ready.messages { ctx.send(m, to: to) }
        if ready.resetElectionTimer {
            let lo = Int(raft.config.electionTimeoutMinNs / Duration.millisecond)
            let hi = Int(raft.config.electionTimeoutMaxNs / Duration.millisecond)
            // Staggered by peer: when every draw is 0 (the shrinker's simplest answer), peers
            // time out one after another instead of all at once, so a calm run elects at once
            // rather than splitting votes. Each peer's timeout is still uniform over lo...hi.
            let range = hi - lo + 1
            let offset = raft.id * (range / raft.peerCount)
            let ms = lo + (ctx.random(lo, hi, "raft.election") - lo + offset) % range
            ctx.setTimer(RaftTimer.election.rawValue, after: VirtualTime(ms) * Duration.millisecond)
        }
        if ready.stopHeartbeat { ctx.cancelTimer(RaftTimer.heartbeat.rawValue) }
        if let h = ready.heartbeatAfterNs { ctx.setTimer(RaftTimer.heartbeat.rawValue, after: h) }
        for e in ready.events { observe(e, ctx) }
        if ready.applies.isEmpty { return }
        var mustPersist = false
        for a in ready.applies { mustPersist = apply(a, ctx) || mustPersist }
        if mustPersist { persist(ctx) }
    }

    private func persist(_ ctx: NodeContext<RaftServer>) {
        let d = raft.durable
        ctx.persist(d, stateBytes: d.stateBytes, snapshotBytes: d.snapshotBytes)
    }

    private func observe(_ e: RaftEvent, _ ctx: NodeContext<RaftServer>) {
        switch e {
        case .role(let role, let term):
            let line = ctx.observe(
                "role", [("role", .string(role.rawValue)), ("term", .int(Int64(term)))])
            monitor.roleChanged(server: ctx.id, role: role, term: term, log: raft.log, line: line)
        case .voted(let term, let candidate):
            let line = ctx.observe(
                "vote", [("term", .int(Int64(term))), ("for", .int(Int64(candidate)))])
            monitor.voted(server: ctx.id, term: term, candidate: candidate, line: line)
        case .committed(let index):
            let line = ctx.observe("commit", [("index", .int(Int64(index)))])
            if raft.role == .leader {
                monitor.leaderCommitted(
                    server: ctx.id, term: raft.currentTerm, through: index, log: raft.log,
                    line: line)
            }
        }
    }

    /// applier / applierSnap for one message; true when a snapshot was taken (persist).
    private mutating func apply(
        _ a: ApplyMsg<LabCommand, LabSnapshot>, _ ctx: NodeContext<RaftServer>
    ) -> Bool {
        switch a {
        case .snapshot(let index, _, let data):
            let line = ctx.observe("applySnapshot", [("index", .int(Int64(index)))])
            monitor.ingestSnapshot(
                server: ctx.id, data, index: index, lastApplied: lastApplied, line: line)
            lastApplied = index
            return false
        case .command(let index, let term, let command):
            let line = ctx.observe(
                "apply", [("index", .int(Int64(index))), ("value", .int(Int64(command.value)))])
            monitor.applied(
                server: ctx.id, index: index, term: term, command: command,
                expectedIndex: snapshots ? lastApplied + 1 : nil, line: line)
            lastApplied = index
            guard snapshots, (index + 1) % snapshotEvery == 0 else { return false }
            let data = LabSnapshot(
                lastIncludedIndex: index, log: monitor.appliedPrefix(server: ctx.id, through: index)
            )
            return raft.snapshot(index: index, data: data)
        }
    }
}
