// The ports of shardkv/test_test.go (5A, 5B and the two challenges), step by step in virtual
// time, with the originals' assertions and bounds: exactly 5 of 10 Gets complete with one
// group down (the window closes after 2 s without a completion), checklogs, every value as the
// test predicts it, the 117 000-byte state bound of TestChallenge1Delete. Every run's client
// history is also checked for linearizability with the kv model (TestUnreliable3_5B's own
// check; the others gain it).
import DSimCore
import KVRaft
import ShardCtrler

/// The shardkv ports.
enum ShardKVPorts {
    /// A port named after its original.
    static func port(
        _ name: String, _ summary: String, _ body: @escaping (RunContext) -> DSimCore.Verdict
    ) -> Scenario {
        Scenario(system: "shardkv", name: name, portOf: name, summary: summary, run: body)
    }

    /// Every port, in suite order.
    static let all: [Scenario] = [
        port(
            "TestStaticShards5A", "static shards: exactly half the Gets with one group down",
            staticShards),
        port("TestRejection5A", "a group rejects keys of shards it does not own", rejection),
        port("TestJoinLeave5B", "join then leave: data migrates", joinLeave),
        port("TestSnapshot5B", "snapshots, join and leave, full restart", snapshot),
        port("TestMissChange5B", "servers miss configuration changes and catch up", missChange),
        port(
            "TestConcurrent1_5B", "concurrent appends, joins, leaves, group restarts", concurrent1),
        port("TestConcurrent2_5B", "more concurrent appends, joins, leaves", concurrent2),
        port("TestConcurrent3_5B", "concurrent appends with restarts for 12 s", concurrent3),
        port("TestUnreliable1_5B", "unreliable network, sequential appends", unreliable1),
        port("TestUnreliable2_5B", "unreliable network, concurrent appends", unreliable2),
        port("TestUnreliable3_5B", "unreliable network, linearizable history", unreliable3),
        port(
            "TestChallenge1Delete", "handed-over shards are deleted (state ≤ 117000 bytes)",
            challenge1Delete),
        port(
            "TestChallenge2Unaffected", "unaffected shards keep serving during a change",
            challenge2Unaffected),
        port(
            "TestChallenge2Partial", "received shards serve before the migration completes",
            challenge2Partial),
    ]

    /// Keys "0"…"n-1" with values from `value`, Put by clerk 0 and checked.
    static func putKeys(
        _ h: ShardKVHarness, _ count: Int, _ value: (Int) -> String
    ) throws -> (keys: [String], values: [String]) {
        let keys = (0..<count).map { String($0) }
        let values = (0..<count).map(value)
        for i in 0..<count { try h.put(0, keys[i], values[i]) }
        return (keys, values)
    }

    /// check + Append(randstring(len)) for every key through clerk 0.
    static func checkAndAppend(
        _ h: ShardKVHarness, _ ka: [String], _ va: inout [String], _ len: Int
    ) throws {
        for i in ka.indices {
            try h.checkValue(0, ka[i], va[i])
            let x = h.randString(len)
            try h.append(0, ka[i], x)
            va[i] += x
        }
    }

    /// check every key through clerk 0.
    static func checkAll(_ h: ShardKVHarness, _ ka: [String], _ va: [String]) throws {
        for i in ka.indices { try h.checkValue(0, ka[i], va[i]) }
    }

    /// Clerks 1…n each Get one key; counts completions until 2 s pass without one (the
    /// original's `select` with `time.After(2 s)`); a wrong value fails with `message`.
    static func countGets(
        _ h: ShardKVHarness, _ ka: [String], _ va: [String], wrong: String
    ) throws -> Int {
        var bad: String?
        var badLine: TraceLine = 0
        h.workload.onComplete = { [unowned h] c, op, v in
            if v != va[c - 1] && bad == nil {
                bad = "Get(\(op.key)): expected:\n\(va[c - 1])\nreceived:\n\(v) (\(wrong))"
                badLine = h.workload.lastOpLine(c)
            }
        }
        defer { h.workload.onComplete = nil }
        for i in ka.indices { h.start(i + 1, KVOperation(.get, ka[i])) }
        var done = 0
        while true {
            let before = done
            _ = h.run(for: 2 * Duration.second) {
                (1...ka.count).reduce(0) { $0 + h.workload.clerks[$1].completed } > before
            }
            try h.check()
            if let b = bad { throw h.fail("get-wrong-value", b, events: [badLine]) }
            done = (1...ka.count).reduce(0) { $0 + h.workload.clerks[$1].completed }
            if done == before { return done }
        }
    }

    /// The `op` lines of the Gets `countGets` saw complete (clerks 1…count): the completions
    /// a wrong count is made of.
    static func completedGets(_ h: ShardKVHarness, _ count: Int) -> [TraceLine] {
        (1...count).filter { h.workload.clerks[$0].completed > 0 }.map { h.workload.lastOpLine($0) }
    }

    static func staticShards(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 11, unreliable: false, maxRaftState: -1)
        return h.verdict {
            try h.join(0)
            try h.join(1)
            let (ka, va) = try putKeys(h, 10) { _ in h.randString(20) }
            try checkAll(h, ka, va)
            // make sure that the data really is sharded by shutting down one shard and
            // checking that some Get()s don't succeed.
            h.shutdownGroup(1)
            try h.checkLogs()  // forbid snapshots
            let ndone = try countGets(h, ka, va, wrong: "static shards")
            if ndone != 5 {
                throw h.fail(
                    "completions", "expected 5 completions with one shard dead; got \(ndone)",
                    events: completedGets(h, ka.count))
            }
            // bring the crashed shard/group back to life.
            h.startGroup(1)
            try checkAll(h, ka, va)
        }
    }

    static func rejection(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(
            ctx, clerks: 11, unreliable: false, maxRaftState: -1, ctrlerSets: 2,
            clerkSet: { $0 == 0 ? 0 : 1 })
        return h.verdict {
            try h.join(0)
            try h.join(1)
            let (ka, va) = try putKeys(h, 10) { _ in h.randString(20) }
            try checkAll(h, ka, va)
            // A second controller that thinks group 0 holds every shard; its clerks send
            // every key to group 0, which must reject the shards it does not own.
            try h.join(0, set: 1)
            let ndone = try countGets(
                h, ka, va, wrong: "server should have rejected a key of a shard it does not own")
            if ndone != 5 {
                throw h.fail(
                    "completions", "expected 5 completions with one controller wrong; got \(ndone)",
                    events: completedGets(h, ka.count))
            }
        }
    }

    static func joinLeave(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 1, unreliable: false, maxRaftState: -1)
        return h.verdict {
            try h.join(0)
            var (ka, va) = try putKeys(h, 10) { _ in h.randString(5) }
            try checkAll(h, ka, va)
            try h.join(1)
            try checkAndAppend(h, ka, &va, 5)
            try h.leave(0)
            try checkAndAppend(h, ka, &va, 5)
            // allow time for shards to transfer.
            try h.sleep(ms: 1000)
            try h.checkLogs()
            h.shutdownGroup(0)
            try checkAll(h, ka, va)
        }
    }

    static func snapshot(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 1, unreliable: false, maxRaftState: 1000)
        return h.verdict {
            try h.join(0)
            var (ka, va) = try putKeys(h, 30) { _ in h.randString(20) }
            try checkAll(h, ka, va)
            try h.join(1)
            try h.join(2)
            try h.leave(0)
            try checkAndAppend(h, ka, &va, 20)
            try h.leave(1)
            try h.join(0)
            try checkAndAppend(h, ka, &va, 20)
            try h.sleep(ms: 1000)
            try checkAll(h, ka, va)
            try h.sleep(ms: 1000)
            try h.checkLogs()
            for gi in 0..<3 { h.shutdownGroup(gi) }
            for gi in 0..<3 { h.startGroup(gi) }
            try checkAll(h, ka, va)
        }
    }

    static func missChange(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 1, unreliable: false, maxRaftState: 1000)
        return h.verdict {
            try h.join(0)
            var (ka, va) = try putKeys(h, 10) { _ in h.randString(20) }
            try checkAll(h, ka, va)
            try h.join(1)
            for gi in 0..<3 { h.shutdownServer(gi, 0) }
            try h.join(2)
            try h.leave(1)
            try h.leave(0)
            try checkAndAppend(h, ka, &va, 20)
            try h.join(1)
            try checkAndAppend(h, ka, &va, 20)
            for gi in 0..<3 { h.startServer(gi, 0) }
            try checkAndAppend(h, ka, &va, 20)
            try h.sleep(ms: 2000)
            for gi in 0..<3 { h.shutdownServer(gi, 1) }
            try h.join(0)
            try h.leave(2)
            try checkAndAppend(h, ka, &va, 20)
            for gi in 0..<3 { h.startServer(gi, 1) }
            try checkAll(h, ka, va)
        }
    }
}
