// The ports with client goroutines (TestConcurrent*, TestUnreliable2/3_5B): clerk i+1 is the
// goroutine of key i (Append randstring, then `va[i] += x`, then its pause), running while the
// test joins, leaves and restarts groups; at the end every key must hold exactly what its
// clerk appended (`check`), and the history must be linearizable.
import DSimCore
import KVRaft

extension ShardKVPorts {
    /// Starts the 10 appenders of keys `ka`: clerk i+1 appends randstring(`len`) to ka[i] and
    /// then pauses `pauseMs` (the originals' time.Sleep; 0: none); `va` follows completions.
    static func startAppenders(
        _ h: ShardKVHarness, _ ka: [String], _ va: Box<[String]>, len: Int, pauseMs: Int
    ) {
        h.workload.thinkMinMs = pauseMs
        h.workload.thinkMaxMs = pauseMs
        h.workload.onComplete = { c, op, _ in
            if c >= 1 && op.op == .append { va.value[c - 1] += op.value }
        }
        h.startClients(1..<ka.count + 1) { c in KVOperation(.append, ka[c - 1], h.randString(len)) }
    }

    /// Tells the appenders to stop and waits for their last operations (`<-ch` for each).
    static func stopAppenders(_ h: ShardKVHarness) throws {
        h.workload.stop = true
        try h.waitClientsDone()
    }

    static func concurrent1(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 11, unreliable: false, maxRaftState: 100)
        return h.verdict {
            try h.join(0)
            let (ka, v0) = try putKeys(h, 10) { _ in h.randString(5) }
            let va = Box(v0)
            startAppenders(h, ka, va, len: 5, pauseMs: 10)
            try h.sleep(ms: 150)
            try h.join(1)
            try h.sleep(ms: 500)
            try h.join(2)
            try h.sleep(ms: 500)
            try h.leave(0)
            h.shutdownGroup(0)
            try h.sleep(ms: 100)
            h.shutdownGroup(1)
            try h.sleep(ms: 100)
            h.shutdownGroup(2)
            try h.leave(2)
            try h.sleep(ms: 100)
            for gi in 0..<3 { h.startGroup(gi) }
            try h.sleep(ms: 100)
            try h.join(0)
            try h.leave(1)
            try h.sleep(ms: 500)
            try h.join(1)
            try h.sleep(ms: 1000)
            try stopAppenders(h)
            try checkAll(h, ka, va.value)
        }
    }

    static func concurrent2(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 11, unreliable: false, maxRaftState: -1)
        return h.verdict {
            try h.join(1)
            try h.join(0)
            try h.join(2)
            let (ka, v0) = try putKeys(h, 10) { _ in h.randString(1) }
            let va = Box(v0)
            startAppenders(h, ka, va, len: 1, pauseMs: 50)
            try h.leave(0)
            try h.leave(2)
            try h.sleep(ms: 3000)
            try h.join(0)
            try h.join(2)
            try h.leave(1)
            try h.sleep(ms: 3000)
            try h.join(1)
            try h.leave(0)
            try h.leave(2)
            try h.sleep(ms: 3000)
            h.shutdownGroup(1)
            h.shutdownGroup(2)
            try h.sleep(ms: 1000)
            h.startGroup(1)
            h.startGroup(2)
            try h.sleep(ms: 2000)
            try stopAppenders(h)
            try checkAll(h, ka, va.value)
        }
    }

    static func concurrent3(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 11, unreliable: false, maxRaftState: 300)
        return h.verdict {
            try h.join(0)
            let (ka, v0) = try putKeys(h, 10) { _ in h.randString(1) }
            let va = Box(v0)
            startAppenders(h, ka, va, len: 1, pauseMs: 0)
            let t0 = h.now
            while h.now - t0 < 12 * Duration.second {
                try h.join(2)
                try h.join(1)
                try h.sleep(ms: h.rand(900))
                for gi in 0..<3 { h.shutdownGroup(gi) }
                for gi in 0..<3 { h.startGroup(gi) }
                try h.sleep(ms: h.rand(900))
                try h.leave(1)
                try h.leave(2)
                try h.sleep(ms: h.rand(900))
            }
            try h.sleep(ms: 2000)
            try stopAppenders(h)
            try checkAll(h, ka, va.value)
        }
    }

    /// The reconfiguration schedule of TestUnreliable2/3_5B while the clients run.
    static func unreliableSchedule(_ h: ShardKVHarness) throws {
        try h.sleep(ms: 150)
        try h.join(1)
        try h.sleep(ms: 500)
        try h.join(2)
        try h.sleep(ms: 500)
        try h.leave(0)
        try h.sleep(ms: 500)
        try h.leave(1)
        try h.sleep(ms: 500)
        try h.join(1)
        try h.join(0)
        try h.sleep(ms: 2000)
    }

    static func unreliable2(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 11, unreliable: true, maxRaftState: 100)
        return h.verdict {
            try h.join(0)
            let (ka, v0) = try putKeys(h, 10) { _ in h.randString(5) }
            let va = Box(v0)
            startAppenders(h, ka, va, len: 5, pauseMs: 0)
            try unreliableSchedule(h)
            h.workload.stop = true
            h.sim.network.reliable = true
            try h.waitClientsDone()
            try checkAll(h, ka, va.value)
        }
    }

    static func unreliable3(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 11, unreliable: true, maxRaftState: 100)
        return h.verdict {
            try h.join(0)
            let (ka, _) = try putKeys(h, 10) { _ in h.randString(5) }
            h.startClients(1..<11) { _ in
                let key = ka[h.rand(ka.count)]
                let nv = h.randString(5)
                if h.rand(1000) < 500 { return KVOperation(.append, key, nv) }
                if h.rand(1000) < 100 { return KVOperation(.put, key, nv) }
                return KVOperation(.get, key)
            }
            try unreliableSchedule(h)
            h.workload.stop = true
            h.sim.network.reliable = true
            try h.waitClientsDone()
        }
    }
}

/// A shared mutable value (the Go tests' `va` slice written by goroutines).
final class Box<Value> {
    /// The value.
    var value: Value
    /// Boxes `value`.
    init(_ value: Value) { self.value = value }
}
