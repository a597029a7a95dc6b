// Ports of the 3D (snapshot) tests of raft/test_test.go.
import DSimCore

extension RaftPort {
    static let ports3D: [RaftPort] = [
        RaftPort(name: "TestSnapshotBasic3D", summary: "snapshots basic") { run in
            try snapcommon(run, disconnect: false, reliable: true, crash: false)
        },
        RaftPort(name: "TestSnapshotInstall3D", summary: "install snapshots (disconnect)") { run in
            try snapcommon(run, disconnect: true, reliable: true, crash: false)
        },
        RaftPort(
            name: "TestSnapshotInstallUnreliable3D",
            summary: "install snapshots (disconnect+unreliable)"
        ) { run in
            try snapcommon(run, disconnect: true, reliable: false, crash: false)
        },
        RaftPort(name: "TestSnapshotInstallCrash3D", summary: "install snapshots (crash)") { run in
            try snapcommon(run, disconnect: false, reliable: true, crash: true)
        },
        RaftPort(
            name: "TestSnapshotInstallUnCrash3D", summary: "install snapshots (unreliable+crash)"
        ) { run in
            try snapcommon(run, disconnect: false, reliable: false, crash: true)
        },
        RaftPort(name: "TestSnapshotAllCrash3D", summary: "crash and restart all servers") { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: true)
            try h.one(h.randomValue(), 3, retry: true)
            for _ in 0..<5 {
                let nn = RaftServer.snapshotInterval / 2 + h.rand(RaftServer.snapshotInterval)
                for _ in 0..<nn { try h.one(h.randomValue(), 3, retry: true) }
                let index1 = try h.one(h.randomValue(), 3, retry: true)
                for i in 0..<3 { h.crash1(i) }
                for i in 0..<3 {
                    h.start1(i)
                    h.connect(i)
                }
                let index2 = try h.one(h.randomValue(), 3, retry: true)
                try h.expect(
                    index2 >= index1 + 1, "index-decreased",
                    "index decreased from \(index1) to \(index2)")
            }
            try h.end()
        },
        RaftPort(
            name: "TestSnapshotInit3D",
            summary: "snapshot initialized from the persister after restarts"
        ) { run in
            let h = RaftHarness(run, n: 3, unreliable: false, snapshots: true)
            try h.one(h.randomValue(), 3, retry: true)
            for _ in 0..<(RaftServer.snapshotInterval + 1) {
                try h.one(h.randomValue(), 3, retry: true)
            }
            for _ in 0..<2 {
                for i in 0..<3 { h.crash1(i) }
                for i in 0..<3 {
                    h.start1(i)
                    h.connect(i)
                }
                try h.one(h.randomValue(), 3, retry: true)
            }
            try h.end()
        },
    ]

    /// config.go's MAXLOGSIZE for the snapshot tests.
    static let maxLogSizeBytes = 2000

    static func snapcommon(_ run: RaftRun, disconnect: Bool, reliable: Bool, crash: Bool) throws {
        let n = 3
        let h = RaftHarness(run, n: n, unreliable: !reliable, snapshots: true)
        try h.one(h.randomValue(), n, retry: true)
        var leader1 = try h.checkOneLeader()
        for i in 0..<30 {
            var victim = (leader1 + 1) % n
            var sender = leader1
            if i % 3 == 1 {
                sender = (leader1 + 1) % n
                victim = leader1
            }
            if disconnect {
                h.disconnect(victim)
                try h.one(h.randomValue(), n - 1, retry: true)
            }
            if crash {
                h.crash1(victim)
                try h.one(h.randomValue(), n - 1, retry: true)
            }
            let nn = RaftServer.snapshotInterval / 2 + h.rand(RaftServer.snapshotInterval)
            for _ in 0..<nn { h.start(sender, h.randomValue()) }
            try h.one(h.randomValue(), disconnect || crash ? n - 1 : n, retry: true)
            try h.expect(
                h.logSize < maxLogSizeBytes, "log-size-too-large",
                "Log size too large (\(h.logSize) bytes)")
            if disconnect {
                h.connect(victim)
                try h.one(h.randomValue(), n, retry: true)
                leader1 = try h.checkOneLeader()
            }
            if crash {
                h.start1(victim)
                h.connect(victim)
                try h.one(h.randomValue(), n, retry: true)
                leader1 = try h.checkOneLeader()
            }
        }
        try h.end()
    }
}
