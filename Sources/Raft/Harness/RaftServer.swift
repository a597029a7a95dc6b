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
    /// The trace line of the last role change (not part of the node's state): a candidate's
    /// vote for itself cites it.
    private var roleLine: TraceLine = 0
    /// True while booting: the boot line already says the peer is a follower in its term.
    private var isBooting = false
    /// The election timeout of the current term and role (timer bookkeeping, not state).
    private var electionTimeout = ElectionTimeout()

    /// The election timeout drawn for the current term and role (the explorer's fingerprint).
    var electionTimeoutState: ElectionTimeout { electionTimeout }

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
        roleLine = ctx.lastLine
        if let s = raft.snapshot {
            let line = ctx.observe("ingest", [("index", .int(Int64(s.lastIncludedIndex)))])
            monitor.ingestSnapshot(
                server: ctx.id, s, index: -1, lastApplied: lastApplied, line: line)
            lastApplied = s.lastIncludedIndex
        }
        ready.clear()
        raft.boot(&ready)
        isBooting = true
        flush(ctx)
        isBooting = false
    }

    /// The boot line says the peer's term (it boots as a follower).
    public var bootFields: [(String, JSON)] { [("term", .int(Int64(raft.currentTerm)))] }

    /// A Raft message arrived.
    public mutating func receive(_ message: Message, from: NodeID, _ ctx: NodeContext<RaftServer>) {
        let line = ctx.lastLine
        ready.clear()
        let check = RaftRuleCheck(raft, .message(message, from: from))
        raft.step(message, from: from, &ready)
        report(check.verify(raft, ready), line: line, ctx)
        // Entries merged: their terms must still be in order with their neighbours', checked
        // here so that a stale entry left after a conflict is shown by the message that did it.
        if case .appendEntries(let a) = message, ready.mustPersist, !a.entries.isEmpty {
            monitor.checkTermsOrdered(
                server: ctx.id, raft.log,
                from: a.prevLogIndex + 1, through: a.prevLogIndex + a.entries.count + 1, line: line)
        }
        flush(ctx)
    }

    /// A timer armed for Raft fired.
    public mutating func timerFired(_ timer: Int, _ ctx: NodeContext<RaftServer>) {
        guard let t = RaftTimer(rawValue: timer) else {
            preconditionFailure("unknown timer \(timer)")
        }
        ready.clear()
        let check = RaftRuleCheck(raft, .timer(t))
        raft.tick(t, &ready)
        report(check.verify(raft, ready), line: nil, ctx)
        flush(ctx)
    }

    /// The labs' `Start(command)`.
    public mutating func start(_ command: LabCommand, _ ctx: NodeContext<RaftServer>)
        -> (index: Int, term: Int, isLeader: Bool)
    {
        ready.clear()
        let check = RaftRuleCheck(raft, .start(command))
        let r = raft.start(command, &ready)
        if r.isLeader {
            let line = Self.observeStart(r.index, r.term, value: command.value, ctx)
            monitor.started(index: r.index, line: line)
        }
        report(check.verify(raft, ready), line: r.isLeader ? ctx.lastLine : nil, ctx)
        flush(ctx)
        return r
    }

    /// A leader accepted a command: without this line an entry only appears in a log.
    @discardableResult
    static func observeStart(_ index: Int, _ term: Int, value: Int, _ ctx: NodeContext<RaftServer>)
        -> TraceLine
    {
        ctx.observe(
            "start",
            [
                ("index", .int(Int64(index))), ("term", .int(Int64(term))),
                ("value", .int(Int64(value))),
            ])
    }

    /// Reports a broken Raft rule citing `line` (the message's), or a line of its own when the
    /// step has none (a timer).
    private func report(_ breach: RaftRuleBreach?, line: TraceLine?, _ ctx: NodeContext<RaftServer>)
    {
        guard let b = breach, monitor.violation == nil else { return }
        let cited = line ?? ctx.observe("rule-broken", [("rule", .string(b.rule.rawValue))])
        monitor.fail(b.rule.invariant, b.message, [cited])
    }

    /// Carries out a batch: persist, send, timers, observations, applies.
    private mutating func flush(_ ctx: NodeContext<RaftServer>) {
        if ready.isEmpty { return }
        if ready.mustPersist { persist(ctx) }
        for (to, m) in ready.messages { ctx.send(m, to: to) }
        if ready.resetElectionTimer {
            let (lo, hi) = raft.config.electionTimeoutRangeMs
            let ms = electionTimeout.milliseconds(for: raft) {
                ctx.random(lo, hi, "raft.election")
            }
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

    private mutating func observe(_ e: RaftEvent, _ ctx: NodeContext<RaftServer>) {
        switch e {
        case .role(let role, let term):
            // Booting as a follower: the boot line says it (`bootFields`).
            let line =
                isBooting && role == .follower
                ? roleLine
                : ctx.observe(
                    "role", [("role", .string(role.rawValue)), ("term", .int(Int64(term)))])
            roleLine = line
            monitor.roleChanged(server: ctx.id, role: role, term: term, log: raft.log, line: line)
        case .voted(let term, let candidate) where candidate == ctx.id:
            // A candidate's vote for itself is part of becoming candidate: its role line says
            // it, and a trace is easier to follow without a second line.
            monitor.voted(server: ctx.id, term: term, candidate: candidate, line: roleLine)
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
            report(raft.snapshotBreach(index: index), line: line, ctx)
            let data = LabSnapshot(
                lastIncludedIndex: index, log: monitor.appliedPrefix(server: ctx.id, through: index)
            )
            return raft.snapshot(index: index, data: data)
        }
    }
}
