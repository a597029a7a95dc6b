// The shrinker measures candidates without recording them: a run's line and event counts must
// be the same whether its trace is written or not, or the shrinker minimises a number that is
// not the one the trace shows (it once left every message delivery and drop uncounted).
import DSimCore
import Scenarios
import XCTest

final class UnrecordedCountsTests: XCTestCase {
    func run(_ request: RunRequest, record: Bool) -> RunResult {
        Runner.run(
            request, source: .seed(request.seed), record: record, build: BuildInfo(commit: "test"))
    }

    func testEverySystemCountsTheSameLinesAndEventsWhetherRecordingOrNot() throws {
        for system in Catalog.systems {
            let scenario = try XCTUnwrap(system.scenario(system.fuzzScenario), system.name)
            for (seed, planted) in [
                (1, []), (2, []), (3, system.plantedBugs.prefix(1).map(\.name)),
            ] {
                var request = RunRequest(system: system, scenario: scenario, seed: UInt64(seed))
                request.planted = planted
                let quiet = run(request, record: false)
                let recorded = run(request, record: true)
                let what = "\(system.name) seed \(seed) \(planted)"
                XCTAssertEqual(quiet.verdict, recorded.verdict, what)
                XCTAssertEqual(quiet.lineCount, recorded.lineCount, what)
                XCTAssertEqual(quiet.eventCount, recorded.eventCount, what)
                let events = recorded.lines.filter { $0.contains("\"ev\":\"") }.count
                XCTAssertEqual(events, recorded.eventCount, what)
                XCTAssertGreaterThan(events, 10, what)
            }
        }
    }
}
