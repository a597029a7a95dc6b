// shardkv/config.go in virtual time: the controller's 3 servers, 3 replica groups (gid 100,
// 101, 102) of `n` servers each, the test's controller clerk (`mck`) and the clerks, all
// `ShardKVNode`s on one labrpc network (`Reliable(!unreliable)` for everything; no partitions,
// no long delays — the fuzz campaign adds those). Node layout, in id order:
//
//   controller set k (k < ctrlerSets): 3 servers     (TestRejection5A starts a second set)
//   group gi, server i: firstGroupNode + gi×n + i
//   administrator of controller set k              (join/leave/joinm/leavem/query)
//   clerk c                                        (clerk c asks controller set clerkSet[c])
//
// Harness operations: join/leave/joinm/leavem, ShutdownServer/StartServer/ShutdownGroup/
// StartGroup (a shutdown writes the server's state back, then crashes it: its persister
// survives, a restart gets a copy), checklogs, and the shared client calls and checks of
// `KVClientHarness` (config.go's check(ck, k, v) is `checkValue`).
import DSimCheck
import DSimCore
import KVRaft
import Raft
import ShardCtrler
import ShardKV

/// The shardkv test harness over one simulation.
final class ShardKVHarness: KVClientHarness {
    /// The simulation.
    let sim: SansIOSimulation<ShardKVNode>
    /// The clients and the history.
    let workload: KVWorkload
    /// Server names → nodes.
    let directory = ShardKVDirectory()
    /// Servers per group.
    let n: Int
    /// Number of groups.
    let groups: Int
    /// Controller sets (1, or 2 for TestRejection5A).
    let ctrlerSets: Int
    /// maxraftstate of the group servers (-1: no snapshots).
    let maxRaftState: Int
    /// The run's decisions.
    let choices: Choices
    /// The node maker (its client-id counter is part of the explored world).
    let factory: ShardKVNodeFactory
    /// Servers per controller set.
    static let ctrlerServers = 3
    /// The lines a liveness failure cites (progress: a clerk's `op`, the administrator's
    /// `ctrler`) and the `groupConfig` lines `config-agreement` compares.
    let witness = LivenessWitness(progress: ["op", "ctrler"])
    /// Each configuration number a group server was seen in, with that configuration, the
    /// first server seen in it and the `groupConfig` line where it moved there (0: unknown, e.g.
    /// it came with a snapshot).
    var seenConfigs: [Int: (config: ShardConfig, gi: Int, i: Int, line: TraceLine)] = [:]
    /// How long a synchronous call or the clients' drain may take (the fuzz scenario sets its
    /// liveness window here).
    var callBudgetNs = kvCallBudgetNs
    /// The gid of group 0 (100 in the originals; the fuzz draws others).
    let gidBase: Int
    /// The gid of group gi.
    func gid(_ gi: Int) -> Int { gidBase + gi }

    /// make_config(n, unreliable, maxraftstate) with `clerks` clerks; clerk c asks controller
    /// set `clerkSet(c)`.
    init(
        _ ctx: RunContext, n: Int = 3, groups: Int = 3, clerks: Int, unreliable: Bool,
        maxRaftState: Int, ctrlerSets: Int = 1, clerkSet: @escaping (Int) -> Int = { _ in 0 },
        network: NetworkOptions? = nil, gidBase: Int = 100
    ) {
        precondition(
            n >= 1 && groups >= 1 && clerks >= 1, "n \(n) groups \(groups) clerks \(clerks)")
        self.n = n
        self.groups = groups
        self.ctrlerSets = ctrlerSets
        self.maxRaftState = maxRaftState
        self.gidBase = gidBase
        choices = ctx.choices
        let factory = ShardKVNodeFactory(
            ctx, n: n, groups: groups, clerks: clerks, ctrlerSets: ctrlerSets,
            maxRaftState: maxRaftState, gidBase: gidBase, clerkSet: clerkSet,
            directory: directory)
        workload = factory.workload
        self.factory = factory
        var net = network ?? NetworkOptions()
        if network == nil { net.reliable = !unreliable }
        sim = SansIOSimulation(
            count: factory.nodeCount, choices: ctx.choices, trace: ctx.trace, network: net,
            make: factory.make)
        witness.attach(to: sim)
        workload.witness = witness
    }

    /// Virtual now.
    var now: VirtualTime { sim.now }
    /// Node id of group gi's server i.
    func node(_ gi: Int, _ i: Int) -> NodeID { Self.ctrlerServers * ctrlerSets + gi * n + i }
    /// Node id of controller set k's administrator.
    func adminNode(_ k: Int) -> NodeID { node(groups, 0) + k }

    /// The simulation's first violation.
    var simViolation: Violation? {
        get { sim.violation }
        set { sim.violation = newValue }
    }

    /// Wakes clerk `c` so it looks for work.
    func kick(_ c: Int) {
        sim.withNode(workload.firstNode + c) { node, ctx in node.clerk!.poll(ctx) }
    }

    /// Runs the simulation until `condition` holds or `timeout` passes.
    func run(for timeout: VirtualTime, until condition: () -> Bool) -> Bool {
        sim.run(for: timeout, until: condition)
    }

    /// time.Sleep in virtual time (then the configuration-agreement checkpoint).
    func sleep(ms: Int) throws {
        sim.runFor(VirtualTime(ms) * Duration.millisecond)
        checkConfigAgreement()
        try check()
    }

    /// Invariant `config-agreement`: every group server that is in configuration N is in the
    /// same configuration N (groups must see one sequence of configurations, or two groups
    /// serve one shard, or one waits forever for a shard nobody offers). Checked at the
    /// harness's checkpoints; `seenConfigs` is looked up by number only. Cites the two
    /// servers' `groupConfig` lines, which the witness keeps outside the node values.
    func checkConfigAgreement() {
        for gi in 0..<groups {
            for i in 0..<n {
                guard let c = sim.node(node(gi, i))?.server?.state.config else { continue }
                let moved = witness.lastGroupConfig[node(gi, i)]
                let line = moved?.num == c.num ? moved!.line : 0
                guard let seen = seenConfigs[c.num] else {
                    seenConfigs[c.num] = (c, gi, i, line)
                    continue
                }
                if seen.config != c {
                    let v = Violation(
                        "config-agreement",
                        "gid \(gid(gi)) server \(i) is in configuration \(c.num) \(c.shards), "
                            + "gid \(gid(seen.gi)) server \(seen.i) was in \(c.num) \(seen.config.shards)",
                        events: [seen.line, line].filter { $0 > 0 }.sorted())
                    if simViolation == nil { simViolation = v }
                    return
                }
            }
        }
    }

    /// A harness random number in `0..<bound`.
    func rand(_ bound: Int) -> Int { choices.below(bound, "skv.harness") }

    /// randstring(n): `n` random characters.
    func randString(_ count: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<count).map { _ in letters[choices.below(letters.count, "skv.rand")] })
    }
}

extension ShardKVHarness {
    /// The controller operation `op` through administrator `k`, synchronously (the test's
    /// `mck`); returns a Query's configuration.
    @discardableResult
    func ctrler(_ op: CtrlerOp, set k: Int = 0) throws -> ShardConfig? {
        let a = adminNode(k)
        var result: ShardConfig?
        let line = sim.trace.observe("call", node: a, [("op", .string(op.name))])
        witness.began(node: a, line: line, time: now)
        sim.withNode(a) { node, ctx in node.ctrlerClerk!.call(op, ctx) }
        let target = sim.node(a)!.ctrlerClerk!.seq
        let done = sim.run(for: callBudgetNs) { [sim] in
            guard let c = sim.node(a)?.ctrlerClerk, c.isIdle, c.seq == target else { return false }
            return true
        }
        try check()
        guard done else {
            throw livenessFailure(
                "controller \(op.name) did not complete in \(formatTime(callBudgetNs))",
                waiting: [(a, "controller \(op.name)")])
        }
        if case .query = op { result = sim.node(a)!.lastConfig }
        sim.trace.observe("ctrler", node: a, [("op", .string(op.name))])
        return result
    }

    /// The group of gid `gid`'s servers, as the test joins it.
    func group(_ gi: Int) -> ShardGroup {
        ShardGroup(
            gid: gid(gi),
            servers: (0..<n).map { ShardKVDirectory.serverName(gid: gid(gi), $0) })
    }

    /// join(gi).
    func join(_ gi: Int, set k: Int = 0) throws { try joinm([gi], set: k) }
    /// joinm(gis): one Join of several groups.
    func joinm(_ gis: [Int], set k: Int = 0) throws { try ctrler(.join(gis.map(group)), set: k) }
    /// leave(gi).
    func leave(_ gi: Int) throws { try leavem([gi]) }
    /// leavem(gis): one Leave of several groups.
    func leavem(_ gis: [Int]) throws { try ctrler(.leave(gis.map(gid))) }
    /// mck.Query(-1).
    func queryLatest() throws -> ShardConfig { try ctrler(.query(-1))! }

    /// ShutdownServer(gi, i): its memory is gone, its persister survives.
    func shutdownServer(_ gi: Int, _ i: Int) {
        let id = node(gi, i)
        sim.withNode(id) { node, ctx in node.writeBack(ctx) }
        sim.crash(id)
    }

    /// StartServer(gi, i): a new incarnation from a copy of its persister.
    func startServer(_ gi: Int, _ i: Int) { sim.restart(node(gi, i)) }

    /// ShutdownGroup(gi).
    func shutdownGroup(_ gi: Int) { for i in 0..<n { shutdownServer(gi, i) } }
    /// StartGroup(gi).
    func startGroup(_ gi: Int) { for i in 0..<n { startServer(gi, i) } }

    /// Each group server's configuration, role and shard statuses (for liveness failures).
    var diagnostics: String {
        var lines: [String] = []
        for gi in 0..<groups {
            for i in 0..<n {
                guard let s = sim.node(node(gi, i))?.server else {
                    lines.append("gid \(gid(gi)) server \(i): down")
                    continue
                }
                let st = s.state
                let shards = (0..<shardCount).map { "\($0):\(st.shards[$0].status.name)" }
                lines.append(
                    "gid \(gid(gi)) server \(i): config \(st.config.num) \(st.config.shards)"
                        + (s.isLeader ? " leader" : "") + " " + shards.joined(separator: " "))
            }
        }
        return "\n" + lines.joined(separator: "\n")
    }

    /// Writes every live server's durable state to its persister.
    func writeBackAll() {
        for id in 0..<adminNode(0) { sim.withNode(id) { node, ctx in node.writeBack(ctx) } }
    }

    /// checklogs(): with maxraftstate ≥ 0 every group server's Raft state is at most
    /// 8×maxraftstate (with `allowingUncommitted`, the fuzz's: plus what it does not know
    /// committed, `uncommittedBytes`); with maxraftstate < 0 no server has a snapshot.
    func checkLogs(allowingUncommitted: Bool = false) throws {
        writeBackAll()
        for gi in 0..<groups {
            for i in 0..<n {
                let p = sim.persisters[node(gi, i)]
                let uncommitted = allowingUncommitted ? uncommittedBytes(gi, i) : 0
                if maxRaftState >= 0 && p.stateBytes > 8 * maxRaftState + uncommitted {
                    throw fail(
                        "logs-not-trimmed",
                        "persister.RaftStateSize() \(p.stateBytes), but maxraftstate \(maxRaftState)"
                            + (allowingUncommitted
                                ? " (\(uncommitted) bytes not known committed)" : ""),
                        events: [persistedLine(gi, i)])
                }
                if maxRaftState < 0 && p.snapshotBytes > 0 {
                    throw fail(
                        "unexpected-snapshot", "maxraftstate is -1, but snapshot is non-empty!",
                        events: [persistedLine(gi, i)])
                }
            }
        }
    }

    /// Writes what checklogs() measured of server `i` of group `gi` as one `persisted` line
    /// (persister sizes are not otherwise trace lines) and returns it: the line a failed size
    /// check cites. Written only then, so passing runs keep their lines.
    func persistedLine(_ gi: Int, _ i: Int) -> TraceLine {
        let p = sim.persisters[node(gi, i)]
        return sim.trace.observe(
            "persisted", node: node(gi, i),
            [
                ("raftState", .int(Int64(p.stateBytes))),
                ("snapshot", .int(Int64(p.snapshotBytes))),
            ])
    }

    /// The bytes of the entries server `i` of group `gi` holds but does not know committed: no
    /// snapshot can cover them yet (a group healed just before the end still holds what it
    /// took in while cut off, until a leader of the majority replaces or commits it).
    func uncommittedBytes(_ gi: Int, _ i: Int) -> Int {
        guard let raft = sim.node(node(gi, i))?.server?.host.raft else { return 0 }
        let from = max(raft.commitIndex, raft.log.snapshotIndex) + 1
        guard from <= raft.log.lastIndex else { return 0 }
        return (from...raft.log.lastIndex).reduce(0) { $0 + raft.log.entry(at: $1).sizeBytes }
    }

    /// Σ RaftStateSize + len(snapshot) over every group server (TestChallenge1Delete).
    func totalStateBytes() -> Int {
        writeBackAll()
        var total = 0
        for gi in 0..<groups {
            for i in 0..<n {
                let p = sim.persisters[node(gi, i)]
                total += p.stateBytes + p.snapshotBytes
            }
        }
        return total
    }

    /// Clerk `c` starts generating operations with `generator` (a test's client goroutine).
    func startClients(_ clerks: Range<Int>, _ generator: @escaping (Int) -> KVOperation) {
        workload.stop = false
        workload.generator = generator
        for c in clerks {
            workload.clerks[c].isGenerating = true
            kick(c)
        }
    }
}
