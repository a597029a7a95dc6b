// The sequential unreliable port and the challenge ports: TestUnreliable1_5B, deletion of
// handed-over shards (TestChallenge1Delete, with its byte bound), and serving during a
// reconfiguration (TestChallenge2Unaffected / Partial).
import DSimCore
import ShardCtrler

extension ShardKVPorts {
    static func unreliable1(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 1, unreliable: true, maxRaftState: 100)
        return h.verdict {
            try h.join(0)
            var (ka, va) = try putKeys(h, 10) { _ in h.randString(5) }
            try h.join(1)
            try h.join(2)
            try h.leave(0)
            for ii in 0..<20 {
                let i = ii % 10
                try h.checkValue(0, ka[i], va[i])
                let x = h.randString(5)
                try h.append(0, ka[i], x)
                va[i] += x
            }
            try h.join(0)
            try h.leave(1)
            for ii in 0..<20 { try h.checkValue(0, ka[ii % 10], va[ii % 10]) }
        }
    }

    static func challenge1Delete(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 1, unreliable: false, maxRaftState: 1)
        return h.verdict {
            try h.join(0)
            // 30,000 bytes of total values.
            let n = 30
            let (ka, va) = try putKeys(h, n) { _ in h.randString(1000) }
            func check3() throws { for i in 0..<3 { try h.checkValue(0, ka[i], va[i]) } }
            try check3()
            for _ in 0..<2 {
                try h.join(1)
                try h.leave(0)
                try h.join(2)
                try h.sleep(ms: 3000)
                try check3()
                try h.leave(1)
                try h.join(0)
                try h.leave(2)
                try h.sleep(ms: 3000)
                try check3()
            }
            try h.join(1)
            try h.join(2)
            for _ in 0..<3 {
                try h.sleep(ms: 1000)
                try check3()
            }
            let total = h.totalStateBytes()
            // 27 keys should be stored once. 3 keys should also be stored in client dup
            // tables. everything on 3 replicas. plus slop.
            let expected = 3 * (((n - 3) * 1000) + 2 * 3 * 1000 + 6000)
            let line = h.sim.trace.observe(
                "stateBytes", node: nil,
                [("total", .int(Int64(total))), ("bound", .int(Int64(expected)))])
            if total > expected {
                throw h.fail(
                    "state-too-big",
                    "snapshot + persisted Raft state are too big: \(total) > \(expected)",
                    events: [line])
            }
            try checkAll(h, ka, va)
        }
    }

    static func challenge2Unaffected(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 1, unreliable: true, maxRaftState: 100)
        return h.verdict {
            // JOIN 100
            try h.join(0)
            // Do a bunch of puts to keys in all shards
            var (ka, va) = try putKeys(h, 10) { _ in "100" }
            // JOIN 101
            try h.join(1)
            // QUERY to find shards now owned by 101
            let c = try h.queryLatest()
            let owned = c.shards.map { $0 == h.gid(1) }
            // Wait for migration to new config to complete, and for clients to start using
            // this updated config.
            try h.sleep(ms: 1000)
            // (The original indexes `owned` by key index here, not by shard: kept.)
            for i in 0..<10 where owned[i] {
                va[i] = "101"
                try h.put(0, ka[i], va[i])
            }
            // KILL 100
            h.shutdownGroup(0)
            // LEAVE 100: 101 doesn't get a chance to migrate things previously owned by 100
            try h.leave(0)
            // Wait to make sure clients see new config
            try h.sleep(ms: 1000)
            // And finally: check that gets/puts for 101-owned keys still complete
            for i in 0..<10 where owned[keyToShard(ka[i])] {
                try h.checkValue(0, ka[i], va[i])
                try h.put(0, ka[i], va[i] + "-1")
                try h.checkValue(0, ka[i], va[i] + "-1")
            }
        }
    }

    static func challenge2Partial(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = ShardKVHarness(ctx, clerks: 1, unreliable: true, maxRaftState: 100)
        return h.verdict {
            // JOIN 100 + 101 + 102
            try h.joinm([0, 1, 2])
            // Give the implementation some time to reconfigure
            try h.sleep(ms: 1000)
            // Do a bunch of puts to keys in all shards
            let (ka, va) = try putKeys(h, 10) { _ in "100" }
            // QUERY to find shards owned by 102
            let c = try h.queryLatest()
            let owned = c.shards.map { $0 == h.gid(2) }
            // KILL 100
            h.shutdownGroup(0)
            // LEAVE 100 + 102: 101 can get old shards from 102, but not from 100. 101 should
            // start serving shards that used to belong to 102 as soon as possible
            try h.leavem([0, 2])
            // Give the implementation some time to start reconfiguration, and to migrate
            // 102 -> 101
            try h.sleep(ms: 1000)
            // And finally: check that gets/puts for 101-owned keys now complete
            for i in 0..<10 where owned[keyToShard(ka[i])] {
                try h.checkValue(0, ka[i], va[i])
                try h.put(0, ka[i], va[i] + "-2")
                try h.checkValue(0, ka[i], va[i] + "-2")
            }
        }
    }
}
