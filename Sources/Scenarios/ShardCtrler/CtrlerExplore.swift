// The shard controller's scenario for bounded exploration (`dsim explore --system
// shardctrler`), built like Raft's: a driver with no state but its tick.
//
// `servers` controller servers and 2 clerks with fixed scripts (clerk c joins groups 2c+1 and
// 2c+2 at once, queries the latest configuration, moves shard c to its first group, queries
// again: with several groups the rebalance has ties to break), started at
// once. Every `tickMs` before `horizonMs` one fault decision: nothing, shut down or restart
// server k, heal, or split the servers in two. At the horizon the window closes: everything
// heals, the clerks must finish, a last Query(-1), and every server must converge on the
// reference configurations; the monitor checks every applied command and every answer
// against the reference throughout.
//
// Spec parameters: servers (3), horizonMs (1000), tickMs (100).
import DSimCore
import ShardCtrler

enum CtrlerExplore {
    static func run(_ ctx: RunContext) -> DSimCore.Verdict {
        let n = ctx.int("servers", 3)
        let horizon = VirtualTime(ctx.int("horizonMs", 1000)) * Duration.millisecond
        let tickMs = ctx.int("tickMs", 100)
        var network = NetworkOptions()
        network.requestDropPerMille = 1
        network.replyDropPerMille = 1
        let clients = 2
        let h = CtrlerHarness(ctx, servers: n, clerks: clients, network: network)
        var tick = 0
        ctx.choices.explore?.fingerprint = {
            h.fingerprint(into: &$0)
            $0.combine(tick)
        }
        ctx.choices.explore?.testOnly_state = {
            (0..<(n + clients)).map { h.sim.node($0)?.testOnly_state ?? "down" }
                .joined(separator: "\n")
        }
        for c in 0..<clients {
            let gids = [2 * c + 1, 2 * c + 2]
            h.workload.clerks[c].script = [
                .join(gids.map { ShardGroup(gid: $0, servers: ["g\($0)-0"]) }), .query(-1),
                .move(shard: c, gid: gids[0]), .query(-1),
            ]
            h.kick(c)
        }
        return h.verdict {
            while h.now < horizon {
                try h.sleep(ms: tickMs)
                tick += 1
                h.exploreFault(ctx.choices)
            }
            ctx.choices.explore?.freeze()
            h.connectAll()
            for i in 0..<n where !h.sim.isUp(i) { h.startServer(i) }
            try h.check()
            try h.waitClientsDone()
            _ = try h.query(0, -1)
            try CtrlerFuzz.converge(h)
        }
    }
}

extension CtrlerHarness: Fingerprintable {
    /// The kernel's world, the links, the monitor and the clients' script positions.
    func fingerprint(into h: inout Hasher) {
        sim.fingerprint(into: &h)
        h.combine(links.serverGroup)
        monitor.fingerprint(into: &h)
        for c in workload.clerks {
            h.combine(c.script)
            h.combine(c.head)
            h.combine(c.isGenerating)
            h.combine(c.mustThink)
            h.combine(c.current)
            h.combine(c.callTime)
            h.combine(c.minNum)
            h.combine(c.completed)
            h.combine(c.last)
        }
        h.combine(workload.stop)
        h.combine(workload.thinkMaxMs)
        h.combine(workload.generator == nil)
    }
}
