// The shardkv fuzz campaign (swarm testing). Each seed draws its world: 1–8 clients, 4–14 keys
// spread over the shards, 1–3 servers per replica group, maxraftstate (off, or 200–2000
// bytes), a network fault mix
// (`NetworkOptions.swarm`), the gids (group 0's drawn in 1…900: the controller's rebalancing
// order depends on them), and which faults happen: crashes of single servers (inside a
// group, or of the controller) and of whole groups, partitions of all the nodes. During the
// fault phase the administrator joins, leaves and moves at random (asynchronously: a
// controller that cannot answer does not stall the test) while clients run random Get (50%),
// Put (20%) and Append (30%); with controller churn, the controller's leader is crashed shortly
// after each controller operation; the first Join goes out at once or once the controller has
// a leader. Then every fault is healed, every crashed server restarted, every
// group joined again, the clients must finish within 60 s, and clerk 0 reads every key.
// Checks: the history is linearizable (kv model, per key); no append appears twice or out of
// its client's order in a final value; with snapshots, checklogs (less what a server does not
// know committed: a group healed just before the end may still hold entries from while it was
// cut off, which no snapshot can cover before they commit).
//
// Spec parameters (all optional; drawn when absent): clients, keys, seconds (fault phase,
// default 6), maxraftstate (-1 = off), gidBase, groupServers, crashes, partitions, ctrlerChurn
// (booleans), lostMajority (a majority of group 0 crashed for good at the heal: a liveness
// violation on purpose).
import DSimCore
import KVRaft
import ShardCtrler

/// The shardkv fuzz scenario.
enum ShardKVFuzz {
    /// One seed's world.
    struct World {
        var clients: Int
        var keys: Int
        var seconds: Int
        var maxRaftState: Int
        var crashes: Bool
        var partitions: Bool
        var faultGapMs: Int
        var thinkMaxMs: Int
        /// After each controller operation, crash the controller's leader 0–150 ms later, so
        /// that groups may fetch the same configuration from different replicas.
        var ctrlerChurn: Bool
        /// The gid of group 0: the controller's rebalancing order depends on the gids.
        var gidBase: Int
        /// Servers per replica group (the originals: 3). 0, the shrinker's simplest answer, is
        /// one: migration and its checks do not depend on replication inside a group.
        var groupServers: Int
        /// The administrator's first Join goes out at once, while the controller elects its
        /// first leader, or (0, the shrinker's simplest answer) once it has one.
        var startsEagerly: Bool
        /// `lostMajority`: at the heal a majority of the servers of group 0 crash and stay down, so the
        /// run must end in a liveness violation (to see what one reports). Never drawn.
        var lostMajority = false
    }

    /// Key names whose first bytes cover every shard (key2shard = first byte mod 10).
    static let keyNames = (0..<20).map { i in
        i < 10 ? String(i) : String(UnicodeScalar(UInt8(87 + i)))
    }

    /// Draws the world (spec parameters win over draws).
    static func world(_ ctx: RunContext) -> World {
        let c = ctx.choices
        let clients = ctx.int("clients", c.between(1, 8, "fuzz.clients"))
        let snapshots = c.chance(1, in: 2, "fuzz.snapshots")
        let drawnMax = snapshots ? c.between(200, 2000, "fuzz.maxraftstate") : -1
        return World(
            clients: clients, keys: ctx.int("keys", c.between(4, 14, "fuzz.keys")),
            seconds: ctx.int("seconds", 6), maxRaftState: ctx.int("maxraftstate", drawnMax),
            crashes: ctx.bool("crashes", c.chance(1, in: 2, "fuzz.crashes")),
            partitions: ctx.bool("partitions", c.chance(1, in: 3, "fuzz.partitions")),
            faultGapMs: c.between(100, 1500, "fuzz.faultgap"),
            thinkMaxMs: c.between(0, 30, "fuzz.think"),
            ctrlerChurn: ctx.bool("ctrlerChurn", c.chance(1, in: 3, "fuzz.churn")),
            gidBase: ctx.int("gidBase", c.between(1, 900, "fuzz.gidbase")),
            groupServers: ctx.int("groupServers", c.between(1, 3, "fuzz.groupservers")),
            startsEagerly: c.chance(1, in: 2, "fuzz.eager"),
            lostMajority: ctx.bool("lostMajority", false))
    }

    /// Runs one seed.
    static func run(_ ctx: RunContext) -> DSimCore.Verdict {
        let w = world(ctx)
        let network = NetworkOptions.swarm(ctx.choices, maxDropPerMille: 200)
        let h = ShardKVHarness(
            ctx, n: w.groupServers, clerks: w.clients, unreliable: !network.reliable,
            maxRaftState: w.maxRaftState, network: network, gidBase: w.gidBase)
        ctx.trace.observe(
            "world", node: nil,
            [
                ("clients", .int(Int64(w.clients))), ("keys", .int(Int64(w.keys))),
                ("maxraftstate", .int(Int64(w.maxRaftState))), ("crashes", .bool(w.crashes)),
                ("partitions", .bool(w.partitions)), ("ctrlerChurn", .bool(w.ctrlerChurn)),
                ("gidBase", .int(Int64(w.gidBase))), ("groupServers", .int(Int64(w.groupServers))),
                ("eager", .bool(w.startsEagerly)), ("network", network.json),
            ])
        // The liveness window after the heal: each wait of the heal phase (spec parameter
        // `livenessWindowMs`, which `dsim shrink` shortens for a liveness failure).
        h.callBudgetNs =
            VirtualTime(ctx.int("livenessWindowMs", Int(kvCallBudgetNs / Duration.millisecond)))
            * Duration.millisecond
        var appendCount = Array(repeating: 0, count: w.clients)
        h.workload.thinkMaxMs = w.thinkMaxMs
        let keys = Array(keyNames[0..<w.keys])
        var finals: [String] = []
        var reads: [TraceLine] = []
        var joined: [Int] = []
        let verdict = h.verdict {
            if !w.startsEagerly { _ = h.run(for: 10 * Duration.second) { ctrlerLeader(h) != nil } }
            try h.join(0)
            joined = [0]
            h.startClients(0..<w.clients) { c in
                // 0 is the client's own key: a shrunk run does not pile every client onto one
                // key (a history that makes the linearizability search exponential).
                let key = keys[(c + ctx.choices.below(keys.count, "client.key")) % keys.count]
                let r = ctx.choices.below(100, "client.op")
                if r < 30 {
                    appendCount[c] += 1
                    return KVOperation(.append, key, "x \(c) \(appendCount[c]) y")
                }
                if r < 50 { return KVOperation(.put, key, "p\(c).\(appendCount[c])") }
                return KVOperation(.get, key)
            }
            let end = h.now + VirtualTime(w.seconds) * Duration.second
            while h.now < end && h.choices.continuesFaultPhase() {
                try h.sleep(ms: h.choices.between(1, w.faultGapMs, "fuzz.gap"))
                reconfigure(h, &joined)
                if w.ctrlerChurn { try churn(h) }
                inject(h, w)
            }
            h.workload.stop = true
            try heal(h)
            if w.lostMajority { for i in 0...(h.n / 2) { h.shutdownServer(0, i) } }
            try h.waitClientsDone()
            for k in keys {
                finals.append(try h.get(0, k))
                reads.append(h.workload.lastOpLine(0))
            }
        }
        guard verdict == .ok else { return verdict }
        do {
            for (i, k) in keys.enumerated() {
                try h.checkAppendsOnce(key: k, finals[i], read: reads[i])
            }
            if w.maxRaftState > 0 { try h.checkLogs(allowingUncommitted: true) }
        } catch let v as Violation {
            return .violation(v)
        } catch {
            return .violation(Violation("harness-error", "\(error)"))
        }
        return .ok
    }

    /// One controller operation, when the administrator is free: join a group not in,
    /// leave one (keeping at least one), or move a shard to a group in.
    static func reconfigure(_ h: ShardKVHarness, _ joined: inout [Int]) {
        let c = h.choices
        guard h.sim.node(h.adminNode(0))?.ctrlerClerk?.isIdle == true else { return }
        let out = (0..<h.groups).filter { !joined.contains($0) }
        let op: CtrlerOp
        switch c.below(4, "fuzz.reconfig") {
        case 0 where !out.isEmpty:
            let gi = out[c.below(out.count, "fuzz.gi")]
            joined.append(gi)
            op = .join([h.group(gi)])
        case 1 where joined.count > 1:
            let gi = joined.remove(at: c.below(joined.count, "fuzz.gi"))
            op = .leave([h.gid(gi)])
        case 2:
            let gi = joined[c.below(joined.count, "fuzz.gi")]
            op = .move(shard: c.below(shardCount, "fuzz.shard"), gid: h.gid(gi))
        default:
            return
        }
        h.sim.withNode(h.adminNode(0)) { node, ctx in node.ctrlerClerk!.call(op, ctx) }
        h.sim.trace.observe("ctrler", node: h.adminNode(0), [("op", .string(op.name))])
    }

    /// Waits (up to 1 s) for the administrator's operation, then 0–150 ms later restarts a
    /// crashed controller server or crashes the controller's leader.
    static func churn(_ h: ShardKVHarness) throws {
        let a = h.adminNode(0)
        _ = h.run(for: Duration.second) { [sim = h.sim] in sim.node(a)?.ctrlerClerk?.isIdle == true
        }
        try h.sleep(ms: h.choices.between(0, 150, "fuzz.churn.delay"))
        crashOrRestartCtrler(h)
    }

    /// The first controller server that believes it leads, if any.
    static func ctrlerLeader(_ h: ShardKVHarness) -> NodeID? {
        (0..<ShardKVHarness.ctrlerServers).first {
            h.sim.node($0)?.ctrlerServer?.raft.state.isLeader == true
        }
    }

    /// Restarts a crashed controller server if there is one, else crashes the leader.
    static func crashOrRestartCtrler(_ h: ShardKVHarness) {
        let ctrlers = 0..<ShardKVHarness.ctrlerServers
        if let down = ctrlers.first(where: { !h.sim.isUp($0) }) {
            h.sim.restart(down)
        } else if let leader = ctrlerLeader(h) {
            h.crash(leader)
        }
    }

    /// One fault among those the seed enabled (or nothing).
    static func inject(_ h: ShardKVHarness, _ w: World) {
        let c = h.choices
        let servers = h.adminNode(0)  // controller and group servers: nodes 0..<servers
        switch c.below(6, "fuzz.fault") {
        case 0 where w.crashes:
            let i = c.below(servers, "fuzz.node")
            if h.sim.isUp(i) { h.crash(i) }
        case 1 where w.crashes:
            let i = c.below(servers, "fuzz.node")
            if !h.sim.isUp(i) { h.sim.restart(i) }
        case 2 where w.crashes:
            let gi = c.below(h.groups, "fuzz.group")
            if (0..<h.n).allSatisfy({ h.sim.isUp(h.node(gi, $0)) }) {
                h.shutdownGroup(gi)
            } else {
                for i in 0..<h.n where !h.sim.isUp(h.node(gi, i)) { h.startServer(gi, i) }
            }
        case 3 where w.partitions:
            let parts = c.between(2, 3, "fuzz.parts")
            var members = Array(repeating: [Int](), count: parts)
            // Every node, clerks included, lands in one part.
            for i in 0..<h.sim.nodeCount { members[c.below(parts, "fuzz.part")].append(i) }
            h.sim.partition(members)
        case 4 where w.partitions:
            h.sim.heal()
        case 5 where w.crashes:
            // The controller: configurations then come from another replica.
            crashOrRestartCtrler(h)
        default:
            break
        }
    }

    /// Heals every partition, makes the network reliable, restarts every crashed server, joins
    /// every group again (so every shard has a live owner).
    static func heal(_ h: ShardKVHarness) throws {
        // Liveness is judged on a healed network (DESIGN §5), as Raft's fuzz does: a lossy
        // one makes any liveness window fail on some schedule (every request dropped), which
        // a liveness shrink then finds.
        h.sim.network = NetworkOptions()
        h.sim.heal()
        for i in 0..<h.adminNode(0) where !h.sim.isUp(i) { h.sim.restart(i) }
        // The administrator's last operation must finish before the next.
        let a = h.adminNode(0)
        let idle = h.run(for: h.callBudgetNs) { [sim = h.sim] in
            sim.node(a)?.ctrlerClerk?.isIdle == true
        }
        try h.check()
        if !idle {
            throw h.livenessFailure(
                "controller operation did not complete after healing",
                waiting: [(a, "controller operation")])
        }
        try h.joinm(Array(0..<h.groups))
    }
}

extension ShardKVHarness {
    /// Crashes node `i` (a controller or group server), writing its state back first.
    func crash(_ i: NodeID) {
        sim.withNode(i) { node, ctx in node.writeBack(ctx) }
        sim.crash(i)
    }
}
