// The shardctrler scenarios end to end: every port passes, the fuzz campaign passes, each
// planted bug is caught by the fuzz campaign (at the seed `dsim fuzz --plant --first` found)
// and the seed passes without it, a seed reproduces its trace, and the configuration checks
// give the known answers on hand-made transitions.
import DSimCore
import Scenarios
import ShardCtrler
import XCTest

final class ShardCtrlerScenarioTests: XCTestCase {
    func run(
        _ name: String, seed: UInt64, planted: [String] = [], record: Bool = false
    ) -> RunResult {
        let system = ShardCtrlerSystem.entry
        guard let scenario = system.scenario(name) else {
            preconditionFailure("no shardctrler scenario \(name)")
        }
        var request = RunRequest(system: system, scenario: scenario, seed: seed)
        request.planted = planted
        // Today's knobs: the seeds these tests pin were chosen before knobs were drawn.
        request = Knobs.standard(request)
        return Runner.run(
            request, source: .seed(seed), record: record, build: BuildInfo(commit: "test"))
    }

    /// The three ports, named after their originals, pass for five seeds each.
    func testEveryPortPasses() {
        let ports = ShardCtrlerSystem.entry.scenarios.filter { $0.portOf != nil }
        XCTAssertEqual(ports.map(\.name), ["TestBasic", "TestMulti", "TestMinimalAgain"])
        XCTAssertEqual(ports.map(\.portOf), ports.map(\.name))
        for s in ports {
            for seed: UInt64 in 1...5 {
                XCTAssertEqual(run(s.name, seed: seed).verdict, .ok, "\(s.name) seed \(seed)")
            }
        }
    }

    /// The fuzz campaign finds nothing in 100 seeds, and nothing is left unknown.
    func testFuzzPasses100Seeds() {
        for seed: UInt64 in 1...100 {
            XCTAssertEqual(run("fuzz", seed: seed).verdict, .ok, "fuzz seed \(seed)")
        }
    }

    /// Each planted bug fails the fuzz campaign at the first failing seed found with
    /// `dsim fuzz --system shardctrler --plant BUG --first`, on the invariant meant to catch
    /// it and citing trace lines; without the bug the same seed passes. (If the behaviour
    /// changed and the recorded seed passes, the first failing seed within 500 must exist.)
    /// `rebalance-map-order` also fails every port.
    func testPlantedBugsAreCaughtBothWays() {
        let cases: [(String, UInt64, String)] = [
            ("rebalance-map-order", 1, "sequential-replay"),
            ("stale-query", 5, "query-consistency"),
        ]
        for (bug, recorded, invariant) in cases {
            var seed = recorded
            if run("fuzz", seed: seed, planted: [bug]).verdict == .ok {
                let found = (1...500).lazy.map { UInt64($0) }.first {
                    self.run("fuzz", seed: $0, planted: [bug]).verdict != .ok
                }
                guard let s = found else {
                    XCTFail("\(bug): no failing seed in 1...500")
                    continue
                }
                print("shardctrler: \(bug) now first fails at seed \(s) (recorded \(recorded))")
                seed = s
            }
            let r = run("fuzz", seed: seed, planted: [bug])
            guard case .violation(let v) = r.verdict else {
                XCTFail("\(bug): \(r.verdict)")
                continue
            }
            XCTAssertEqual(v.invariant, invariant, v.message)
            XCTAssertFalse(v.events.isEmpty, bug)
            XCTAssertEqual(run("fuzz", seed: seed).verdict, .ok, bug)
        }
        for port in ["TestBasic", "TestMulti", "TestMinimalAgain"] {
            let r = run(port, seed: 1, planted: ["rebalance-map-order"])
            guard case .violation(let v) = r.verdict else {
                XCTFail("\(port): \(r.verdict)")
                continue
            }
            XCTAssertTrue(v.message.contains("replicas disagree"), v.message)
        }
    }

    /// The same seed twice gives the same trace text, byte for byte.
    func testSameSeedSameTrace() {
        for name in ["fuzz", "TestBasic"] {
            let a = run(name, seed: 7, record: true)
            let b = run(name, seed: 7, record: true)
            XCTAssertGreaterThan(a.lines.count, 100, name)
            XCTAssertTrue(a.lines == b.lines, name)
        }
    }

    /// A configuration whose groups 1 and 2 have servers ["a"] and ["b"].
    func config(_ num: Int, _ shards: [Int], _ gids: [Int]) -> ShardConfig {
        ShardConfig(
            num: num, shards: shards,
            groups: gids.map { ShardGroup(gid: $0, servers: [$0 == 1 ? "a" : "b"]) })
    }

    /// Minimal moves: known answers, including a Move-unbalanced start and more groups than
    /// shards.
    func testMinimalMovesKnownAnswers() {
        let z = Array(repeating: 0, count: 10)
        XCTAssertEqual(CtrlerChecks.minimalMoves(z, over: [1]), 10)
        XCTAssertEqual(CtrlerChecks.minimalMoves(Array(repeating: 1, count: 10), over: [1, 2]), 5)
        // 5/5 over {1, 2} joined by 3: 4/3/3 keeps 4 on one and 3 on the other: 3 move.
        XCTAssertEqual(
            CtrlerChecks.minimalMoves([1, 1, 1, 1, 1, 2, 2, 2, 2, 2], over: [1, 2, 3]), 3)
        // 1 leaves 4/3/3: its 4 shards move.
        XCTAssertEqual(CtrlerChecks.minimalMoves([1, 1, 1, 1, 2, 2, 2, 3, 3, 3], over: [2, 3]), 4)
        // A Move made 7/3 over {1, 2}: rebalancing needs 2 moves.
        XCTAssertEqual(CtrlerChecks.minimalMoves([1, 1, 1, 1, 1, 1, 1, 2, 2, 2], over: [1, 2]), 2)
        // 12 groups for 10 shards: the one shard on gid 0 moves, the others hold one each.
        XCTAssertEqual(CtrlerChecks.minimalMoves(Array(0..<10), over: Array(1...12)), 1)
        XCTAssertEqual(CtrlerChecks.minimalMoves([1, 1, 1, 1, 1, 2, 2, 2, 2, 2], over: []), 10)
    }

    /// Transitions: the correct state machine's pass; an extra move, an unbalanced result, a
    /// Move that touched two shards and a Leave that kept the group are each named.
    func testTransitionChecksNameEachFault() {
        var s = CtrlerState()
        s.apply(CtrlerCommand(client: 1, seq: 1, op: .join([ShardGroup(gid: 1, servers: ["a"])])))
        let c1 = s.latest
        let join2 = CtrlerOp.join([ShardGroup(gid: 2, servers: ["b"])])
        s.apply(CtrlerCommand(client: 1, seq: 2, op: join2))
        XCTAssertNil(CtrlerChecks.transition(from: c1, to: s.latest, by: join2))
        let c2 = s.latest
        XCTAssertEqual(c2.shards, [1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        let join3 = CtrlerOp.join([ShardGroup(gid: 3, servers: ["b"])])
        // Balanced 4/3/3, but 5 shards changed where 3 had to.
        let wasteful = config(3, [3, 3, 3, 1, 1, 1, 1, 2, 2, 2], [1, 2, 3])
        XCTAssertEqual(
            CtrlerChecks.transition(from: c2, to: wasteful, by: join3)?.invariant,
            "minimal-movement")
        let lopsided = config(3, [3, 3, 1, 1, 1, 1, 1, 2, 2, 2], [1, 2, 3])
        XCTAssertEqual(
            CtrlerChecks.transition(from: c2, to: lopsided, by: join3)?.invariant, "balanced")
        s.apply(CtrlerCommand(client: 1, seq: 3, op: join3))
        XCTAssertNil(CtrlerChecks.transition(from: c2, to: s.latest, by: join3))
        let twoMoved = config(2, [2, 2, 1, 1, 1, 1, 1, 1, 1, 1], [1])
        XCTAssertEqual(
            CtrlerChecks.transition(from: c1, to: twoMoved, by: .move(shard: 0, gid: 2))?
                .invariant, "config-transition")
        let kept = config(2, Array(repeating: 1, count: 10), [1])
        XCTAssertEqual(
            CtrlerChecks.transition(from: c1, to: kept, by: .leave([1]))?.invariant,
            "config-transition")
    }
}
