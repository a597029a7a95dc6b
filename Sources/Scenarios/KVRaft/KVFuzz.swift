// The kvraft fuzz campaign (swarm testing). Each seed draws its own world: 3, 5 or 7 servers,
// 1–20 clients, one key per three clients plus 0–5 more, think time, snapshots on
// (maxraftstate 300–2000) or off, a fault phase of 1–5 s (0, the shrinker's simplest
// answer, is the shortest), whether clients start during the first election or once a leader
// exists, a network fault mix (`NetworkOptions.swarm`), and whether
// crashes and partitions happen at all and how often. Clients run random Get (50%), Put (20%)
// and Append (30%) on the shared keys during the fault phase; then every fault is healed and
// every crashed server restarted, the clients must finish within 60 s, and the main clerk
// reads every key. Checks, in order: the history is linearizable (kv model, per key); no
// append appears twice or out of its client's order in a final value; with snapshots, LogSize ≤ 8×maxraftstate.
//
// Spec parameters (all optional; drawn when absent): servers, clients, keys, seconds (fault
// phase, drawn from 1–5), maxraftstate (-1 = off), crashes, partitions (booleans), lostMajority
// (a majority crashed for good at the heal: a liveness violation on purpose).
import DSimCore
import KVRaft

/// The kvraft fuzz scenario.
enum KVFuzz {
    /// One seed's world.
    struct World {
        var servers: Int
        var clients: Int
        var keys: Int
        var seconds: Int
        var maxRaftState: Int
        var crashes: Bool
        var partitions: Bool
        var faultGapMs: Int
        var thinkMaxMs: Int
        /// Clients start at once, while the first election is under way, or (0, the
        /// shrinker's simplest answer) once a leader exists.
        var startsEagerly: Bool
        /// `lostMajority`: at the heal a majority of the servers crash and stay down, so the
        /// run must end in a liveness violation (to see what one reports). Never drawn.
        var lostMajority = false
    }

    /// Draws the world (spec parameters win over draws).
    static func world(_ ctx: RunContext) -> World {
        let c = ctx.choices
        let servers = ctx.int("servers", [3, 5, 7][c.below(3, "fuzz.servers")])
        let clients = ctx.int("clients", c.between(1, 20, "fuzz.clients"))
        // At least one key per three clients: a key shared by many concurrent appenders
        // makes the linearizability search exponential (the checker would answer unknown).
        let keys = ctx.int("keys", c.between((clients + 2) / 3, (clients + 2) / 3 + 5, "fuzz.keys"))
        let snapshots = c.chance(1, in: 2, "fuzz.snapshots")
        let drawnMax = snapshots ? c.between(300, 2000, "fuzz.maxraftstate") : -1
        return World(
            servers: servers, clients: clients, keys: keys,
            seconds: ctx.int("seconds", c.between(1, 5, "fuzz.seconds")),
            maxRaftState: ctx.int("maxraftstate", drawnMax),
            crashes: ctx.bool("crashes", c.chance(1, in: 2, "fuzz.crashes")),
            partitions: ctx.bool("partitions", c.chance(1, in: 2, "fuzz.partitions")),
            faultGapMs: c.between(100, 2000, "fuzz.faultgap"),
            thinkMaxMs: c.between(0, 30, "fuzz.think"),
            startsEagerly: c.chance(1, in: 2, "fuzz.eager"),
            lostMajority: ctx.bool("lostMajority", false))
    }

    /// Runs one seed.
    static func run(_ ctx: RunContext) -> DSimCore.Verdict {
        let w = world(ctx)
        let network = NetworkOptions.swarm(ctx.choices)
        let h = KVHarness(
            ctx, servers: w.servers, clerks: w.clients + 1, unreliable: !network.reliable,
            maxRaftState: w.maxRaftState, network: network)
        ctx.trace.observe(
            "world", node: nil,
            [
                ("servers", .int(Int64(w.servers))), ("clients", .int(Int64(w.clients))),
                ("keys", .int(Int64(w.keys))), ("maxraftstate", .int(Int64(w.maxRaftState))),
                ("crashes", .bool(w.crashes)), ("partitions", .bool(w.partitions)),
                ("network", network.json),
            ])
        var appendCount = Array(repeating: 0, count: w.clients)
        h.workload.thinkMaxMs = w.thinkMaxMs
        h.workload.generator = { c in
            // 0, the shrinker's simplest answer, is the client's own key (c / 3): a shrunk run
            // keeps at most three clients on a key, as the world was drawn for.
            let key = "k\((c / 3 + ctx.choices.below(w.keys, "client.key")) % w.keys)"
            let r = ctx.choices.below(100, "client.op")
            if r < 30 {
                appendCount[c] += 1
                return KVOperation(.append, key, "x \(c) \(appendCount[c]) y")
            }
            if r < 50 { return KVOperation(.put, key, "p\(c).\(appendCount[c])") }
            return KVOperation(.get, key)
        }
        var finals: [(value: String, read: TraceLine)] = []
        let verdict = h.verdict {
            try faultPhase(h, w)
            try heal(h, w)
            try h.waitClientsDone()
            for k in 0..<w.keys {
                finals.append((try h.get(w.clients, "k\(k)"), h.workload.lastOpLine(w.clients)))
            }
        }
        guard verdict == .ok else { return verdict }
        return finalChecks(h, w, finals)
    }

    /// Clients run while faults come and go.
    static func faultPhase(_ h: KVHarness, _ w: World) throws {
        if !w.startsEagerly { _ = h.run(for: 10 * Duration.second) { h.leader() != nil } }
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
    static func inject(_ h: KVHarness, _ w: World) {
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
    static func heal(_ h: KVHarness, _ w: World) throws {
        h.connectAll()
        for i in 0..<w.servers where !h.sim.isUp(i) { h.startServer(i) }
        if w.lostMajority { for i in 0...(w.servers / 2) { h.shutdownServer(i) } }
        try h.check()
    }

    /// Linearizability first (it names the operations), then appends and sizes.
    static func finalChecks(
        _ h: KVHarness, _ w: World, _ finals: [(value: String, read: TraceLine)]
    ) -> DSimCore.Verdict {
        let lin = h.checkHistory()
        guard lin == .ok else { return lin }
        do {
            for (k, v) in finals.enumerated() {
                try h.checkAppendsOnce(key: "k\(k)", v.value, read: v.read)
            }
            try KVGenericTest.checkSizes(h, w.maxRaftState)
        } catch let v as Violation {
            return .violation(v)
        } catch {
            return .violation(Violation("harness-error", "\(error)"))
        }
        return .ok
    }
}
