// The PCT strategy goes through the one `Choices` seam: its runs are deterministic, differ
// from random ones (ready events run by node priority, ready jobs by task priority), and their
// traces replay exactly — for the sans-IO systems and the async ones alike.
import DSimCore
import Scenarios
import XCTest

final class PCTStrategyTests: XCTestCase {
    let build = BuildInfo(commit: "test")

    func request(_ system: String, pct: Bool) throws -> RunRequest {
        let s = try XCTUnwrap(Catalog.system(system))
        var r = RunRequest(system: s, scenario: try XCTUnwrap(s.scenario("fuzz")), seed: 7)
        if pct { r.params = .object([("strategy", .string("pct")), ("pctDepth", .int(3))]) }
        return r
    }

    func testPCTRunsAreDeterministicDifferFromRandomAndReplay() throws {
        try check("raft")
    }

    func testAsyncPCTRunsAreDeterministicDifferFromRandomAndReplay() throws {
        for system in ["mapreduce", "weather", "bank"] { try check(system) }
    }

    func check(_ system: String) throws {
        let pct = try request(system, pct: true)
        let a = Runner.run(pct, source: .seed(7), record: true, build: build)
        let b = Runner.run(pct, source: .seed(7), record: true, build: build)
        XCTAssertEqual(a.lines, b.lines)
        XCTAssertEqual(a.lines.filter { $0.contains("\"pct.change\"") }.count, 2)
        XCTAssertTrue(a.lines.contains { $0.contains("\"pct.prio\"") })
        let random = Runner.run(
            try request(system, pct: false), source: .seed(7), record: true, build: build)
        XCTAssertNotEqual(Array(a.lines.dropFirst()), Array(random.lines.dropFirst()))
        // Replay: the recorded decisions, checked against the seed in lockstep.
        let values = a.lines.compactMap { line -> UInt64? in
            guard line.hasPrefix("{\"dec\""), let v = line.range(of: "\"v\":") else { return nil }
            return UInt64(line[v.upperBound...].prefix { $0.isNumber })
        }
        // With the parameters the trace header recorded: the seed's drawn knobs included.
        let replay = Runner.run(
            Knobs.drawn(pct, seed: 7), source: .recorded(values), record: true, build: build,
            verifySeed: 7)
        XCTAssertNil(replay.firstMismatch.map { "\($0)" })
        XCTAssertEqual(replay.lines.dropFirst(), a.lines.dropFirst())
    }
}
