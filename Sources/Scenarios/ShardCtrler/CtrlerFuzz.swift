// The shardctrler fuzz campaign (swarm testing). Each seed draws its world: 3 or 5 controller
// servers, 1–6 clerks, think time, a network fault mix (`NetworkOptions.swarm`), and whether
// servers crash and restart and whether they are partitioned, and how often, and whether the
// clerks start during the first election or once a leader exists. Each clerk owns
// six gids (clerk c: 100(c+1)+1 …) and issues random Joins of 1–2 of its absent gids (30%),
// Leaves of 1–2 present ones (20%), Moves of a random shard to one of its present gids (15%)
// and Queries (35%: half Query(-1), half Query(n) for n up to two past the newest it saw) —
// owning its gids, a clerk knows exactly which are in the configuration, so every Join adds
// new groups and every Leave removes present ones. After the fault phase every fault is
// healed and every server restarted; the clerks must finish within 60 s, clerk 0's final
// Query(-1) must return, and every server must then hold the same configuration sequence as
// the replay of the committed log. The monitor (`CtrlerMonitor`) checks every step.
//
// Spec parameters (all optional; drawn when absent): servers, clients, seconds (fault phase,
// default 5), crashes, partitions (booleans), lostMajority (a majority crashed for good at the
// heal: a liveness violation on purpose).
import DSimCore
import ShardCtrler

/// The shardctrler fuzz scenario.
enum CtrlerFuzz {
    /// One seed's world.
    struct World {
        var servers: Int
        var clients: Int
        var seconds: Int
        var crashes: Bool
        var partitions: Bool
        var faultGapMs: Int
        var thinkMaxMs: Int
        /// Clerks start at once, while the first election is under way (their requests go
        /// round the servers, refused), or (0, the shrinker's simplest answer) once a leader
        /// exists.
        var startsEagerly: Bool
        /// `lostMajority`: at the heal a majority of the servers crash and stay down, so the
        /// run must end in a liveness violation (to see what one reports). Never drawn.
        var lostMajority = false
    }

    /// Gids a clerk owns.
    static let gidsPerClerk = 6

    /// Draws the world (spec parameters win over draws).
    static func world(_ ctx: RunContext) -> World {
        let c = ctx.choices
        return World(
            servers: ctx.int("servers", [3, 5][c.below(2, "fuzz.servers")]),
            clients: ctx.int("clients", c.between(1, 6, "fuzz.clients")),
            seconds: ctx.int("seconds", 5),
            crashes: ctx.bool("crashes", c.chance(1, in: 2, "fuzz.crashes")),
            partitions: ctx.bool("partitions", c.chance(1, in: 2, "fuzz.partitions")),
            faultGapMs: c.between(100, 2000, "fuzz.faultgap"),
            thinkMaxMs: c.between(0, 50, "fuzz.think"),
            startsEagerly: c.chance(1, in: 2, "fuzz.eager"),
            lostMajority: ctx.bool("lostMajority", false))
    }

    /// What one clerk knows: its gids in the configuration, the newest number it saw.
    struct ClerkView {
        var present: [Int] = []
        var newest = 0
    }

    /// Runs one seed.
    static func run(_ ctx: RunContext) -> DSimCore.Verdict {
        let w = world(ctx)
        let network = NetworkOptions.swarm(ctx.choices)
        let h = CtrlerHarness(ctx, servers: w.servers, clerks: w.clients, network: network)
        ctx.trace.observe(
            "world", node: nil,
            [
                ("servers", .int(Int64(w.servers))), ("clients", .int(Int64(w.clients))),
                ("crashes", .bool(w.crashes)), ("partitions", .bool(w.partitions)),
                ("network", network.json),
            ])
        var views = Array(repeating: ClerkView(), count: w.clients)
        h.workload.thinkMaxMs = w.thinkMaxMs
        h.workload.generator = { c in nextOp(c, views[c], ctx.choices) }
        h.workload.onComplete = { c, done in learn(&views[c], done) }
        return h.verdict {
            try faultPhase(h, w)
            try heal(h, w)
            try h.waitClientsDone()
            _ = try h.query(0, -1)
            try converge(h)
        }
    }

    /// Clerk `c`'s next operation given what it knows.
    static func nextOp(_ c: Int, _ v: ClerkView, _ choices: Choices) -> CtrlerOp {
        let own = (1...gidsPerClerk).map { 100 * (c + 1) + $0 }
        let absent = own.filter { !v.present.contains($0) }
        let r = choices.below(100, "client.op")
        if r < 30 && !absent.isEmpty || r >= 30 && r < 50 && v.present.isEmpty {
            let k = min(absent.count, choices.between(1, 2, "client.joincount"))
            var groups: [ShardGroup] = []
            var pool = absent
            for _ in 0..<k {
                let gid = pool.remove(at: choices.below(pool.count, "client.gid"))
                let servers = choices.between(1, 3, "client.groupsize")
                groups.append(ShardGroup(gid: gid, servers: (0..<servers).map { "g\(gid)-\($0)" }))
            }
            return .join(groups)
        }
        if r >= 30 && r < 50 {
            let k = min(v.present.count, choices.between(1, 2, "client.leavecount"))
            var pool = v.present
            var gone: [Int] = []
            for _ in 0..<k { gone.append(pool.remove(at: choices.below(pool.count, "client.gid"))) }
            return .leave(gone)
        }
        if r >= 50 && r < 65 && !v.present.isEmpty {
            let shard = choices.below(shardCount, "client.shard")
            return .move(shard: shard, gid: v.present[choices.below(v.present.count, "client.gid")])
        }
        if choices.chance(1, in: 2, "client.latest") { return .query(-1) }
        return .query(choices.between(0, v.newest + 2, "client.num"))
    }

    /// Updates a clerk's view with its completed operation.
    static func learn(_ v: inout ClerkView, _ done: CtrlerCompletion) {
        switch done.op {
        case .join(let groups): v.present = (v.present + groups.map(\.gid)).sorted()
        case .leave(let gids): v.present.removeAll { gids.contains($0) }
        case .move: break
        case .query: v.newest = max(v.newest, done.config?.num ?? 0)
        }
    }

    /// Clients run while faults come and go.
    static func faultPhase(_ h: CtrlerHarness, _ w: World) throws {
        if !w.startsEagerly { _ = h.sim.run(for: 10 * Duration.second) { h.leader() != nil } }
        for c in 0..<w.clients {
            h.workload.clerks[c].isGenerating = true
            h.kick(c)
        }
        let end = h.now + VirtualTime(w.seconds) * Duration.second
        while h.now < end && h.choices.continuesFaultPhase() {
            try h.sleep(ms: h.choices.between(1, w.faultGapMs, "fuzz.gap"))
            inject(h, w)
        }
        h.workload.stop = true
    }

    /// One fault among those the seed enabled (or nothing).
    static func inject(_ h: CtrlerHarness, _ w: World) {
        let c = h.choices
        switch c.below(4, "fuzz.fault") {
        case 0 where w.crashes:
            let i = c.below(w.servers, "fuzz.node")
            if h.sim.isUp(i) { h.shutdownServer(i) }
        case 1 where w.crashes:
            let i = c.below(w.servers, "fuzz.node")
            if !h.sim.isUp(i) { h.startServer(i) }
        case 2 where w.partitions:
            let groups = c.between(2, 3, "fuzz.groups")
            var members = Array(repeating: [Int](), count: groups)
            for i in 0..<w.servers { members[c.below(groups, "fuzz.group")].append(i) }
            h.partition(members)
        case 3 where w.partitions:
            h.connectAll()
        default:
            break
        }
    }

    /// Heals every partition and restarts every crashed server.
    static func heal(_ h: CtrlerHarness, _ w: World) throws {
        h.connectAll()
        for i in 0..<w.servers where !h.sim.isUp(i) { h.startServer(i) }
        if w.lostMajority { for i in 0...(w.servers / 2) { h.shutdownServer(i) } }
        try h.check()
    }

    /// Every server catches up with the committed log and holds the same sequence. A leader
    /// commits earlier terms' entries only together with one of its own (Raft §5.4.2), and the
    /// controller Starts no no-op: a leader elected after the last operation (the healed
    /// network may still drop messages) waits for traffic. So while servers lag, clerk 0 asks
    /// Query(-1) again, once a second for 10 s, as a live client would.
    static func converge(_ h: CtrlerHarness) throws {
        let target = h.monitor.reference.configs.count
        for _ in 0..<10 {
            let isCaughtUp = h.sim.run(for: Duration.second) {
                h.serverConfigs().allSatisfy { $0.configs.count >= target }
            }
            if isCaughtUp { break }
            _ = try h.query(0, -1)
        }
        try h.check()
        h.monitor.checkConverged(h.serverConfigs())
        try h.check()
    }
}
