// The shardkv scenarios end to end: every port passes for a few seeds, the fuzz campaign
// passes, each planted bug is caught at the seed found by `dsim fuzz --plant`, a seed
// reproduces its trace, and the ports' assertions can fail (a port run against a broken group
// fails its own check, not only the linearizability check).
import DSimCore
import Scenarios
import XCTest

enum SKV {
    /// Runs scenario `name` of shardkv with `seed`.
    static func run(
        _ name: String, seed: UInt64, planted: [String] = [], params: JSON = .object([]),
        record: Bool = false
    ) -> RunResult {
        guard let scenario = ShardKVSystem.entry.scenario(name) else {
            preconditionFailure("no shardkv scenario \(name)")
        }
        var request = RunRequest(system: ShardKVSystem.entry, scenario: scenario, seed: seed)
        request.planted = planted
        // Today's knobs: the seeds these tests pin were chosen before knobs were drawn.
        request.params = params
        request = Knobs.standard(request)
        return Runner.run(
            request, source: .seed(seed), record: record, build: BuildInfo(commit: "test"))
    }

    /// Wall-clock seconds of `body` (test reporting only, never in a simulated path).
    static func seconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

final class ShardKVScenarioTests: XCTestCase {
    /// Every port of shardkv/test_test.go passes for three seeds.
    func testEveryPortPasses() {
        let ports = ShardKVSystem.entry.scenarios.filter { $0.portOf != nil }
        XCTAssertEqual(ports.count, 14)
        XCTAssertTrue(ports.allSatisfy { $0.portOf == $0.name })
        var total = 0.0
        for s in ports {
            for seed: UInt64 in [1, 2, 3] {
                var r: RunResult?
                total += SKV.seconds { r = SKV.run(s.name, seed: seed) }
                XCTAssertEqual(r!.verdict, .ok, "\(s.name) seed \(seed)")
            }
        }
        print("shardkv: 14 ports × 3 seeds in \(total) s")
    }

    /// The fuzz campaign finds nothing in 100 seeds, nor at seed 2237: a group cut off until
    /// just before the end still holds entries it could not snapshot (uncommitted), which
    /// checklogs must not count against maxraftstate.
    func testFuzzPasses100Seeds() {
        for seed: UInt64 in Array(1...100) + [2237] {
            let r = SKV.run("fuzz", seed: seed)
            XCTAssertEqual(r.verdict, .ok, "fuzz seed \(seed)")
        }
    }

    /// Each planted bug is caught by the fuzz scenario at the first failing seed found with
    /// `dsim fuzz --system shardkv --plant BUG --first --seeds 500`; the group's bugs break
    /// linearizability (a Get that misses writes, an append applied twice), the controller's
    /// makes groups disagree on a configuration.
    func testPlantedBugsAreCaught() {
        let cases: [(String, UInt64, [String])] = [
            // The group's bugs break a rule of the group at the apply that shows it
            // (`ShardGroupState+Rules`); before the rule checks, both were linearizability.
            ("serve-before-arrival", 1, ["shardkv-rule:serve-owned-present"]),
            ("dup-table-not-moved", 1, ["shardkv-rule:dup-table-moves-with-data"]),
            ("rebalance-map-order", 8, ["config-agreement"]),
        ]
        for (bug, seed, invariants) in cases {
            let r = SKV.run("fuzz", seed: seed, planted: [bug])
            guard case .violation(let v) = r.verdict else {
                XCTFail("\(bug) seed \(seed): \(r.verdict)")
                continue
            }
            XCTAssertTrue(invariants.contains(v.invariant), "\(bug): \(v.invariant)")
            XCTAssertEqual(
                SKV.run("fuzz", seed: seed).verdict, .ok, "\(bug) seed \(seed) without it")
        }
    }

    /// With shards served before their data arrives, the ports fail: the group's rule
    /// `serve-owned-present` fires at the first such Get, before the values TestSnapshot5B and
    /// TestMissChange5B check (get-wrong-value, as they failed before the rule checks).
    func testPortsCatchABrokenGroup() {
        var failed: [String] = []
        for name in ["TestSnapshot5B", "TestMissChange5B"] {
            let r = SKV.run(name, seed: 1, planted: ["serve-before-arrival"])
            if case .violation(let v) = r.verdict { failed.append("\(name):\(v.invariant)") }
        }
        XCTAssertEqual(
            failed,
            [
                "TestSnapshot5B:shardkv-rule:serve-owned-present",
                "TestMissChange5B:shardkv-rule:serve-owned-present",
            ])
    }

    /// The same seed twice gives the same trace text, byte for byte.
    func testSameSeedSameTrace() {
        for name in ["fuzz", "TestConcurrent1_5B"] {
            let a = SKV.run(name, seed: 7, record: true)
            let b = SKV.run(name, seed: 7, record: true)
            XCTAssertEqual(a.lines.count, b.lines.count, name)
            XCTAssertTrue(a.lines == b.lines, name)
        }
    }
}
