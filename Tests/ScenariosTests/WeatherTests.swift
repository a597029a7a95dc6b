// Weather stations (BU CS350 HW1): the ports pass for both aggregators, fuzz passes, every
// planted bug is caught by fuzz at its pinned first seed, and a seed reproduces its trace.
import DSimCore
import Scenarios
import WeatherStations
import XCTest

final class WeatherTests: XCTestCase {
    func run(_ scenario: String, seed: UInt64, planted: [String] = [], record: Bool = false)
        throws -> RunResult
    {
        let system = try XCTUnwrap(Catalog.system("weather"))
        var request = RunRequest(
            system: system, scenario: try XCTUnwrap(system.scenario(scenario)), seed: seed)
        request.planted = planted
        return Runner.run(
            request, source: .seed(seed), record: record, build: BuildInfo(commit: "test"))
    }

    func testEntryListsPortsThenFuzz() {
        let ports = WeatherSystem.entry.scenarios.filter { $0.portOf != nil }
        XCTAssertEqual(ports.count, 10)
        XCTAssertEqual(ports.first?.portOf, "TestChannelAggregator/TestK1")
        XCTAssertEqual(ports.last?.portOf, "TestMutexAggregator/TestQuit")
        XCTAssertEqual(WeatherSystem.entry.scenarios.last?.name, "fuzz")
    }

    func testPortsPass() throws {
        for s in WeatherSystem.entry.scenarios where s.portOf != nil {
            for seed: UInt64 in 1...3 {
                XCTAssertEqual(try run(s.name, seed: seed).verdict, .ok, "\(s.name) seed \(seed)")
            }
        }
    }

    func testFuzzPasses50Seeds() throws {
        for seed: UInt64 in 1...50 {
            XCTAssertEqual(try run("fuzz", seed: seed).verdict, .ok, "fuzz seed \(seed)")
        }
    }

    /// Each planted bug: the first failing fuzz seed and the assertion it breaks.
    func testPlantedBugsCaughtByFuzz() throws {
        let expected: [(bug: String, seed: UInt64, invariant: String)] = [
            ("count-late-answers", 3, "ws-average"),
            ("no-quit", 1, "ws-quit"),
            ("wrong-batch-number", 2, "ws-batch-sequence"),
            ("unbuffered-answers", 2, "ws-task-leak"),
        ]
        XCTAssertEqual(WeatherSystem.entry.plantedBugs.map(\.name), expected.map(\.bug))
        for e in expected {
            var first: (UInt64, Violation)?
            for seed: UInt64 in 1...200 {
                if case .violation(let v) = try run("fuzz", seed: seed, planted: [e.bug]).verdict {
                    first = (seed, v)
                    break
                }
            }
            let (seed, v) = try XCTUnwrap(first, "\(e.bug) not found in 200 seeds")
            XCTAssertEqual(seed, e.seed, e.bug)
            XCTAssertEqual(v.invariant, e.invariant, "\(e.bug): \(v)")
        }
    }

    func testSameSeedSameTrace() throws {
        for (name, seed) in [("fuzz", UInt64(5)), ("TestMutexAggregator/TestQuit", 2)] {
            let a = try run(name, seed: seed, record: true)
            let b = try run(name, seed: seed, record: true)
            XCTAssertGreaterThan(a.lines.count, 50)
            XCTAssertEqual(a.lines, b.lines, name)
        }
    }

    /// A batch with no on-time answer reports NaN, for both aggregators; late answers never
    /// reach a later batch.
    func testAllLateGivesNaN() throws {
        let aggregators: [(AggregatorConfig) async throws -> Void] = [
            channelAggregator, mutexAggregator,
        ]
        for aggregate in aggregators {
            let got = runAllLate(aggregate)
            XCTAssertEqual(got.map(\.batch), [0, 1, 2])
            XCTAssertTrue(got.allSatisfy { $0.value.isNaN && $0.id == -1 }, "\(got)")
        }
    }

    /// Three stations that always answer 100 ms after the period ends; three batches read.
    func runAllLate(_ aggregate: @escaping (AggregatorConfig) async throws -> Void)
        -> [WeatherReport]
    {
        let sim = AsyncSimulation(
            nodes: 1, choices: Choices(.seed(1)), trace: TraceRecorder(recording: false))
        let out = SimChannel<WeatherReport>(sim, name: "out")
        let quit = SimChannel<Void>(sim, name: "quit")
        let period = 500 * Duration.millisecond
        let config = AggregatorConfig(
            sim: sim, node: 0, k: 3, averagePeriodNs: period,
            getWeatherData: { id, batch in
                try await sim.sleep(period + 100 * Duration.millisecond)
                return WeatherReport(value: 50, id: id, batch: batch)
            }, out: out, quit: quit)
        nonisolated(unsafe) var got: [WeatherReport] = []
        sim.spawn(0, "aggregator") { try await aggregate(config) }
        sim.spawn(0, "reader") {
            for _ in 0..<3 { if let r = try await out.receive() { got.append(r) } }
            try await quit.send(())
        }
        sim.run(until: 10 * Duration.second)
        return got
    }
}
