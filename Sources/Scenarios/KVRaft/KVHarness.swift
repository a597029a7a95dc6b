// kvraft/config.go in virtual time: servers and clerks in one simulation of `KVNode`s, the
// harness operations the tests use (ShutdownServer, StartServer, partition, ConnectAll,
// makeClient(subset), LogSize, SnapshotSize), synchronous clerk calls for the test's own
// steps, and the end-of-run checks (shared with shardkv: `KVClientHarness`).
import DSimCheck
import DSimCore
import KVRaft
import Raft

/// The kvraft test harness over one simulation.
final class KVHarness: KVClientHarness {
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
    /// The lines a liveness failure cites (a call's progress: an `op` line).
    let witness = LivenessWitness(progress: ["op"])
    /// Go's electionTimeout in the kvraft tests.
    static let electionTimeoutNs = Duration.second

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
        raftConfig.apply(knobs: ctx.params)
        let retryNs = VirtualTime(ctx.int("clerkRetryMs", 100)) * Duration.millisecond
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
                index: id - n, clientId: id, servers: n, retryNs: retryNs,
                driver: workload)
            return KVNode(clerk: c, links: links)
        }
        witness.attach(to: sim)
        workload.witness = witness
    }

    /// Virtual now.
    var now: VirtualTime { sim.now }

    /// The simulation's first violation.
    var simViolation: Violation? {
        get { sim.violation }
        set { sim.violation = newValue }
    }

    /// time.Sleep in virtual time.
    func sleep(ms: Int) throws {
        sim.runFor(VirtualTime(ms) * Duration.millisecond)
        try check()
    }

    /// A harness random number in `0..<bound`.
    func rand(_ bound: Int) -> Int { choices.below(bound, "kv.harness") }

    /// Wakes clerk `c` so it looks for work.
    func kick(_ c: Int) {
        sim.withNode(n + c) { node, ctx in node.clerk!.poll(ctx) }
    }

    /// Runs the simulation until `condition` holds or `timeout` passes.
    func run(for timeout: VirtualTime, until condition: () -> Bool) -> Bool {
        sim.run(for: timeout, until: condition)
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

    /// Writes what LogSize/SnapshotSize measured, per server, as one `persisted` line (Raft
    /// state and snapshot bytes are not otherwise trace lines) and returns it: the line a
    /// failed size check cites. Written only then, so passing runs keep their lines.
    func persistedLine() -> TraceLine {
        writeBackAll()
        let servers: [JSON] = (0..<n).map { i in
            .object([
                ("server", .int(Int64(i))),
                ("raftState", .int(Int64(sim.persisters[i].stateBytes))),
                ("snapshot", .int(Int64(sim.persisters[i].snapshotBytes))),
            ])
        }
        return sim.trace.observe("persisted", node: nil, [("servers", .array(servers))])
    }

    /// Fails the run with a size check: cites the `persisted` line of what was measured.
    func sizeFailure(_ name: String, _ message: String) -> Violation {
        fail(name, message, events: [persistedLine()])
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
