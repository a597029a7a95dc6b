// shardctrler/config.go in virtual time: controller servers and clerks in one simulation of
// `CtrlerNode`s, the harness operations the tests use (ShutdownServer, StartServer,
// ConnectAll, Leader, makeClient), synchronous clerk calls for the tests' own steps, the tests'
// `check` and `check_same_config`, and the monitor's invariants on every step (see
// `CtrlerMonitor`). The original harness is always reliable; the fuzz campaign passes its own
// network options and also partitions the servers among themselves.
import DSimCore
import Raft
import ShardCtrler

/// The shardctrler test harness over one simulation.
final class CtrlerHarness {
    /// The simulation (servers are nodes 0..<n, clerk c is node n + c).
    let sim: SansIOSimulation<CtrlerNode>
    /// Which server↔server links are up.
    let links: CtrlerLinks
    /// The clients.
    let workload: CtrlerWorkload
    /// The invariants.
    let monitor: CtrlerMonitor
    /// Number of servers.
    let n: Int
    /// The run's decisions.
    let choices: Choices
    /// The lines a liveness failure cites (a call's progress: a `ctrlerOp` line).
    let witness = LivenessWitness(progress: ["ctrlerOp"])
    /// How long the harness waits for one synchronous clerk call before calling it a liveness
    /// failure (the originals wait forever, up to the 120 s test limit).
    static let callBudgetNs = 60 * Duration.second
    /// Each configuration a synchronous Query returned, with its `ctrlerOp` line, in call
    /// order: a check of a configuration cites the Query that returned it.
    private var queried: [(config: ShardConfig, line: TraceLine)] = []

    /// make_config(n, unreliable) with `clerks` clerks.
    init(_ ctx: RunContext, servers n: Int, clerks: Int, network: NetworkOptions = .init()) {
        precondition(n >= 1 && clerks >= 1, "servers \(n), clerks \(clerks)")
        self.n = n
        choices = ctx.choices
        let links = CtrlerLinks(servers: n)
        self.links = links
        let monitor = CtrlerMonitor(servers: n)
        self.monitor = monitor
        let workload = CtrlerWorkload(
            clerks: clerks, firstNode: n, monitor: monitor, trace: ctx.trace,
            choices: ctx.choices)
        self.workload = workload
        let bugs = CtrlerBugs(names: ctx.planted)
        let peers = Array(0..<n)
        let retryNs = VirtualTime(ctx.int("clerkRetryMs", 100)) * Duration.millisecond
        var raftConfig = RaftConfig()
        raftConfig.apply(knobs: ctx.params)
        sim = SansIOSimulation(
            count: n + clerks, choices: ctx.choices, trace: ctx.trace, network: network
        ) { id, persister in
            if id < n {
                let s = CtrlerServer<CtrlerNodeBinding>(
                    me: id, peers: peers, bugs: bugs, raftConfig: raftConfig,
                    restoring: persister.state)
                return CtrlerNode(server: s, links: links, observer: monitor)
            }
            let c = CtrlerClerk<CtrlerNodeBinding>(clientId: id, servers: peers, retryNs: retryNs)
            return CtrlerNode(clerk: c, index: id - n, driver: workload, links: links)
        }
        monitor.sim = sim
        witness.attach(to: sim)
        workload.witness = witness
    }

    /// Virtual now.
    var now: VirtualTime { sim.now }

    /// Throws the first violation seen so far.
    func check() throws {
        if let v = sim.violation ?? monitor.violation { throw v }
    }

    /// time.Sleep in virtual time.
    func sleep(ms: Int) throws {
        sim.runFor(VirtualTime(ms) * Duration.millisecond)
        try check()
    }

    /// Fails the run with check `name`, citing `events` (0s dropped) and the Query lines that
    /// returned `configs` (the configurations the check judged).
    func fail(
        _ name: String, _ message: String, events: [TraceLine] = [], configs: [ShardConfig] = []
    ) -> Violation {
        let lines = events + configs.map(queryLine(of:))
        let v = Violation(name, message, events: lines.filter { $0 > 0 })
        if sim.violation == nil { sim.violation = v }
        return v
    }

    /// The `ctrlerOp` line of the last synchronous Query that returned `config` (0: none).
    func queryLine(of config: ShardConfig) -> TraceLine {
        queried.last { $0.config == config }?.line ?? 0
    }

    /// Fails the run with a `liveness` violation: clerks `clerks` never got their answer.
    /// Cites the witness's lines (`LivenessWitness`).
    func livenessFailure(_ message: String, clerks: [Int]) -> Violation {
        let v = witness.violation(
            "liveness", message, waiting: clerks.map { (n + $0, workload.doing($0)) },
            trace: sim.trace, now: now)
        if sim.violation == nil { sim.violation = v }
        return v
    }

    /// Wakes clerk `c` so it looks for work.
    func kick(_ c: Int) {
        sim.withNode(n + c) { node, ctx in node.poll(ctx) }
    }

    /// Clerk `c` performs `op`; the harness waits for it (a Go test's synchronous call) and
    /// fails the run when it does not complete within the call budget.
    @discardableResult
    func call(_ c: Int, _ op: CtrlerOp) throws -> CtrlerCompletion {
        let target = workload.clerks[c].completed + 1
        precondition(workload.clerks[c].current == nil, "clerk \(c) is busy")
        workload.clerks[c].script.append(op)
        kick(c)
        let done = sim.run(for: Self.callBudgetNs) { [workload] in
            workload.clerks[c].completed >= target
        }
        try check()
        guard done, let last = workload.clerks[c].last else {
            throw livenessFailure(
                "clerk \(c): \(op.name) did not complete within \(formatTime(Self.callBudgetNs))",
                clerks: [c])
        }
        return last
    }

    /// ck.Query(num) through clerk `c`.
    func query(_ c: Int, _ num: Int) throws -> ShardConfig {
        guard let cfg = try call(c, .query(num)).config else {
            throw fail(
                "query-consistency", "Query(\(num)) returned no configuration",
                events: [workload.lastLines[c]])
        }
        queried.append((cfg, workload.lastLines[c]))
        return cfg
    }

    /// ck.Join(groups) through clerk `c`.
    func join(_ c: Int, _ groups: [(Int, [String])]) throws {
        try call(c, .join(groups.map { ShardGroup(gid: $0.0, servers: $0.1) }))
    }

    /// ck.Leave(gids) through clerk `c`.
    func leave(_ c: Int, _ gids: [Int]) throws { try call(c, .leave(gids)) }

    /// ck.Move(shard, gid) through clerk `c`.
    func move(_ c: Int, _ shard: Int, _ gid: Int) throws {
        try call(c, .move(shard: shard, gid: gid))
    }

    /// Runs until no clerk has work left, or fails after `budgetNs`.
    func waitClientsDone(budgetNs: VirtualTime = callBudgetNs) throws {
        let done = sim.run(for: budgetNs) { [workload] in workload.isQuiet }
        try check()
        if !done {
            let busy = workload.clerks.indices.filter { workload.clerks[$0].current != nil }
            throw livenessFailure(
                "clerks \(busy) still had operations in flight after \(formatTime(budgetNs))",
                clerks: busy)
        }
    }
}

extension CtrlerHarness {
    /// ShutdownServer(i): its memory is gone, its persister survives.
    func shutdownServer(_ i: Int) {
        sim.withNode(i) { node, ctx in node.server!.writeBack(ctx) }
        sim.crash(i)
    }

    /// StartServer(i): a new incarnation from a copy of its persister.
    func startServer(_ i: Int) { sim.restart(i) }

    /// Servers talk only within their group; clerks reach every server.
    func partition(_ groups: [[Int]]) {
        for (g, members) in groups.enumerated() { for s in members { links.serverGroup[s] = g } }
        sim.trace.observe(
            "partition", node: nil,
            [("groups", .array(groups.map { .array($0.map { .int(Int64($0)) }) }))])
    }

    /// ConnectAll: every server reaches every server.
    func connectAll() {
        for s in 0..<n { links.serverGroup[s] = 0 }
        sim.trace.observe("heal", node: nil)
    }

    /// cfg.Leader(): the first live server that claims to be leader, if any.
    func leader() -> Int? {
        (0..<n).first { sim.node($0)?.server?.raft.state.isLeader == true }
    }

    /// The live servers' configuration sequences.
    func serverConfigs() -> [(id: Int, configs: [ShardConfig])] {
        (0..<n).compactMap { i in sim.node(i)?.server.map { (i, $0.state.configs) } }
    }

    /// The tests' check(groups, ck): Query(-1) through clerk `c` has exactly `groups`, every
    /// shard on one of them (when there are any), and max − min ≤ 1.
    func checkGroups(_ c: Int, _ groups: [Int]) throws {
        let cfg = try query(c, -1)
        if cfg.groups.count != groups.count {
            throw fail(
                "check", "wanted \(groups.count) groups, got \(cfg.groups.count)",
                configs: [cfg])
        }
        for g in groups where cfg.servers(of: g) == nil {
            throw fail("check", "missing group \(g)", configs: [cfg])
        }
        if !groups.isEmpty {
            for (s, g) in cfg.shards.enumerated() where cfg.servers(of: g) == nil {
                throw fail("check", "shard \(s) -> invalid group \(g)", configs: [cfg])
            }
        }
        let counts = cfg.shardCounts.map(\.count)
        if let hi = counts.max(), let lo = counts.min(), hi > lo + 1 {
            throw fail("check", "max \(hi) too much larger than min \(lo)", configs: [cfg])
        }
    }

    /// check_same_config(c1, c2): Num, Shards and Groups (server lists in order) equal.
    func checkSameConfig(_ a: ShardConfig, _ b: ShardConfig) throws {
        if a.num != b.num { throw fail("check-same-config", "Num wrong", configs: [a, b]) }
        if a.shards != b.shards {
            throw fail("check-same-config", "Shards wrong", configs: [a, b])
        }
        if a.groups.count != b.groups.count {
            throw fail("check-same-config", "number of Groups is wrong", configs: [a, b])
        }
        for g in a.groups {
            guard let other = b.servers(of: g.gid), other.count == g.servers.count else {
                throw fail("check-same-config", "len(Groups) wrong", configs: [a, b])
            }
            if other != g.servers {
                throw fail("check-same-config", "Groups wrong", configs: [a, b])
            }
        }
    }

    /// Runs the scenario body; any violation (the body's or the monitor's) is the verdict.
    func verdict(_ body: () throws -> Void) -> DSimCore.Verdict {
        do {
            try body()
            try check()
        } catch let v as Violation {
            return .violation(v)
        } catch {
            return .violation(Violation("harness-error", "\(error)"))
        }
        return .ok
    }
}
