// Protocol knobs drawn per seed (issue 16, item 4): a seed-made fuzz run draws them and its
// trace header records them; a replay with the header's parameters is the same run; a run
// whose parameters lack them (a port, an explored run, every trace recorded before knobs) gets
// today's defaults; a pinned knob is kept; an explore spec's list is enumerated.
import DSimCore
import Scenarios
import XCTest

final class KnobsTests: XCTestCase {
    let build = BuildInfo(commit: "test")

    func fuzz(_ system: String, seed: UInt64) throws -> RunRequest {
        let s = try XCTUnwrap(Catalog.system(system))
        return RunRequest(system: s, scenario: try XCTUnwrap(s.scenario("fuzz")), seed: seed)
    }

    func testSeedsDrawKnobsTheHeaderRecordsAndReplayReproduces() throws {
        let request = try fuzz("raft", seed: 4)
        let a = Runner.run(request, source: .seed(4), record: true, build: build)
        let header = try XCTUnwrap(a.lines.first)
        for name in ["heartbeatMs", "electionMinMs", "electionRangeMs", "maxEntriesPerAppend"] {
            XCTAssertTrue(header.contains("\"\(name)\":"), "\(name) not in \(header)")
        }
        // Seeds differ in their knobs (not every seed draws today's values).
        let drawn = (1...20).map { Knobs.drawn(request, seed: $0).params.serialized }
        XCTAssertGreaterThan(Set(drawn).count, 5)
        // The replay, with the header's parameters, is the same run.
        let values = a.lines.compactMap { line -> UInt64? in
            guard line.hasPrefix("{\"dec\""), let v = line.range(of: "\"v\":") else { return nil }
            return UInt64(line[v.upperBound...].prefix { $0.isNumber })
        }
        let replay = Runner.run(
            Knobs.drawn(request, seed: 4), source: .recorded(values), record: true,
            build: build, verifySeed: 4)
        XCTAssertNil(replay.firstMismatch.map { "\($0)" })
        XCTAssertEqual(replay.lines.dropFirst(), a.lines.dropFirst())
        // Without knobs in the parameters (an old trace's header) nothing is drawn.
        let old = Runner.run(request, source: .recorded(values), record: true, build: build)
        XCTAssertFalse(old.lines.contains { $0.contains("heartbeatMs") })
    }

    func testPinnedKnobsStayAndListsNarrowTheDraw() throws {
        var request = try fuzz("shardkv", seed: 1)
        request.params = .object([
            ("heartbeatMs", .int(60)), ("clerkRetryMs", .array([.int(70), .int(80)])),
        ])
        for seed in UInt64(1)...10 {
            let p = Knobs.drawn(request, seed: seed).params
            XCTAssertEqual(p["heartbeatMs"]?.intValue, 60)
            XCTAssertTrue([70, 80].contains(p["clerkRetryMs"]?.intValue ?? 0))
            XCTAssertNotNil(p["configPollMs"]?.intValue)
        }
        // Not the fuzz scenario (a port): nothing drawn.
        let s = try XCTUnwrap(Catalog.system("raft"))
        let port = RunRequest(
            system: s, scenario: try XCTUnwrap(s.scenario("explore")), seed: 1)
        XCTAssertEqual(Knobs.drawn(port, seed: 1).params.serialized, "{}")
    }

    func testExploreEnumeratesListedKnobValues() throws {
        let s = try XCTUnwrap(Catalog.system("raft"))
        var request = RunRequest(
            system: s, scenario: try XCTUnwrap(s.scenario("explore")), seed: 0)
        request.params = .object([
            ("heartbeatMs", .array([.int(50), .int(100)])),
            ("maxEntriesPerAppend", .array([.int(1), .int(8), .int(128)])),
        ])
        let all = Knobs.combinations(request).map { $0.params.serialized }
        XCTAssertEqual(all.count, 6)
        XCTAssertEqual(Set(all).count, 6)
        XCTAssertEqual(all.first, #"{"heartbeatMs":50,"maxEntriesPerAppend":1}"#)
    }
}
