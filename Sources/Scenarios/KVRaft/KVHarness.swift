// kvraft/config.go in virtual time: servers and clerks in one simulation of `KVNode`s, the
// harness operations the tests use (ShutdownServer, StartServer, partition, ConnectAll,
// makeClient(subset), LogSize, SnapshotSize), synchronous clerk calls for the test's own
// steps, and the end-of-run checks: the history is checked with the kv model (per key), an
// illegal history is a `linearizability` violation naming the operations that cannot be
// placed, and a checker timeout is `unknown`, never ok.
import DSimCheck
import DSimCore
import KVRaft
import Raft

/// The kvraft test harness over one simulation.
final class KVHarness {
    /// The simulation (servers are nodes 0..<n, clerk c is node n + c).
    let sim: SansIOSimulation<KVNode>
    /// Who can reach whom.
    let links: KVLinks
    /// The clients and the history.
    let workload: KVWorkload
    /// Number of servers.
    let n: Int
    /// maxraftstate (-1: no snapshots).
    let maxRaftState: Int
    /// The run's decisions.
    let choices: Choices
    /// Go's electionTimeout in the kvraft tests.
    static let electionTimeoutNs = Duration.second
    /// How long the harness waits for one synchronous clerk call before calling it a liveness
    /// failure (the originals wait forever, up to the 120 s test limit).
    static let callBudgetNs = 60 * Duration.second

    /// make_config(n, unreliable, maxraftstate) with `clerks` clerks.
    init(
        _ ctx: RunContext, servers n: Int, clerks: Int, unreliable: Bool, maxRaftState: Int,
        network: NetworkOptions? = nil
    ) {
        precondition(n >= 1 && clerks >= 1, "servers \(n), clerks \(clerks)")
        self.n = n
        self.maxRaftState = maxRaftState
        choices = ctx.choices
        let links = KVLinks(servers: n, clerks: clerks)
        self.links = links
        let workload = KVWorkload(
            clerks: clerks, firstNode: n, trace: ctx.trace, choices: ctx.choices)
        self.workload = workload
        var net = network ?? NetworkOptions()
        if network == nil { net.reliable = !unreliable }
        let bugs = KVBugs(names: ctx.planted)
        var raftConfig = RaftConfig()
        raftConfig.bugs = RaftBugs(names: ctx.planted)
        sim = SansIOSimulation(
            count: n + clerks, choices: ctx.choices, trace: ctx.trace, network: net
        ) {
            id, persister in
            if id < n {
                let s = KVServer(
                    id: id, servers: n, maxRaftState: maxRaftState, bugs: bugs,
                    raftConfig: raftConfig,
                    restoring: persister.state)
                return KVNode(server: s, links: links)
            }
            let c = KVClerk(
                index: id - n, clientId: id, servers: n, retryNs: 100 * Duration.millisecond,
                driver: workload)
            return KVNode(clerk: c, links: links)
        }
    }

    /// Virtual now.
    var now: VirtualTime { sim.now }
    /// Number of clerks.
    var clerkCount: Int { workload.clerks.count }

    /// Throws the first violation seen so far.
    func check() throws {
        if let v = sim.violation ?? workload.violation { throw v }
    }

    /// time.Sleep in virtual time.
    func sleep(ms: Int) throws {
        sim.runFor(VirtualTime(ms) * Duration.millisecond)
        try check()
    }

    /// Fails the run with check `name`.
    func fail(_ name: String, _ message: String) -> Violation {
        let v = Violation(name, message)
        if sim.violation == nil { sim.violation = v }
        return v
    }

    /// A harness random number in `0..<bound`.
    func rand(_ bound: Int) -> Int { choices.below(bound, "kv.harness") }

    /// Wakes clerk `c` so it looks for work.
    func kick(_ c: Int) {
        sim.withNode(n + c) { node, ctx in node.clerk!.poll(ctx) }
    }

    /// Queues `op` on clerk `c` and starts it when the clerk is free (a goroutine's call).
    func start(_ c: Int, _ op: KVOperation) {
        workload.clerks[c].script.append(op)
        kick(c)
    }

    /// Clerk `c` performs `op` and the harness waits for it up to `timeoutNs`; returns its
    /// value, or nil when it did not complete in time.
    func perform(_ c: Int, _ op: KVOperation, timeoutNs: VirtualTime = callBudgetNs) throws
        -> String?
    {
        let target =
            workload.clerks[c].completed + workload.clerks[c].script.count
            - workload.clerks[c].head + (workload.clerks[c].current == nil ? 0 : 1) + 1
        start(c, op)
        let done = sim.run(for: timeoutNs) { [workload] in workload.clerks[c].completed >= target }
        try check()
        return done ? workload.clerks[c].lastValue : nil
    }

    /// A synchronous call that must complete within the call budget.
    @discardableResult
    func call(_ c: Int, _ op: KVOperation) throws -> String {
        guard let v = try perform(c, op) else {
            throw fail(
                "liveness",
                "clerk \(c): \(op.op.name)(\(op.key)) did not complete within \(formatTime(Self.callBudgetNs))"
            )
        }
        return v
    }

    /// Get through clerk `c`.
    func get(_ c: Int, _ key: String) throws -> String { try call(c, KVOperation(.get, key)) }
    /// Put through clerk `c`.
    func put(_ c: Int, _ key: String, _ value: String) throws {
        try call(c, KVOperation(.put, key, value))
    }
    /// Append through clerk `c`.
    func append(_ c: Int, _ key: String, _ value: String) throws {
        try call(c, KVOperation(.append, key, value))
    }

    /// config.go `check`: Get(key) through clerk `c` must be `expected`.
    func checkValue(_ c: Int, _ key: String, _ expected: String) throws {
        let v = try get(c, key)
        if v != expected {
            throw fail("get-wrong-value", "Get(\(key)): expected:\n\(expected)\nreceived:\n\(v)")
        }
    }

    /// Runs until no clerk has work left, or fails after `budgetNs`.
    func waitClientsDone(budgetNs: VirtualTime = callBudgetNs) throws {
        let done = sim.run(for: budgetNs) { [workload] in workload.isQuiet }
        try check()
        if !done {
            let busy = workload.clerks.indices.filter { workload.clerks[$0].current != nil }
            throw fail(
                "liveness",
                "clerks \(busy) still had operations in flight after \(formatTime(budgetNs))")
        }
    }
}

extension KVHarness {
    /// ShutdownServer(i): its memory is gone, its persister survives.
    func shutdownServer(_ i: Int) {
        sim.withNode(i) { node, ctx in node.server!.writeBack(ctx) }
        sim.crash(i)
    }

    /// Writes every live server's durable state to its persister (see `KVServer.writeBack`).
    func writeBackAll() {
        for i in 0..<n { sim.withNode(i) { node, ctx in node.server!.writeBack(ctx) } }
    }

    /// StartServer(i): a new incarnation from a copy of its persister.
    func startServer(_ i: Int) { sim.restart(i) }

    /// partition(p1, p2): servers talk only within their group; clerks are not affected.
    func partition(_ groups: [[Int]]) {
        for (g, members) in groups.enumerated() { for s in members { links.serverGroup[s] = g } }
        sim.trace.observe(
            "partition", node: nil,
            [("groups", .array(groups.map { .array($0.map { .int(Int64($0)) }) }))])
    }

    /// ConnectAll: every server reaches every server, every clerk every server.
    func connectAll() {
        for s in 0..<n { links.serverGroup[s] = 0 }
        for c in links.clerkMask.indices { links.clerkMask[c] = KVLinks.all(n) }
        sim.trace.observe("heal", node: nil)
    }

    /// makeClient(subset) / ConnectClient: clerk `c` reaches only `servers`.
    func connectClient(_ c: Int, to servers: [Int]) {
        var mask: UInt64 = 0
        for s in servers { mask |= 1 << UInt64(s) }
        links.clerkMask[c] = mask
        sim.trace.observe(
            "clientLinks", node: n + c, [("servers", .array(servers.map { .int(Int64($0)) }))])
    }

    /// LogSize(): the largest persisted Raft state over the servers.
    func logSize() -> Int {
        writeBackAll()
        return (0..<n).map { sim.persisters[$0].stateBytes }.max() ?? 0
    }

    /// SnapshotSize(): the largest snapshot over the servers.
    func snapshotSize() -> Int {
        writeBackAll()
        return (0..<n).map { sim.persisters[$0].snapshotBytes }.max() ?? 0
    }

    /// The leader a test can see (highest term among live servers), if any.
    func leader() -> Int? {
        var best: (term: Int, id: Int)?
        for i in 0..<n {
            guard let s = sim.node(i)?.server, s.raft.state.isLeader else { continue }
            if best == nil || s.raft.currentTerm > best!.term { best = (s.raft.currentTerm, i) }
        }
        return best?.id
    }
}
