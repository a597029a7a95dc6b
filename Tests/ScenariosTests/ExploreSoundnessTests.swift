// The explorer expands each world state once: a run that reaches a fingerprint another run
// already expanded stops there. That is sound only if equal fingerprints mean equal futures.
// This test takes the states where two different prefixes of the Raft exploration meet (equal
// fingerprints between kernel steps) and requires, first, equal states: every stored field of
// every peer, but those the fingerprint leaves out on purpose, must agree (a field left out of
// `fingerprint(into:)` by mistake, or added later and forgotten, fails here: shown by removing
// the election timeout in a scratch build); then it continues both with the same later
// choices and requires the same future: the same trace lines from there on and the same
// verdict (this found that the driver's tick must be part of the world).
//
// Only names are ignored when comparing: a boot line's incarnation number (a counter the
// fingerprint leaves out on purpose: it tells incarnations apart, and staleness is already in
// the world as which messages can still arrive).
import DSimCore
import Scenarios
import XCTest

final class ExploreSoundnessTests: XCTestCase {
    struct Visit {
        var values: [UInt64]
        var state: String
        var decisions: Int
        var line: Int
    }

    let build = BuildInfo(commit: "test")

    func request(_ system: String = "raft") throws -> RunRequest {
        let s = try XCTUnwrap(Catalog.system(system))
        return RunRequest(system: s, scenario: try XCTUnwrap(s.scenario("explore")), seed: 0)
    }

    /// One explored run without pruning, its fingerprints logged.
    func explored(_ request: RunRequest, _ deviations: [(index: Int, value: UInt64)])
        -> ExplorePath
    {
        let path = ExplorePath(deviations: deviations, bound: 1, table: nil)
        path.testOnly_fingerprints = []
        _ = Runner.run(request, source: .seed(0), record: false, build: build, explore: path)
        return path
    }

    /// Pairs of visits of one state by different prefixes (the all-default run and its
    /// one-deviation children), one pair per state.
    func meetings(_ request: RunRequest, limit: Int) -> [(Visit, Visit)] {
        let root = explored(request, [])
        var runs = [root]
        for p in root.points {
            for v in ExplorePath.domain(label: p.label, bound: p.bound) {
                runs.append(explored(request, [(p.index, v)]))
            }
        }
        var first: [Int: Visit] = [:]
        var paired: Set<Int> = []
        var pairs: [(Visit, Visit)] = []
        for run in runs {
            for f in run.testOnly_fingerprints ?? [] {
                let visit = Visit(
                    values: Array(run.values.prefix(f.decisions)), state: f.state,
                    decisions: f.decisions, line: f.line)
                guard let earlier = first[f.fingerprint] else {
                    first[f.fingerprint] = visit
                    continue
                }
                // Equal fingerprints, equal states: every field the fingerprint does not leave
                // out on purpose (RaftServer.notFingerprinted) must agree, at every meeting.
                XCTAssertFalse(visit.state.isEmpty)
                if earlier.state != visit.state {
                    let la = earlier.state.split(separator: "\n")
                    let lb = visit.state.split(separator: "\n")
                    let i = Array(zip(la, lb)).firstIndex { $0.0 != $0.1 } ?? 0
                    XCTFail(
                        "equal fingerprints, different states (peer \(i)):\n  \(la[i])\n  \(lb[i])")
                    return []
                }
                // One pair per state met by two prefixes: every state the explorer would merge.
                if earlier.values != visit.values && pairs.count < limit
                    && paired.insert(f.fingerprint).inserted
                {
                    pairs.append((earlier, visit))
                }
            }
        }
        return pairs
    }

    /// The lines after `visit`'s state, continued with decisions from `seed`, and the verdict.
    func future(_ request: RunRequest, _ visit: Visit, seed: UInt64) -> ([String], String) {
        let r = Runner.run(
            request, source: .recordedThenSeed(visit.values, then: seed), record: true,
            build: build)
        // lines[0] is the header (line 1); the state was taken before line `visit.line`.
        let suffix = r.lines.dropFirst(visit.line - 1).dropLast().map {
            $0.replacingOccurrences(
                of: #""incarnation":[0-9]+"#, with: "\"incarnation\":_", options: .regularExpression
            )
        }
        switch r.verdict {
        case .ok: return (suffix, "ok")
        case .violation(let v): return (suffix, v.invariant)
        case .unknown: return (suffix, "unknown")
        case .originalBound(let v): return (suffix, "original-bound " + v.invariant)
        }
    }

    func testPrefixesWithEqualFingerprintsHaveIdenticalFutures() throws {
        try checkMeetings(try request("raft"), limit: 5_000, seeds: [1, 2])
    }

    func testKVPrefixesWithEqualFingerprintsHaveIdenticalFutures() throws {
        // The kv world adds the clerks, the links and the client history to Raft's.
        // Every meeting's states are compared; the futures of the first 400 are replayed.
        try checkMeetings(try request("kvraft"), limit: 400, seeds: [1])
    }

    func testShardKVPrefixesWithEqualFingerprintsHaveIdenticalFutures() throws {
        // The shardkv world: the controller's servers, the groups' servers (shard states,
        // configurations, per-shard duplicate tables, pulls in flight), the administrator, the
        // clerks and their history, the configurations seen and the client-id counter. A
        // smaller window than explore-3's keeps it cheap; the first migration (group 1 joins
        // at 200 ms) starts inside it.
        var request = try request("shardkv")
        request.params = .object([
            ("groups", .int(2)), ("groupServers", .int(1)), ("keys", .int(1)),
            ("horizonMs", .int(300)), ("adminTicks", .array([.int(0), .int(2)])),
        ])
        try checkMeetings(request, limit: 100, seeds: [1])
    }

    func testControllerPrefixesWithEqualFingerprintsHaveIdenticalFutures() throws {
        // The controller's world adds its monitor's reference state and the clerks' scripts.
        try checkMeetings(try request("shardctrler"), limit: 300, seeds: [1])
    }

    func checkMeetings(_ request: RunRequest, limit: Int, seeds: [UInt64]) throws {
        let pairs = meetings(request, limit: limit)
        // The exploration of explore-3 meets itself often (a delayed heartbeat and an
        // undelayed one leave the same world once delivered): the test must have cases.
        XCTAssertGreaterThanOrEqual(pairs.count, 100, "too few meeting states to test")
        var compared = 0
        for (a, b) in pairs {
            for seed in seeds {
                let fa = future(request, a, seed: seed)
                let fb = future(request, b, seed: seed)
                XCTAssertEqual(fa.1, fb.1, "verdicts differ after equal fingerprints")
                guard fa.0 == fb.0 else {
                    let i =
                        Array(zip(fa.0, fb.0)).firstIndex { $0.0 != $0.1 }
                        ?? min(fa.0.count, fb.0.count)
                    XCTFail(
                        "futures differ after equal fingerprints (prefixes of \(a.decisions) and "
                            + "\(b.decisions) decisions, seed \(seed)), line \(i) of the future:\n"
                            + "  \(i < fa.0.count ? fa.0[i] : "(end)")\n"
                            + "  \(i < fb.0.count ? fb.0[i] : "(end)")")
                    return
                }
                compared += 1
            }
        }
        XCTAssertEqual(compared, pairs.count * seeds.count)
        print(
            "explore soundness \(request.system.name): \(pairs.count) states met by two "
                + "prefixes, futures equal")
    }

    func testExplorationCountsArePinned() throws {
        // stateright's habit: pin the explored-state counts, so a change to the fingerprint or
        // to the scenario shows up as a reviewed diff of these numbers.
        let request = try request()
        var options = ExploreOptions(bound: 1)
        options.maxRuns = 10_000
        let report = Explorer.run(request, options, build: build)
        XCTAssertNil(report.finding)
        XCTAssertEqual(report.completeBound, 1)
        XCTAssertEqual(report.runs, 196)
        XCTAssertEqual(report.distinctStates, 2165)
        XCTAssertEqual(report.pruned, 106)
    }

    /// The bug breaks Figure 2's persistence rule at the first election, so the all-default
    /// run (bound 0) finds it; before the rule checks it needed a crash (bound 1,
    /// durable-state-lost).
    func testPlantedBugIsFoundAtBoundZeroAndItsTraceReplays() throws {
        var request = try request()
        request.planted = ["votedfor-not-persisted"]
        let report = Explorer.run(request, ExploreOptions(bound: 1), build: build)
        let finding = try XCTUnwrap(report.finding)
        XCTAssertEqual(finding.bound, 0)
        guard case .violation(let v) = finding.verdict else { return XCTFail("no violation") }
        XCTAssertEqual(v.invariant, "raft-rule:persist-before-reply")
        let replay = Runner.run(
            request, source: .recorded(finding.values), record: true, build: build)
        XCTAssertEqual(replay.verdict, finding.verdict)
    }
}
