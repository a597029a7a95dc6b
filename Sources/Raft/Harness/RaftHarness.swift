// config.go in virtual time. The helpers keep the originals' structure, budgets and messages:
// checkOneLeader (10 rounds of 450–550 ms), checkTerms, checkNoLeader, nCommitted, wait (30
// polls, 10 ms doubling to 1 s), one (10 s overall, 2 s per attempt, 20 ms polls), crash1,
// start1, connect, disconnect and the counters. A failed check throws a `Violation` named after
// it; invariant violations raised by the monitor during a sleep are thrown the same way.
import DSimCore

/// What a Raft scenario run gets from its caller (the Scenarios layer's RunContext, reduced).
public struct RaftRun {
    /// The run's decisions.
    public let choices: Choices
    /// Concurrent helpers (goroutines) currently running.
    var tasks: [HarnessTask] = []
    /// The run's trace.
    public let trace: TraceRecorder
    /// Planted bugs switched on.
    public let bugs: RaftBugs
    /// Spec parameters, e.g. `{"nodes":5,"snapshots":true}`.
    public let params: JSON

    /// Creates a run description.
    public init(
        choices: Choices, trace: TraceRecorder, bugs: RaftBugs = [], params: JSON = .object([])
    ) {
        self.choices = choices
        self.trace = trace
        self.bugs = bugs
        self.params = params
    }

    /// A fresh run from `seed` (recording or not), for tests and quick loops.
    public static func seeded(
        _ seed: UInt64, recording: Bool = false, bugs: RaftBugs = [], params: JSON = .object([])
    ) -> RaftRun {
        let choices = Choices(.seed(seed))
        let trace = TraceRecorder(recording: recording)
        choices.trace = trace
        return RaftRun(choices: choices, trace: trace, bugs: bugs, params: params)
    }
}

/// The Raft test harness (config.go) over a simulation of `RaftServer`s.
public final class RaftHarness {
    /// The simulation.
    public let sim: SansIOSimulation<RaftServer>
    /// The harness state and invariant checker.
    public let monitor: RaftMonitor
    /// Number of servers.
    public let n: Int
    /// config.go's `connected[i]`.
    public private(set) var connected: [Bool]
    /// The run's decisions (harness randomness: sleeps, commands, victims).
    public let choices: Choices
    /// Concurrent helpers (goroutines) currently running.
    var tasks: [HarnessTask] = []

    /// make_config(n, unreliable, snapshot): LongDelays is implied (calls are messages here).
    /// `snapshotEvery`: applies between snapshots (config.go's SnapShotInterval by default).
    public init(
        _ run: RaftRun, n: Int, unreliable: Bool, snapshots: Bool,
        snapshotEvery: Int = RaftServer.snapshotInterval
    ) {
        self.n = n
        choices = run.choices
        let monitor = RaftMonitor(n: n)
        self.monitor = monitor
        var network = NetworkOptions()
        network.reliable = !unreliable
        network.longDelays = true
        var config = RaftConfig()
        config.bugs = run.bugs
        config.apply(knobs: run.params)
        connected = Array(repeating: true, count: n)
        sim = SansIOSimulation(count: n, choices: run.choices, trace: run.trace, network: network) {
            id, persister in
            RaftServer(
                id: id, config: config, snapshots: snapshots, snapshotEvery: snapshotEvery,
                monitor: monitor, restoring: persister.state)
        }
        monitor.onViolation = { [unowned sim] v in
            if sim.violation == nil { sim.violation = v }
        }
    }

    /// Virtual now.
    public var now: VirtualTime { sim.now }

    /// Throws the first violation seen so far, if any.
    public func check() throws {
        if let v = sim.violation ?? monitor.violation { throw v }
    }

    /// time.Sleep in virtual time; invariants are checked as events run.
    public func sleep(_ ns: VirtualTime) throws {
        if tasks.isEmpty {
            sim.runFor(ns)
            try check()
        } else {
            try advance(to: now + ns)
        }
    }

    /// Sleep for `ms` milliseconds.
    public func sleep(ms: Int) throws { try sleep(VirtualTime(ms) * Duration.millisecond) }

    /// Fails the run with a harness check named `name`.
    public func fail(_ name: String, _ message: String, events: [TraceLine] = []) -> Violation {
        let v = Violation(name, message, events: events)
        if sim.violation == nil { sim.violation = v }
        return v
    }

    /// A uniformly random integer in `0..<bound` (Go `rand.Int() % bound`).
    public func rand(_ bound: Int, _ label: StaticString = "harness.rand") -> Int {
        choices.below(bound, label)
    }

    /// `GetState()` of server `i`, nil when crashed.
    public func state(_ i: Int) -> (term: Int, isLeader: Bool)? { sim.node(i)?.raft.state }

    /// `rafts[i].Start(cmd)`; nil when crashed.
    @discardableResult
    public func start(_ i: Int, _ cmd: LabCommand) -> (index: Int, term: Int, isLeader: Bool)? {
        sim.withNode(i) { node, ctx in node.start(cmd, ctx) }
    }

    /// Shorthand for an integer command.
    @discardableResult
    public func start(_ i: Int, _ value: Int) -> (index: Int, term: Int, isLeader: Bool)? {
        start(i, LabCommand(value))
    }

    /// Detaches server `i` from the net.
    public func disconnect(_ i: Int) {
        connected[i] = false
        sim.disconnect(i)
    }

    /// Attaches server `i` to the net.
    public func connect(_ i: Int) {
        connected[i] = true
        sim.connect(i)
    }

    /// crash1: disconnect, check that what it acted on is durable, then drop the instance.
    /// The trace says only "crash" for a live server: a crashed server is cut off.
    public func crash1(_ i: Int) {
        guard let node = sim.node(i) else { return disconnect(i) }
        connected[i] = false
        sim.connectivity.disconnect(i)
        monitor.checkDurable(server: i, raft: node.raft, saved: sim.persisters[i].state)
        sim.crash(i)
    }

    /// start1: crash1, then a new instance from a copy of the persister (it ingests the
    /// persisted snapshot itself when booting).
    public func start1(_ i: Int) {
        crash1(i)
        sim.restart(i)
    }

    /// rpcCount(i): requests dispatched to server i.
    public func rpcCount(_ i: Int) -> Int { sim.counters.rpcCount[i] }
    /// bytesTotal(): request plus delivered reply bytes.
    public var bytesTotal: Int { sim.counters.totalBytes }
    /// LogSize(): the largest Raft state size over the persisters.
    public var logSize: Int { sim.persisters.map(\.stateBytes).max() ?? 0 }

    /// Runs the §5.3 log-matching check over the live servers.
    public func checkLogMatching() throws {
        monitor.checkLogMatching((0..<n).map { sim.node($0)?.raft })
        try check()
    }
}

extension RaftHarness {
    /// checkOneLeader: up to 10 rounds of 450–550 ms; at most one leader per term among the
    /// connected servers; returns the leader of the newest term.
    public func checkOneLeader() throws -> Int {
        for _ in 0..<10 {
            try sleep(ms: 450 + choices.below(100, "harness.sleep"))
            var best: (term: Int, leader: Int)?
            for i in 0..<n where connected[i] {
                guard let s = state(i), s.isLeader else { continue }
                for j in 0..<i where connected[j] {
                    if let o = state(j), o.isLeader, o.term == s.term {
                        throw fail(
                            "check-one-leader", "term \(s.term) has 2 (>1) leaders",
                            events: [monitor.lastRoleLine[j], monitor.lastRoleLine[i]])
                    }
                }
                if best == nil || s.term > best!.term { best = (s.term, i) }
            }
            if let b = best { return b.leader }
        }
        throw fail(
            "check-one-leader", "expected one leader, got none",
            events: (0..<n).filter { connected[$0] }.map { monitor.lastRoleLine[$0] }
                .filter { $0 > 0 })
    }

    /// checkTerms: every connected server reports the same term; returns it.
    public func checkTerms() throws -> Int {
        var term = -1
        var first = 0
        for i in 0..<n where connected[i] {
            guard let s = state(i) else { continue }
            if term == -1 {
                (term, first) = (s.term, i)
            } else if term != s.term {
                // A term change is a `role` line (a follower's new term too).
                throw fail(
                    "check-terms", "servers disagree on term (\(term) vs \(s.term))",
                    events: [monitor.lastRoleLine[first], monitor.lastRoleLine[i]].filter { $0 > 0 }
                )
            }
        }
        return term
    }

    /// checkNoLeader: no connected server thinks it is leader.
    public func checkNoLeader() throws {
        for i in 0..<n where connected[i] {
            if let s = state(i), s.isLeader {
                throw fail(
                    "check-no-leader",
                    "expected no leader among connected servers, but \(i) claims to be leader",
                    events: [monitor.lastRoleLine[i]])
            }
        }
    }

    /// nCommitted(index): how many servers applied `index`, and the command (they must agree).
    public func nCommitted(_ index: Int) throws -> (count: Int, command: LabCommand?) {
        try check()
        var count = 0
        var cmd: LabCommand?
        var first = 0
        for i in 0..<n {
            guard let c = monitor.applied(server: i, index: index) else { continue }
            if count > 0, c != cmd {
                throw fail(
                    "committed-values-do-not-match",
                    "committed values do not match: index \(index), \(cmd!), \(c)",
                    events: [
                        monitor.appliedLine(server: first, index: index),
                        monitor.appliedLine(server: i, index: index),
                    ].filter { $0 > 0 })
            }
            if count == 0 { first = i }
            count += 1
            cmd = c
        }
        return (count, cmd)
    }

    /// wait(index, n, startTerm): polls until `count` servers applied `index`; nil when a term
    /// moved past `startTerm` (> -1).
    public func wait(_ index: Int, _ count: Int, _ startTerm: Int) throws -> LabCommand? {
        var toMs = 10
        for _ in 0..<30 {
            if try nCommitted(index).count >= count { break }
            try sleep(ms: toMs)
            if toMs < 1000 { toMs *= 2 }
            if startTerm > -1 {
                for i in 0..<n {
                    if let s = state(i), s.term > startTerm { return nil }
                }
            }
        }
        let (nd, cmd) = try nCommitted(index)
        if nd < count {
            throw fail(
                "wait-too-few-decided", "only \(nd) decided for index \(index); wanted \(count)",
                events: agreementLines(index))
        }
        return cmd
    }

    /// one(cmd, expectedServers, retry): full agreement within 10 s; returns the index.
    @discardableResult
    /// `budgetNs`: how long it tries (config.go's 10 s).
    public func one(
        _ cmd: LabCommand, _ expectedServers: Int, retry: Bool,
        budgetNs: VirtualTime = 10 * Duration.second
    ) throws -> Int {
        let t0 = now
        var starts = 0
        var tried = -1
        while now - t0 < budgetNs {
            var index = -1
            for _ in 0..<n {
                starts = (starts + 1) % n
                if connected[starts], let r = start(starts, cmd), r.isLeader {
                    index = r.index
                    tried = index
                    break
                }
            }
            if index != -1 {
                let t1 = now
                while now - t1 < 2 * Duration.second {
                    let (nd, cmd1) = try nCommitted(index)
                    if nd > 0 && nd >= expectedServers && cmd1 == cmd { return index }
                    try sleep(ms: 20)
                }
                if !retry { throw agreementFailure(cmd, index: tried) }
            } else {
                try sleep(ms: 50)
            }
        }
        throw agreementFailure(cmd, index: tried)
    }

    /// What an agreement on `index` is judged by: the `start` line that put a command there
    /// and the `apply` lines of the servers that applied it (or, with no index ever accepted,
    /// each connected server's last `role` line: no leader took the command).
    func agreementLines(_ index: Int) -> [TraceLine] {
        guard index > 0 else {
            return (0..<n).filter { connected[$0] }.map { monitor.lastRoleLine[$0] }
                .filter { $0 > 0 }
        }
        return ([monitor.startLine(index: index)] + monitor.appliedLines(index: index))
            .filter { $0 > 0 }
    }

    /// one(cmd) failed: cites the last index it was started at (`agreementLines`).
    public func agreementFailure(_ cmd: LabCommand, index: Int) -> Violation {
        fail(
            "one-failed-to-reach-agreement", "one(\(cmd)) failed to reach agreement",
            events: agreementLines(index))
    }

    /// Shorthand for an integer command.
    @discardableResult
    public func one(_ value: Int, _ expectedServers: Int, retry: Bool) throws -> Int {
        try one(LabCommand(value), expectedServers, retry: retry)
    }

    /// A random command value (Go `rand.Int()`), drawn through the choices.
    public func randomValue() -> Int { choices.below(1 << 30, "harness.cmd") }

    /// Ends a port: invariant checks that are too costly per event, then the verdict.
    public func finish() throws {
        try checkLogMatching()
        try check()
    }
}
