// The ports of kvraft/test_test.go, in the original suite's order. The GenericTest family
// shares `KVGenericTest`; the special tests (speed, one key, one partition, snapshot RPC and
// size) follow the originals step by step, with their bounds in virtual time.
import DSimCore
import KVRaft

/// The kvraft ports.
enum KVPorts {
    /// One GenericTest port.
    static func generic(
        _ name: String, _ summary: String, _ p: KVGenericParams
    ) -> Scenario {
        Scenario(system: "kvraft", name: name, portOf: name, summary: summary) { ctx in
            KVGenericTest.run(ctx, p)
        }
    }

    /// A special port.
    static func special(
        _ name: String, _ summary: String, _ body: @escaping (RunContext) -> DSimCore.Verdict
    ) -> Scenario {
        Scenario(system: "kvraft", name: name, portOf: name, summary: summary, run: body)
    }

    /// Every port, in suite order.
    static let all: [Scenario] = [
        generic("TestBasic4A", "one client (4A)", .init(clients: 1, servers: 5)),
        special("TestSpeed4A", "ops complete fast enough (4A)") { speed($0, maxRaftState: -1) },
        generic("TestConcurrent4A", "many clients (4A)", .init(clients: 5, servers: 5)),
        generic(
            "TestUnreliable4A", "unreliable net, many clients (4A)",
            .init(clients: 5, servers: 5, unreliable: true)),
        special(
            "TestUnreliableOneKey4A", "concurrent append to same key, unreliable (4A)",
            unreliableOneKey),
        special(
            "TestOnePartition4A",
            "progress in majority, none in minority, completion after heal (4A)", onePartition),
        generic(
            "TestManyPartitionsOneClient4A", "partitions, one client (4A)",
            .init(clients: 1, servers: 5, partitions: true)),
        generic(
            "TestManyPartitionsManyClients4A", "partitions, many clients (4A)",
            .init(clients: 5, servers: 5, partitions: true)),
        generic(
            "TestPersistOneClient4A", "restarts, one client (4A)",
            .init(clients: 1, servers: 5, crash: true)),
        generic(
            "TestPersistConcurrent4A", "restarts, many clients (4A)",
            .init(clients: 5, servers: 5, crash: true)),
        generic(
            "TestPersistConcurrentUnreliable4A", "unreliable net, restarts, many clients (4A)",
            .init(clients: 5, servers: 5, unreliable: true, crash: true)),
        generic(
            "TestPersistPartition4A", "restarts, partitions, many clients (4A)",
            .init(clients: 5, servers: 5, crash: true, partitions: true)),
        generic(
            "TestPersistPartitionUnreliable4A",
            "unreliable net, restarts, partitions, many clients (4A)",
            .init(clients: 5, servers: 5, unreliable: true, crash: true, partitions: true)),
        generic(
            "TestPersistPartitionUnreliableLinearizable4A",
            "unreliable net, restarts, partitions, random keys, many clients (4A)",
            .init(
                clients: 15, servers: 7, unreliable: true, crash: true, partitions: true,
                randomKeys: true)),
        special("TestSnapshotRPC4B", "InstallSnapshot RPC (4B)", snapshotRPC),
        special("TestSnapshotSize4B", "snapshot size is reasonable (4B)", snapshotSize),
        special("TestSpeed4B", "ops complete fast enough (4B)") { speed($0, maxRaftState: 1000) },
        generic(
            "TestSnapshotRecover4B", "restarts, snapshots, one client (4B)",
            .init(clients: 1, servers: 5, crash: true, maxRaftState: 1000)),
        generic(
            "TestSnapshotRecoverManyClients4B", "restarts, snapshots, many clients (4B)",
            .init(clients: 20, servers: 5, crash: true, maxRaftState: 1000)),
        generic(
            "TestSnapshotUnreliable4B", "unreliable net, snapshots, many clients (4B)",
            .init(clients: 5, servers: 5, unreliable: true, maxRaftState: 1000)),
        generic(
            "TestSnapshotUnreliableRecover4B",
            "unreliable net, restarts, snapshots, many clients (4B)",
            .init(clients: 5, servers: 5, unreliable: true, crash: true, maxRaftState: 1000)),
        generic(
            "TestSnapshotUnreliableRecoverConcurrentPartition4B",
            "unreliable net, restarts, partitions, snapshots, many clients (4B)",
            .init(
                clients: 5, servers: 5, unreliable: true, crash: true, partitions: true,
                maxRaftState: 1000)),
        generic(
            "TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable4B",
            "unreliable net, restarts, partitions, snapshots, random keys, many clients (4B)",
            .init(
                clients: 15, servers: 7, unreliable: true, crash: true, partitions: true,
                maxRaftState: 1000, randomKeys: true)),
    ]
}

extension KVPorts {
    /// The speed bound: 1000 sequential appends in ≤ 1000 × 33.3 ms (heartbeat / 3).
    static let speedOps = 1000
    static let speedBoundNs: VirtualTime = 33_300_000

    /// TestSpeed4A / TestSpeed4B.
    static func speed(_ ctx: RunContext, maxRaftState: Int) -> DSimCore.Verdict {
        let h = KVHarness(ctx, servers: 3, clerks: 1, unreliable: false, maxRaftState: maxRaftState)
        return h.verdict {
            _ = try h.get(0, "x")  // wait until a leader serves
            let t0 = h.now
            for i in 0..<speedOps { try h.append(0, "x", "x 0 \(i) y") }
            let elapsed = h.now - t0
            let v = try h.get(0, "x")
            try h.checkClientAppends(0, v, speedOps, read: h.workload.lastOpLine(0))
            let perOp = elapsed / VirtualTime(speedOps)
            let speedLine = h.sim.trace.observe(
                "speed", node: nil, [("nsPerOp", .int(perOp)), ("ops", .int(Int64(speedOps)))])
            if elapsed > VirtualTime(speedOps) * speedBoundNs {
                throw h.fail(
                    "too-slow",
                    "Operations completed too slowly \(formatTime(perOp))/op > 33.3ms/op",
                    events: [speedLine])
            }
            try KVGenericTest.checkSizes(h, maxRaftState)
        }
    }

    /// TestUnreliableOneKey4A: 5 clients × 10 appends to "k" on an unreliable net.
    static func unreliableOneKey(_ ctx: RunContext) -> DSimCore.Verdict {
        let clients = 5
        let upto = 10
        let h = KVHarness(ctx, servers: 3, clerks: clients + 1, unreliable: true, maxRaftState: -1)
        // The original passes a nil opLog (50 concurrent appends to one key defeat Porcupine's
        // search); ours checks the history: the appends' unique values let the checker decide
        // it from the final Get without search (DSimCheck's AppendAnalysis).
        return h.verdict {
            try h.put(clients, "k", "")
            for c in 0..<clients {
                for j in 0..<upto {
                    h.workload.clerks[c].script.append(KVOperation(.append, "k", "x \(c) \(j) y"))
                }
                h.kick(c)
            }
            try h.waitClientsDone()
            let v = try h.get(clients, "k")
            try h.checkConcurrentAppends(
                v, Array(repeating: upto, count: clients), read: h.workload.lastOpLine(clients))
        }
    }
}
