// The partition-driven kvraft ports: TestOnePartition4A (progress in the majority, none in the
// minority, completion after heal) and TestSnapshotRPC4B (a lagging server catches up through
// InstallSnapshot), plus TestSnapshotSize4B.
import DSimCore
import KVRaft

extension KVPorts {
    /// make_partition: a majority without the leader, and a minority holding it.
    static func makePartition(_ h: KVHarness) -> (p1: [Int], p2: [Int]) {
        let l = h.leader() ?? 0
        let others = (0..<h.n).filter { $0 != l }
        let p1 = Array(others.prefix(h.n / 2 + 1))
        return (p1, Array(others.dropFirst(h.n / 2 + 1)) + [l])
    }

    /// TestOnePartition4A.
    static func onePartition(_ ctx: RunContext) -> DSimCore.Verdict {
        let h = KVHarness(ctx, servers: 5, clerks: 4, unreliable: false, maxRaftState: -1)
        let (ck, ckp1, ckp2a, ckp2b) = (0, 1, 2, 3)
        return h.verdict {
            try h.put(ck, "1", "13")
            let (p1, p2) = makePartition(h)
            h.partition([p1, p2])
            h.connectClient(ckp1, to: p1)
            h.connectClient(ckp2a, to: p2)
            h.connectClient(ckp2b, to: p2)
            try h.put(ckp1, "1", "14")
            try h.checkValue(ckp1, "1", "14")
            // no progress in minority
            h.start(ckp2a, KVOperation(.put, "1", "15"))
            h.start(ckp2b, KVOperation(.get, "1"))
            try h.sleep(ms: 1000)
            if h.workload.clerks[ckp2a].completed > 0 {
                throw h.fail(
                    "minority-progress", "Put in minority completed",
                    events: [h.workload.lastOpLine(ckp2a)])
            }
            if h.workload.clerks[ckp2b].completed > 0 {
                throw h.fail(
                    "minority-progress", "Get in minority completed",
                    events: [h.workload.lastOpLine(ckp2b)])
            }
            try h.checkValue(ckp1, "1", "14")
            try h.put(ckp1, "1", "16")
            try h.checkValue(ckp1, "1", "16")
            // completion after heal
            h.connectAll()
            h.connectClient(ckp2a, to: Array(0..<h.n))
            h.connectClient(ckp2b, to: Array(0..<h.n))
            try h.sleep(ms: 1000)
            let done = h.sim.run(for: 3 * Duration.second) {
                h.workload.clerks[ckp2a].completed > 0
            }
            try h.check()
            if !done { throw h.livenessFailure("Put did not complete", clerks: [ckp2a]) }
            try h.checkValue(ck, "1", "15")
        }
    }

    /// TestSnapshotRPC4B.
    static func snapshotRPC(_ ctx: RunContext) -> DSimCore.Verdict {
        let maxRaftState = 1000
        let h = KVHarness(ctx, servers: 3, clerks: 3, unreliable: false, maxRaftState: maxRaftState)
        return h.verdict {
            try h.put(0, "a", "A")
            try h.checkValue(0, "a", "A")
            // a bunch of puts into the majority partition
            h.partition([[0, 1], [2]])
            h.connectClient(1, to: [0, 1])
            for i in 0..<50 { try h.put(1, String(i), String(i)) }
            try h.sleep(ms: 1000)
            try h.put(1, "b", "B")
            // the majority has thrown away most of its log
            let sz = h.logSize()
            if sz > 8 * maxRaftState {
                throw h.sizeFailure(
                    "logs-not-trimmed", "logs were not trimmed (\(sz) > 8*\(maxRaftState))")
            }
            // a group that needs the lagging server, which must catch up
            h.partition([[0, 2], [1]])
            h.connectClient(2, to: [0, 2])
            try h.put(2, "c", "C")
            try h.put(2, "d", "D")
            try h.checkValue(2, "a", "A")
            try h.checkValue(2, "b", "B")
            try h.checkValue(2, "1", "1")
            try h.checkValue(2, "49", "49")
            // now everybody
            h.partition([[0, 1, 2]])
            try h.put(0, "e", "E")
            try h.checkValue(0, "c", "C")
            try h.checkValue(0, "e", "E")
            try h.checkValue(0, "1", "1")
        }
    }

    /// TestSnapshotSize4B: 200 × (Put x 0, check, Put x 1, check); LogSize ≤ 8000 and
    /// SnapshotSize ≤ 500.
    static func snapshotSize(_ ctx: RunContext) -> DSimCore.Verdict {
        let maxRaftState = 1000
        let maxSnapshotState = 500
        let h = KVHarness(ctx, servers: 3, clerks: 1, unreliable: false, maxRaftState: maxRaftState)
        return h.verdict {
            for _ in 0..<200 {
                try h.put(0, "x", "0")
                try h.checkValue(0, "x", "0")
                try h.put(0, "x", "1")
                try h.checkValue(0, "x", "1")
            }
            let sz = h.logSize()
            if sz > 8 * maxRaftState {
                throw h.sizeFailure(
                    "logs-not-trimmed", "logs were not trimmed (\(sz) > 8*\(maxRaftState))")
            }
            let ssz = h.snapshotSize()
            if ssz > maxSnapshotState {
                throw h.sizeFailure(
                    "snapshot-too-large", "snapshot too large (\(ssz) > \(maxSnapshotState))")
            }
        }
    }
}
