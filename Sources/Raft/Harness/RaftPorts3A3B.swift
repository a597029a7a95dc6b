// Ports of the 3A (election) and 3B (agreement) tests of raft/test_test.go.
import DSimCore

extension RaftPort {
    static let ports3A: [RaftPort] = [
        RaftPort(
            name: "TestInitialElection3A", summary: "initial election: one leader, stable term"
        ) { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            _ = try h.checkOneLeader()
            try h.sleep(ms: 50)
            let term1 = try h.checkTerms()
            try h.expect(term1 >= 1, "term-too-small", "term is \(term1), but should be at least 1")
            try h.sleep(ms: 2 * RaftHarness.electionTimeoutMs)
            _ = try h.checkTerms()  // a changed term is only a warning in the original
            _ = try h.checkOneLeader()
            try h.end()
        },
        RaftPort(name: "TestReElection3A", summary: "election after network failure") { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            let leader1 = try h.checkOneLeader()
            h.disconnect(leader1)
            _ = try h.checkOneLeader()
            h.connect(leader1)
            let leader2 = try h.checkOneLeader()
            h.disconnect(leader2)
            h.disconnect((leader2 + 1) % 3)
            try h.sleep(ms: 2 * RaftHarness.electionTimeoutMs)
            try h.checkNoLeader()
            h.connect((leader2 + 1) % 3)
            _ = try h.checkOneLeader()
            h.connect(leader2)
            _ = try h.checkOneLeader()
            try h.end()
        },
        RaftPort(
            name: "TestManyElections3A", summary: "multiple elections with 3 of 7 disconnected"
        ) { run in
            let n = 7
            let h = RaftHarness(run, n: n, unreliable: false, snapshots: false)
            _ = try h.checkOneLeader()
            for _ in 1..<10 {
                let i1 = h.rand(n), i2 = h.rand(n), i3 = h.rand(n)
                h.disconnect(i1)
                h.disconnect(i2)
                h.disconnect(i3)
                _ = try h.checkOneLeader()
                h.connect(i1)
                h.connect(i2)
                h.connect(i3)
            }
            _ = try h.checkOneLeader()
            try h.end()
        },
    ]

    static let ports3B: [RaftPort] = [
        RaftPort(name: "TestBasicAgree3B", summary: "basic agreement") { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            for index in 1...3 {
                let nd = try h.nCommitted(index).count
                try h.expect(
                    nd == 0, "committed-before-start", "some have committed before Start()")
                let x = try h.one(index * 100, 3, retry: false)
                try h.expect(x == index, "wrong-index", "got index \(x) but expected \(index)")
            }
            try h.end()
        },
        RaftPort(name: "TestRPCBytes3B", summary: "RPC byte count: each command sent about once") {
            run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            try h.one(99, 3, retry: false)
            let bytes0 = h.bytesTotal
            var sent = 0
            for index in 2..<12 {
                let cmd = LabCommand(h.randomValue(), sizeBytes: 5000)
                let x = try h.one(cmd, 3, retry: false)
                try h.expect(x == index, "wrong-index", "got index \(x) but expected \(index)")
                sent += 5000
            }
            let got = h.bytesTotal - bytes0
            let expected = 3 * sent
            try h.expect(
                got <= expected + 50_000, "too-many-rpc-bytes",
                "too many RPC bytes; got \(got), expected \(expected)")
            try h.end()
        },
        RaftPort(
            name: "TestFollowerFailure3B", summary: "progress with one follower out; none with two"
        ) { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            try h.one(101, 3, retry: false)
            let leader1 = try h.checkOneLeader()
            h.disconnect((leader1 + 1) % 3)
            try h.one(102, 2, retry: false)
            try h.sleep(ms: RaftHarness.electionTimeoutMs)
            try h.one(103, 2, retry: false)
            let leader2 = try h.checkOneLeader()
            h.disconnect((leader2 + 1) % 3)
            h.disconnect((leader2 + 2) % 3)
            let r = h.start(leader2, 104)
            try h.expect(r?.isLeader == true, "leader-rejected-start", "leader rejected Start()")
            try h.expect(r?.index == 4, "wrong-index", "expected index 4, got \(r?.index ?? -1)")
            try h.sleep(ms: 2 * RaftHarness.electionTimeoutMs)
            let nd = try h.nCommitted(4).count
            try h.expect(nd == 0, "committed-without-majority", "\(nd) committed but no majority")
            try h.end()
        },
        RaftPort(
            name: "TestLeaderFailure3B",
            summary: "progress after leader failure; none without majority"
        ) { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            try h.one(101, 3, retry: false)
            let leader1 = try h.checkOneLeader()
            h.disconnect(leader1)
            try h.one(102, 2, retry: false)
            try h.sleep(ms: RaftHarness.electionTimeoutMs)
            try h.one(103, 2, retry: false)
            let leader2 = try h.checkOneLeader()
            h.disconnect(leader2)
            for i in 0..<3 { h.start(i, 104) }
            try h.sleep(ms: 2 * RaftHarness.electionTimeoutMs)
            let nd = try h.nCommitted(4).count
            try h.expect(nd == 0, "committed-without-majority", "\(nd) committed but no majority")
            try h.end()
        },
        RaftPort(name: "TestFailAgree3B", summary: "agreement after a follower reconnects") { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            try h.one(101, 3, retry: false)
            let leader = try h.checkOneLeader()
            h.disconnect((leader + 1) % 3)
            try h.one(102, 2, retry: false)
            try h.one(103, 2, retry: false)
            try h.sleep(ms: RaftHarness.electionTimeoutMs)
            try h.one(104, 2, retry: false)
            try h.one(105, 2, retry: false)
            h.connect((leader + 1) % 3)
            try h.one(106, 3, retry: true)
            try h.sleep(ms: RaftHarness.electionTimeoutMs)
            try h.one(107, 3, retry: true)
            try h.end()
        },
        RaftPort(
            name: "TestFailNoAgree3B", summary: "no agreement if too many followers disconnect"
        ) { run in
            let n = 5
            let h = RaftHarness(run, n: n, unreliable: false, snapshots: false)
            try h.one(10, n, retry: false)
            let leader = try h.checkOneLeader()
            for k in 1...3 { h.disconnect((leader + k) % n) }
            let r = h.start(leader, 20)
            try h.expect(r?.isLeader == true, "leader-rejected-start", "leader rejected Start()")
            try h.expect(r?.index == 2, "wrong-index", "expected index 2, got \(r?.index ?? -1)")
            try h.sleep(ms: 2 * RaftHarness.electionTimeoutMs)
            let nd = try h.nCommitted(2).count
            try h.expect(nd == 0, "committed-without-majority", "\(nd) committed but no majority")
            for k in 1...3 { h.connect((leader + k) % n) }
            let leader2 = try h.checkOneLeader()
            let r2 = h.start(leader2, 30)
            try h.expect(r2?.isLeader == true, "leader-rejected-start", "leader2 rejected Start()")
            let index2 = r2?.index ?? -1
            try h.expect(index2 >= 2 && index2 <= 3, "wrong-index", "unexpected index \(index2)")
            try h.one(1000, n, retry: true)
            try h.end()
        },
        RaftPort(
            name: "TestConcurrentStarts3B", summary: "concurrent Start()s in one term all commit"
        ) { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            try h.expect(
                try concurrentStarts(h), "term-changed-too-often", "term changed too often")
            try h.end()
        },
        RaftPort(
            name: "TestRejoin3B",
            summary: "a partitioned leader rejoins; its entries are overwritten"
        ) { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            try h.one(101, 3, retry: true)
            let leader1 = try h.checkOneLeader()
            h.disconnect(leader1)
            for v in 102...104 { h.start(leader1, v) }
            try h.one(103, 2, retry: true)
            let leader2 = try h.checkOneLeader()
            h.disconnect(leader2)
            h.connect(leader1)
            try h.one(104, 2, retry: true)
            h.connect(leader2)
            try h.one(105, 3, retry: true)
            try h.end()
        },
        RaftPort(
            name: "TestBackup3B", summary: "leader backs up quickly over incorrect follower logs"
        ) { run in
            try backup(RaftHarness(run, n: 5, unreliable: false, snapshots: false))
        },
        RaftPort(name: "TestCount3B", summary: "RPC counts are not too high") { run in
            try count(RaftHarness(run, n: 3, unreliable: false, snapshots: false))
        },
    ]

    /// TestConcurrentStarts3B's retry loop; false when the term changed on every try.
    static func concurrentStarts(_ h: RaftHarness) throws -> Bool {
        tries: for attempt in 0..<5 {
            if attempt > 0 { try h.sleep(ms: 3000) }
            let leader = try h.checkOneLeader()
            guard let r = h.start(leader, 1), r.isLeader else { continue }
            let term = r.term
            var indices: [Int] = []
            var indexOf: [Int: Int] = [:]
            for i in shuffled(5, h) {  // goroutines run in any order
                if let r1 = h.start(leader, 100 + i), r1.term == term, r1.isLeader {
                    indices.append(r1.index)
                    indexOf[100 + i] = r1.index
                }
            }
            for j in 0..<3 where h.state(j)?.term != term { continue tries }
            var cmds: [Int] = []
            for index in indices {
                guard let cmd = try h.wait(index, 3, term) else { continue tries }
                cmds.append(cmd.value)
            }
            for i in 0..<5 where !cmds.contains(100 + i) {
                // Its start line and what was applied at its index, when a leader took it;
                // else the leader's role line (it lost the term before taking the command).
                let lines = indexOf[100 + i].map { h.agreementLines($0) } ?? []
                throw h.fail(
                    "cmd-missing", "cmd \(100 + i) missing in \(cmds)",
                    events: lines.isEmpty ? [h.monitor.lastRoleLine[leader]] : lines)
            }
            return true
        }
        return false
    }

    /// A permutation of 0..<n drawn through the choices.
    static func shuffled(_ n: Int, _ h: RaftHarness) -> [Int] {
        var a = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) {
            a.swapAt(i, h.choices.below(i + 1, "harness.shuffle"))
        }
        return a
    }

    static func backup(_ h: RaftHarness) throws {
        let n = 5
        try h.one(h.randomValue(), n, retry: true)
        let leader1 = try h.checkOneLeader()
        for k in 2...4 { h.disconnect((leader1 + k) % n) }
        for _ in 0..<50 { h.start(leader1, h.randomValue()) }
        try h.sleep(ms: RaftHarness.electionTimeoutMs / 2)
        h.disconnect(leader1)
        h.disconnect((leader1 + 1) % n)
        for k in 2...4 { h.connect((leader1 + k) % n) }
        for _ in 0..<50 { try h.one(h.randomValue(), 3, retry: true) }
        let leader2 = try h.checkOneLeader()
        var other = (leader1 + 2) % n
        if leader2 == other { other = (leader2 + 1) % n }
        h.disconnect(other)
        for _ in 0..<50 { h.start(leader2, h.randomValue()) }
        try h.sleep(ms: RaftHarness.electionTimeoutMs / 2)
        for i in 0..<n { h.disconnect(i) }
        h.connect(leader1)
        h.connect((leader1 + 1) % n)
        h.connect(other)
        for _ in 0..<50 { try h.one(h.randomValue(), 3, retry: true) }
        for i in 0..<n { h.connect(i) }
        try h.one(h.randomValue(), n, retry: true)
        try h.end()
    }

    static func count(_ h: RaftHarness) throws {
        func rpcs() -> Int { (0..<3).reduce(0) { $0 + h.rpcCount($1) } }
        var leader = try h.checkOneLeader()
        var total1 = rpcs()
        try h.expect(
            total1 <= 30 && total1 >= 1, "rpc-count-election",
            "too many or few RPCs (\(total1)) to elect initial leader")
        var total2 = 0
        var success = false
        tries: for attempt in 0..<5 {
            if attempt > 0 { try h.sleep(ms: 3000) }
            leader = try h.checkOneLeader()
            total1 = rpcs()
            let iters = 10
            guard let s = h.start(leader, 1), s.isLeader else { continue }
            var cmds: [Int] = []
            for i in 1..<(iters + 2) {
                let x = h.choices.below(1 << 31, "harness.cmd")
                cmds.append(x)
                guard let r = h.start(leader, x), r.term == s.term, r.isLeader else {
                    continue tries
                }
                try h.expect(s.index + i == r.index, "start-failed", "Start() failed")
            }
            for i in 1..<(iters + 1) {
                guard let cmd = try h.wait(s.index + i, 3, s.term) else { continue tries }
                try h.expect(
                    cmd.value == cmds[i - 1], "wrong-value",
                    "wrong value \(cmd) committed for index \(s.index + i); expected \(cmds[i - 1])"
                )
            }
            var failed = false
            total2 = 0
            for j in 0..<3 {
                if h.state(j)?.term != s.term { failed = true }
                total2 += h.rpcCount(j)
            }
            if failed { continue tries }
            try h.expect(
                total2 - total1 <= (iters + 1 + 3) * 3, "rpc-count-agreement",
                "too many RPCs (\(total2 - total1)) for \(iters) entries")
            success = true
            break
        }
        try h.expect(success, "term-changed-too-often", "term changed too often")
        try h.sleep(ms: RaftHarness.electionTimeoutMs)
        let total3 = rpcs()
        try h.expect(
            total3 - total2 <= 3 * 20, "rpc-count-idle",
            "too many RPCs (\(total3 - total2)) for 1 second of idleness")
        try h.end()
    }
}
