// Ports of the 3C (persistence) tests of raft/test_test.go.
import DSimCore

extension RaftPort {
    static let ports3C: [RaftPort] = [
        RaftPort(name: "TestPersist13C", summary: "basic persistence across crashes") { run in
            try persist1(RaftHarness(run, n: 3, unreliable: false, snapshots: false))
        },
        RaftPort(name: "TestPersist23C", summary: "more persistence: partitions and restarts") {
            run in
            try persist2(RaftHarness(run, n: 5, unreliable: false, snapshots: false))
        },
        RaftPort(
            name: "TestPersist33C",
            summary: "partitioned leader and one follower crash, leader restarts"
        ) { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
            try h.one(101, 3, retry: true)
            let leader = try h.checkOneLeader()
            h.disconnect((leader + 2) % 3)
            try h.one(102, 2, retry: true)
            h.crash1(leader)
            h.crash1((leader + 1) % 3)
            h.connect((leader + 2) % 3)
            h.start1(leader)
            h.connect(leader)
            try h.one(103, 2, retry: true)
            h.start1((leader + 1) % 3)
            h.connect((leader + 1) % 3)
            try h.one(104, 3, retry: true)
            try h.end()
        },
        RaftPort(name: "TestFigure83C", summary: "Figure 8: leaders crash with uncommitted entries")
        { run in
            try figure8(RaftHarness(run, n: 5, unreliable: false, snapshots: false))
        },
        RaftPort(name: "TestUnreliableAgree3C", summary: "agreement on an unreliable network") {
            run in
            let h = RaftHarness(run, n: 5, unreliable: true, snapshots: false)
            for iters in 1..<50 {
                for j in 0..<4 { try h.spawn(OneTask(LabCommand(100 * iters + j), 1)) }
                try h.one(iters, 1, retry: true)
            }
            h.sim.network.reliable = true
            try h.waitForTasks()
            try h.one(100, 5, retry: true)
            try h.end()
        },
        RaftPort(
            name: "TestFigure8Unreliable3C",
            summary: "Figure 8 on an unreliable, reordering network"
        ) { run in
            try figure8Unreliable(RaftHarness(run, n: 5, unreliable: true, snapshots: false))
        },
        RaftPort(
            name: "TestReliableChurn3C", summary: "churn: disconnects, crashes, restarts under load"
        ) { run in
            try churn(RaftHarness(run, n: 5, unreliable: false, snapshots: false))
        },
        RaftPort(name: "TestUnreliableChurn3C", summary: "churn on an unreliable network") { run in
            try churn(RaftHarness(run, n: 5, unreliable: true, snapshots: false))
        },
    ]

    static func persist1(_ h: RaftHarness) throws {
        try h.one(11, 3, retry: true)
        for i in 0..<3 { h.start1(i) }
        for i in 0..<3 {
            h.disconnect(i)
            h.connect(i)
        }
        try h.one(12, 3, retry: true)
        let leader1 = try h.checkOneLeader()
        h.disconnect(leader1)
        h.start1(leader1)
        h.connect(leader1)
        try h.one(13, 3, retry: true)
        let leader2 = try h.checkOneLeader()
        h.disconnect(leader2)
        try h.one(14, 2, retry: true)
        h.start1(leader2)
        h.connect(leader2)
        _ = try h.wait(4, 3, -1)  // wait for leader2 to join before killing i3
        let i3 = (try h.checkOneLeader() + 1) % 3
        h.disconnect(i3)
        try h.one(15, 2, retry: true)
        h.start1(i3)
        h.connect(i3)
        try h.one(16, 3, retry: true)
        try h.end()
    }

    static func persist2(_ h: RaftHarness) throws {
        let n = 5
        var index = 1
        for _ in 0..<5 {
            try h.one(10 + index, n, retry: true)
            index += 1
            let leader1 = try h.checkOneLeader()
            h.disconnect((leader1 + 1) % n)
            h.disconnect((leader1 + 2) % n)
            try h.one(10 + index, n - 2, retry: true)
            index += 1
            h.disconnect((leader1 + 0) % n)
            h.disconnect((leader1 + 3) % n)
            h.disconnect((leader1 + 4) % n)
            h.start1((leader1 + 1) % n)
            h.start1((leader1 + 2) % n)
            h.connect((leader1 + 1) % n)
            h.connect((leader1 + 2) % n)
            try h.sleep(ms: RaftHarness.electionTimeoutMs)
            h.start1((leader1 + 3) % n)
            h.connect((leader1 + 3) % n)
            try h.one(10 + index, n - 2, retry: true)
            index += 1
            h.connect((leader1 + 4) % n)
            h.connect((leader1 + 0) % n)
        }
        try h.one(1000, n, retry: true)
        try h.end()
    }

    /// The Figure 8 tests' sleep: 10% of the time up to half an election timeout, else < 13 ms.
    static func figure8Sleep(_ h: RaftHarness) throws {
        if h.rand(1000) < 100 {
            try h.sleep(ms: h.rand(RaftHarness.electionTimeoutMs / 2, "harness.sleep"))
        } else {
            try h.sleep(ms: h.rand(13, "harness.sleep"))
        }
    }

    static func figure8(_ h: RaftHarness) throws {
        let n = 5
        try h.one(h.randomValue(), 1, retry: true)
        var nup = n
        for _ in 0..<1000 {
            var leader = -1
            for i in 0..<n where h.sim.isUp(i) {
                if let r = h.start(i, h.randomValue()), r.isLeader { leader = i }
            }
            try figure8Sleep(h)
            if leader != -1 {
                h.crash1(leader)
                nup -= 1
            }
            if nup < 3 {
                let s = h.rand(n)
                if !h.sim.isUp(s) {
                    h.start1(s)
                    h.connect(s)
                    nup += 1
                }
            }
        }
        for i in 0..<n where !h.sim.isUp(i) {
            h.start1(i)
            h.connect(i)
        }
        try h.one(h.randomValue(), n, retry: true)
        try h.end()
    }

    static func figure8Unreliable(_ h: RaftHarness) throws {
        let n = 5
        try h.one(h.rand(10000, "harness.cmd"), 1, retry: true)
        var nup = n
        for iters in 0..<1000 {
            if iters == 200 { h.sim.network.longReordering = true }
            var leader = -1
            for i in 0..<n {
                if let r = h.start(i, h.rand(10000, "harness.cmd")), r.isLeader, h.connected[i] {
                    leader = i
                }
            }
            try figure8Sleep(h)
            if leader != -1 && h.rand(1000) < RaftHarness.electionTimeoutMs / 2 {
                h.disconnect(leader)
                nup -= 1
            }
            if nup < 3 {
                let s = h.rand(n)
                if !h.connected[s] {
                    h.connect(s)
                    nup += 1
                }
            }
        }
        for i in 0..<n where !h.connected[i] { h.connect(i) }
        try h.one(h.rand(10000, "harness.cmd"), n, retry: true)
        try h.end()
    }

    /// The churn tests' body on a given harness (public for benchmarks: events per second).
    public static func churn(_ h: RaftHarness) throws {
        let n = 5
        let clients = (0..<3).map { ChurnClient(me: $0) }
        for c in clients { try h.spawn(c) }
        for _ in 0..<20 {
            if h.rand(1000) < 200 { h.disconnect(h.rand(n)) }
            if h.rand(1000) < 500 {
                let i = h.rand(n)
                if !h.sim.isUp(i) { h.start1(i) }
                h.connect(i)
            }
            if h.rand(1000) < 200 {
                let i = h.rand(n)
                if h.sim.isUp(i) { h.crash1(i) }
            }
            try h.sleep(ms: RaftHarness.electionTimeoutMs * 7 / 10)
        }
        try h.sleep(ms: RaftHarness.electionTimeoutMs)
        h.sim.network.reliable = true
        for i in 0..<n {
            if !h.sim.isUp(i) { h.start1(i) }
            h.connect(i)
        }
        for c in clients { c.stop = true }
        try h.waitForTasks()
        var values: [Int] = []
        var seen: [(index: Int, line: TraceLine)] = []
        for c in clients {
            values += c.values
            seen += c.seen
        }
        try h.sleep(ms: RaftHarness.electionTimeoutMs)
        let lastIndex = try h.one(h.randomValue(), n, retry: true)
        var really = Set<Int>()
        for index in 1...lastIndex {
            if let v = try h.wait(index, n, -1) { really.insert(v.value) }
        }
        for (v, seen) in zip(values, seen) where !really.contains(v) {
            // The apply that showed it committed, and what the servers hold there now.
            throw h.fail(
                "value-not-found", "didn't find a value (\(v))",
                events: ([seen.line] + h.monitor.appliedLines(index: seen.index)).filter {
                    $0 > 0
                })
        }
        try h.end()
    }
}

/// A churn client (cfn): Start on every live peer, accept the value when it commits within
/// 10/20/50/100/200 ms of polling.
final class ChurnClient: HarnessTask {
    let me: Int
    var stop = false
    var values: [Int] = []
    /// For each accepted value, its index and the `apply` line that showed it committed.
    var seen: [(index: Int, line: TraceLine)] = []
    var x = 0
    var index = -1
    var backoff = 0
    static let backoffMs = [10, 20, 50, 100, 200]

    init(me: Int) { self.me = me }

    override func poll(_ h: RaftHarness) throws {
        if index != -1 {
            let (nd, cmd) = try h.nCommitted(index)
            if nd > 0 {
                if cmd?.value == x {
                    values.append(x)
                    seen.append((index, h.monitor.appliedLines(index: index).first ?? 0))
                }
            } else if backoff < Self.backoffMs.count {
                wakeAt = h.now + VirtualTime(Self.backoffMs[backoff]) * Duration.millisecond
                backoff += 1
                return
            }
            index = -1
        }
        if stop {
            isDone = true
            return
        }
        x = h.randomValue()
        for i in 0..<h.n {
            if let r = h.start(i, x), r.isLeader { index = r.index }
        }
        if index != -1 {
            backoff = 0
            wakeAt = h.now
            try poll(h)
        } else {
            wakeAt = h.now + VirtualTime(79 + me * 17) * Duration.millisecond
        }
    }
}
