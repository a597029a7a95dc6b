// The shardkv scenario for bounded exploration (`dsim explore --system shardkv`), built like
// kvraft's and the controller's: a driver whose only state is its tick and how far the
// administrator's script got, so the explorer can fingerprint the world between kernel steps.
//
// The controller (3 servers), `groups` replica groups of `groupServers` servers, an
// administrator and `clients` clerks. The administrator joins group gi at tick 2·gi (group 0
// at once), then, with two groups or more, makes group 0 leave at tick 2·groups+1: shards
// migrate at every step while the clerks write, and with three groups the third join breaks a
// tie between the two loaded groups (which every controller replica must break alike) while
// the groups fetch that configuration at different times (the new group at once, the others
// once their previous migration is over). A controller
// operation goes out at its tick when the administrator is idle, else at the first tick it is.
// At each tick clerk c appends `x c t y` to key (t+c) mod `keys` and reads it back (queued
// behind the clerk's earlier operations), and the driver takes one fault decision: nothing,
// shut down or restart a server (controller or group), heal, or split one Raft set (the
// controller's or a group's) in two, the second side cut off from everyone. At the horizon the
// window closes: everything heals and restarts, the administrator's script finishes, the
// clerks must finish, an extra clerk reads every key, and the history must be linearizable,
// each append at most once and in its client's order; every configuration number must mean
// one configuration on every group server throughout (config-agreement).
//
// Spec parameters: groups (3), groupServers (1), clients (1), keys (4), horizonMs (1000),
// tickMs (100), maxraftstate (-1), gidBase (100), adminTicks (the script's ticks, in order).
import DSimCore
import KVRaft
import ShardCtrler

enum ShardKVExplore {
    static func run(_ ctx: RunContext) -> DSimCore.Verdict {
        let clients = ctx.int("clients", 1)
        let keys = Array(ShardKVFuzz.keyNames.prefix(max(1, min(ctx.int("keys", 4), 20))))
        let horizon = VirtualTime(ctx.int("horizonMs", 1000)) * Duration.millisecond
        let tickMs = ctx.int("tickMs", 100)
        var network = NetworkOptions()
        network.requestDropPerMille = 1
        network.replyDropPerMille = 1
        let h = ShardKVHarness(
            ctx, n: ctx.int("groupServers", 1), groups: ctx.int("groups", 3),
            clerks: clients + 1, unreliable: false, maxRaftState: ctx.int("maxraftstate", -1),
            network: network, gidBase: ctx.int("gidBase", 100))
        let servers = ExploredShardKV(h)
        let admin = adminScript(
            h, ticks: ctx.params["adminTicks"]?.arrayValue?.compactMap(\.intValue))
        var tick = 0
        var adminNext = 0
        ctx.choices.explore?.fingerprint = {
            h.fingerprint(into: &$0)
            $0.combine(tick)
            $0.combine(adminNext)
        }
        ctx.choices.explore?.testOnly_state = {
            (0..<h.sim.nodeCount).map { h.sim.node($0)?.testOnly_state ?? "down" }
                .joined(separator: "\n")
        }
        var finals: [String] = []
        let verdict = h.verdict {
            issueDue(h, admin, tick: 0, next: &adminNext)
            while h.now < horizon {
                try h.sleep(ms: tickMs)
                tick += 1
                issueDue(h, admin, tick: tick, next: &adminNext)
                for c in 0..<clients {
                    let key = keys[(tick + c) % keys.count]
                    h.workload.clerks[c].script += [
                        KVOperation(.append, key, "x \(c) \(tick) y"), KVOperation(.get, key),
                    ]
                    h.kick(c)
                }
                servers.exploreFault(ctx.choices)
            }
            ctx.choices.explore?.freeze()
            h.sim.heal()
            for i in 0..<servers.n where !h.sim.isUp(i) { h.sim.restart(i) }
            try finishAdmin(h, admin, next: &adminNext)
            // Groups that disagree on a configuration stall a migration for good: say that,
            // not only that the clerks stalled.
            let quiet = h.run(for: kvCallBudgetNs) { h.workload.isQuiet }
            h.checkConfigAgreement()
            try h.check()
            if !quiet {
                throw h.livenessFailure(
                    "clerks still had operations in flight after \(formatTime(kvCallBudgetNs))",
                    clerks: Array(0..<clients))
            }
            for k in keys { finals.append(try h.get(clients, k)) }
        }
        guard verdict == .ok else { return verdict }
        let lin = h.checkHistory()
        guard lin == .ok else { return lin }
        do {
            for (k, v) in zip(keys, finals) { try h.checkAppendsOnce(key: k, v) }
        } catch let v as Violation {
            return .violation(v)
        } catch {
            return .violation(Violation("harness-error", "\(error)"))
        }
        return .ok
    }

    /// The administrator's operations with their ticks: group gi joins at tick 2·gi, then (two
    /// groups or more) group 0 leaves at tick 2·groups+1; `ticks` (the spec's `adminTicks`)
    /// replaces those ticks in order.
    static func adminScript(_ h: ShardKVHarness, ticks: [Int]?) -> [(tick: Int, op: CtrlerOp)] {
        var script = (0..<h.groups).map { (tick: 2 * $0, op: CtrlerOp.join([h.group($0)])) }
        if h.groups >= 2 { script.append((2 * h.groups + 1, .leave([h.gid(0)]))) }
        for (i, t) in (ticks ?? []).prefix(script.count).enumerated() { script[i].tick = t }
        return script
    }

    /// Sends the next controller operation if it is due and the administrator is idle.
    static func issueDue(
        _ h: ShardKVHarness, _ script: [(tick: Int, op: CtrlerOp)], tick: Int, next: inout Int
    ) {
        let a = h.adminNode(0)
        guard next < script.count, script[next].tick <= tick,
            h.sim.node(a)?.ctrlerClerk?.isIdle == true
        else { return }
        let op = script[next].op
        next += 1
        h.sim.withNode(a) { node, ctx in node.ctrlerClerk!.call(op, ctx) }
        h.sim.trace.observe("ctrler", node: a, [("op", .string(op.name))])
    }

    /// After the window: the operation in flight completes, then the rest, one by one.
    static func finishAdmin(
        _ h: ShardKVHarness, _ script: [(tick: Int, op: CtrlerOp)], next: inout Int
    ) throws {
        let a = h.adminNode(0)
        let idle = h.run(for: kvCallBudgetNs) { [sim = h.sim] in
            sim.node(a)?.ctrlerClerk?.isIdle == true
        }
        try h.check()
        if !idle {
            throw h.livenessFailure(
                "controller operation did not complete after healing",
                waiting: [(a, "controller operation")])
        }
        while next < script.count {
            try h.ctrler(script[next].op)
            next += 1
        }
    }
}

/// The shardkv servers (the controller's, then every group's: nodes 0..<adminNode(0)) under the
/// kv systems' fault vocabulary. A split divides one Raft set, the controller's or a group's.
final class ExploredShardKV: ExploredServers {
    let h: ShardKVHarness

    init(_ h: ShardKVHarness) { self.h = h }

    var n: Int { h.adminNode(0) }
    func isUp(_ i: Int) -> Bool { h.sim.isUp(i) }
    func shutdownServer(_ i: Int) { h.crash(i) }
    func startServer(_ i: Int) { h.sim.restart(i) }
    func connectAll() { h.sim.heal() }
    /// The first side stays with the rest of the world (clerks, the other sets); the second is
    /// cut off from everyone but itself.
    func partition(_ groups: [[Int]]) { h.sim.partition(Array(groups.dropFirst())) }
    var splitSets: [[Int]] {
        [Array(0..<ShardKVHarness.ctrlerServers)]
            + (0..<h.groups).map { gi in (0..<h.n).map { h.node(gi, $0) } }
    }
}

extension ShardKVHarness: Fingerprintable {
    /// The kernel's world (every node: controller and group servers, clerks, the
    /// administrator), the clients' scripts and history, the configurations seen so far
    /// (config-agreement compares against them), the next client id a restart hands out, and
    /// whether a violation was seen.
    func fingerprint(into h: inout Hasher) {
        sim.fingerprint(into: &h)
        h.combine(sim.violation != nil)
        workload.fingerprint(into: &h)
        for num in seenConfigs.keys.sorted() {
            let seen = seenConfigs[num]!
            h.combine(num)
            h.combine(seen.config)
            h.combine(seen.gi)
            h.combine(seen.i)
        }
        h.combine(factory.lastClientId)
    }
}
