// The kvraft scenario for bounded exploration (`dsim explore --system kvraft`), built like
// Raft's (Raft/Harness/RaftExplore.swift): a small world whose driver keeps no state but its
// tick, so the explorer can fingerprint it between any two kernel steps.
//
// `servers` servers and `clients` clerks with fixed scripts on one key (each: append its first
// value, Get, append its second value, Get), started at once. Every `tickMs` before
// `horizonMs` the driver takes one fault decision: nothing (the default), shut down or restart
// server k, heal, or split the servers in two (clerks reach everyone). At the horizon the window
// closes: everything heals, the clerks must finish, an extra clerk reads the key, and the
// history must be linearizable, each append in its final value once and in its client's order.
//
// Spec parameters: servers (3), clients (2), horizonMs (1000), tickMs (100), maxraftstate (-1).
import DSimCore
import KVRaft

enum KVExplore {
    static func run(_ ctx: RunContext) -> DSimCore.Verdict {
        let n = ctx.int("servers", 3)
        let clients = ctx.int("clients", 2)
        let horizon = VirtualTime(ctx.int("horizonMs", 1000)) * Duration.millisecond
        let tickMs = ctx.int("tickMs", 100)
        var network = NetworkOptions()
        network.requestDropPerMille = 1
        network.replyDropPerMille = 1
        let h = KVHarness(
            ctx, servers: n, clerks: clients + 1, unreliable: false,
            maxRaftState: ctx.int("maxraftstate", -1), network: network)
        var tick = 0
        ctx.choices.explore?.fingerprint = {
            h.fingerprint(into: &$0)
            $0.combine(tick)
        }
        ctx.choices.explore?.testOnly_state = {
            (0..<(n + clients + 1)).map { h.sim.node($0)?.testOnly_state ?? "down" }
                .joined(separator: "\n")
        }
        for c in 0..<clients {
            h.workload.clerks[c].script = [
                KVOperation(.append, "k", "x \(c) 0 y"), KVOperation(.get, "k"),
                KVOperation(.append, "k", "x \(c) 1 y"), KVOperation(.get, "k"),
            ]
            h.kick(c)
        }
        var final = ""
        let verdict = h.verdict {
            while h.now < horizon {
                try h.sleep(ms: tickMs)
                tick += 1
                h.exploreFault(ctx.choices)
            }
            ctx.choices.explore?.freeze()
            h.connectAll()
            for i in 0..<n where !h.sim.isUp(i) { h.startServer(i) }
            try h.waitClientsDone()
            final = try h.get(clients, "k")
        }
        guard verdict == .ok else { return verdict }
        let lin = h.checkHistory()
        guard lin == .ok else { return lin }
        do {
            let read = h.workload.lastOpLine(clients)
            for c in 0..<clients { try h.checkClientAppends(c, final, 2, read: read) }
        } catch let v as Violation {
            return .violation(v)
        } catch {
            return .violation(Violation("harness-error", "\(error)"))
        }
        return .ok
    }
}

extension KVHarness: Fingerprintable {
    /// The kernel's world, who reaches whom (the links), and the clients: each clerk's script
    /// position and operation in flight, and the history so far (every operation's client,
    /// input, output and times: the final check reads all of it).
    func fingerprint(into h: inout Hasher) {
        sim.fingerprint(into: &h)
        h.combine(links.serverGroup)
        h.combine(links.clerkMask)
        workload.fingerprint(into: &h)
    }
}

extension KVWorkload {
    /// See `KVHarness.fingerprint(into:)`. A generator (fuzz's random operations) is a closure
    /// and cannot be hashed: explored scenarios use scripts only.
    func fingerprint(into h: inout Hasher) {
        for c in clerks {
            h.combine(c.script)
            h.combine(c.head)
            h.combine(c.isGenerating)
            h.combine(c.mustThink)
            h.combine(c.current)
            h.combine(c.currentId)
            h.combine(c.completed)
            h.combine(c.lastValue)
        }
        h.combine(stop)
        h.combine(thinkMinMs)
        h.combine(thinkMaxMs)
        h.combine(generator == nil)
        h.combine(violation != nil)
        for op in history.operations {
            h.combine(op.client)
            h.combine(op.callTime)
            h.combine(op.returnTime)
            h.combine(op.input)
            h.combine(op.output)
        }
    }
}
