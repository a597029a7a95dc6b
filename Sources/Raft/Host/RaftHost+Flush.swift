// Carrying out one Raft batch (`RaftReady`) for the embedding node, in the order Raft asks:
// persist before anything leaves the node, send, timers, observations, applies; then the
// service-level duties: compact the log near maxraftstate and fail requests that can no longer
// be answered here.
import DSimCore

extension RaftHost {
    /// Carries out `ready`; then fails requests whose leadership is gone and snapshots when the
    /// log is too big.
    mutating func flush(_ ctx: NodeContext<Binding.Node>) {
        if ready.isEmpty && pending.isEmpty { return }
        if ready.mustPersist { isDurableDirty = true }
        for (to, m) in ready.messages { ctx.send(Binding.message(m), to: peers[to]) }
        if ready.resetElectionTimer { resetElectionTimer(ctx) }
        if ready.stopHeartbeat { ctx.cancelTimer(Self.timerKey(.heartbeat)) }
        if let h = ready.heartbeatAfterNs { ctx.setTimer(Self.timerKey(.heartbeat), after: h) }
        for e in ready.events { observe(e, ctx) }
        if !ready.applies.isEmpty {
            for a in ready.applies { apply(a, ctx) }
            ready.applies.removeAll(keepingCapacity: true)
            maybeSnapshot(ctx)
        }
        if !pending.isEmpty { failLostLeadership(ctx) }
    }

    /// Takes the term's election timeout (as RaftServer does) but arms the kernel timer only when
    /// the new deadline is earlier than the armed one: followers reset on every AppendEntries,
    /// and a kernel timer per reset would fill the event queue with stale entries. A timer that
    /// fires before the deadline re-arms for the rest (`timerFired`), so the election starts
    /// exactly when eager re-arming would have started it.
    private mutating func resetElectionTimer(_ ctx: NodeContext<Binding.Node>) {
        let (lo, hi) = raft.config.electionTimeoutRangeMs
        let ms = electionTimeout.milliseconds(for: raft) { ctx.random(lo, hi, "raft.election") }
        let delay = VirtualTime(ms) * Duration.millisecond
        electionDeadline = ctx.now + delay
        if electionArmedFor == nil || electionArmedFor! > electionDeadline {
            electionArmedFor = electionDeadline
            ctx.setTimer(Self.timerKey(.election), after: delay)
        }
    }

    private func observe(_ e: RaftEvent, _ ctx: NodeContext<Binding.Node>) {
        switch e {
        case .role(.follower, _) where isBooting:
            break  // the boot line says it (`bootFields`)
        case .role(let role, let term):
            ctx.observe("role", [("role", .string(role.rawValue)), ("term", .int(Int64(term)))])
        case .voted(_, let candidate) where candidate == raft.id:
            break  // a candidate's vote for itself: its role line says it
        case .voted(let term, let candidate):
            ctx.observe("vote", [("term", .int(Int64(term))), ("for", .int(Int64(candidate)))])
        case .committed(let index):
            ctx.observe("commit", [("index", .int(Int64(index)))])
        }
    }

    /// One applied message: a command executes and answers its waiting request; a snapshot
    /// replaces the state and fails every request it covers.
    private mutating func apply(
        _ a: ApplyMsg<Command, Snapshot>, _ ctx: NodeContext<Binding.Node>
    ) {
        switch a {
        case .snapshot(let index, _, let snap):
            guard index > lastApplied else { return }
            let breach = machine.restoreChecked(snap)
            lastApplied = index
            let line = ctx.observe(Binding.Machine.installEvent, [("index", .int(Int64(index)))])
            if let b = breach { ctx.fail(Violation(b.invariant, b.message, events: [line])) }
            while let p = pending.first, p.index <= index {
                pending.removeFirst()
                Binding.failed(p.ticket, ctx)
            }
        case .command(let index, let term, let command):
            guard index > lastApplied else { return }
            guard index == lastApplied + 1 else {
                let b = RaftRuleBreach(
                    .applyInOrder, "service got index \(index) after \(lastApplied)")
                return report(b, line: nil, ctx)
            }
            lastApplied = index
            let before = Binding.observesApply(of: command) ? machine : nil
            let (output, breach) = machine.applyChecked(command)
            if let b = breach {
                // The line of the commit (or message) that made this entry apply.
                ctx.fail(Violation(b.invariant, b.message, events: [ctx.lastLine]))
            }
            if let b = before { Binding.observeApplied(command, before: b, after: machine, ctx) }
            while let p = pending.first, p.index <= index {
                pending.removeFirst()
                if p.index == index && p.term == term && p.command == command {
                    Binding.answered(p.ticket, output, ctx)
                } else {
                    Binding.failed(p.ticket, ctx)
                }
            }
        }
    }

    /// Replaces the state machine with a snapshot taken at `index`.
    mutating func install(_ s: Snapshot, index: Int) {
        machine.restore(s)
        lastApplied = index
    }

    /// Stops the run with a broken Raft rule, citing `line` (the message's) or, for a timer or
    /// a Start, a line of its own.
    func report(_ breach: RaftRuleBreach?, line: TraceLine?, _ ctx: NodeContext<Binding.Node>) {
        guard let b = breach else { return }
        let cited = line ?? ctx.observe("rule-broken", [("rule", .string(b.rule.rawValue))])
        ctx.fail(Violation(b.rule.invariant, b.message, events: [cited]))
    }

    /// Raft §7: hand Raft a snapshot once the persisted state nears maxraftstate.
    private mutating func maybeSnapshot(_ ctx: NodeContext<Binding.Node>) {
        guard maxRaftState > 0, lastApplied > raft.log.snapshotIndex,
            raft.durable.stateBytes * 10 >= maxRaftState * 9
        else { return }
        report(raft.snapshotBreach(index: lastApplied), line: nil, ctx)
        if raft.snapshot(index: lastApplied, data: machine.snapshot()) {
            isDurableDirty = true
            ctx.observe("snapshot", [("index", .int(Int64(lastApplied)))])
        }
    }

    /// Fails every waiting request once this peer is no longer leader of its term.
    private mutating func failLostLeadership(_ ctx: NodeContext<Binding.Node>) {
        let (term, isLeader) = raft.state
        guard !isLeader || pending.contains(where: { $0.term != term }) else { return }
        var kept: [PendingStart<Command, Binding.Ticket>] = []
        for p in pending {
            if isLeader && p.term == term {
                kept.append(p)
            } else {
                Binding.failed(p.ticket, ctx)
            }
        }
        pending = kept
    }
}

extension RaftHost: Hashable {
    /// Equal Raft peers, applied positions, state machines, waiting requests and dirtiness
    /// (the scratch batch and the election timer's bookkeeping are not state).
    public static func == (a: RaftHost, b: RaftHost) -> Bool {
        a.raft == b.raft && a.lastApplied == b.lastApplied && a.machine == b.machine
            && a.pending == b.pending && a.isDurableDirty == b.isDurableDirty
    }

    /// Hashes the Raft peer and the applied position (enough to spread states).
    public func hash(into h: inout Hasher) {
        h.combine(raft)
        h.combine(lastApplied)
    }
}
