import DSimCore
import Foundation
import Scenarios
import XCTest

/// Every shrunk counterexample in traces/regressions/<system>/ is re-run twice: with its planted
/// bug it must fail the same invariant (the checker still catches it); without it, it must
/// pass. The recorded decisions are fed back (then, if the run asks for more, fresh ones from
/// the trace's seed) and the verdict checked — not the exact lines — so a trace keeps testing
/// the recorded scenario and fault schedule after the code around it changes. Every planted bug of every
/// system must have one.
final class RegressionTraceTests: XCTestCase {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("traces/regressions")
    }

    func regressionFiles() -> [String] {
        guard let e = FileManager.default.enumerator(atPath: Self.folder.path) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            if p.hasSuffix(".jsonl") { out.append(Self.folder.path + "/" + p) }
        }
        return out.sorted()
    }

    func testRegressionTracesFailWithTheirBugAndPassWithout() throws {
        let build = BuildInfo(commit: "test")
        for path in regressionFiles() {
            let file = try TraceFile.load(path)
            guard case .violation(let expected) = file.verdict else {
                XCTFail("\(path): a regression trace must record a violation")
                continue
            }
            let h = file.header
            guard let system = Catalog.system(h["system"]?.stringValue ?? ""),
                let scenario = system.scenario(h["scenario"]?.stringValue ?? "")
            else {
                XCTFail("\(path): unknown system or scenario in header")
                continue
            }
            var request = RunRequest(
                system: system, scenario: scenario, seed: UInt64(h["seed"]?.intValue ?? 0))
            request.params = h["params"] ?? .object([])
            request.planted = (h["planted"]?.arrayValue ?? []).compactMap { $0.stringValue }
            XCTAssertFalse(request.planted.isEmpty, "\(path): no planted bug in header")
            let decisions = file.decisions.map { $0.decision.value }

            // A crash trace's run traps: it runs in a worker process (the dsim binary).
            let isolation =
                expected.invariant == "crash"
                ? Isolation(executable: try DSimProcess.path()) : nil
            let withBug = CandidateRunner(request, build: build, isolation: isolation).run(
                .recordedThenSeed(decisions, then: request.seed), lineCap: .max, stepCap: .max,
                checkIterationsMax: nil)
            guard case .violation(let got) = withBug.verdict else {
                XCTFail(
                    "\(path): with \(request.planted) the run no longer fails (\(withBug.verdict.name))"
                )
                continue
            }
            XCTAssertEqual(got.invariant, expected.invariant, path)

            request.planted = []
            let fixed = Runner.run(
                request, source: .recordedThenSeed(decisions, then: request.seed), record: false,
                build: build)
            XCTAssertEqual(fixed.verdict, .ok, "\(path): without the bug the run must pass")
        }
    }

    /// A shrunk liveness trace runs with a shortened window (`livenessWindowMs` in its
    /// header); with the scenario's own window its run, with its bug, must fail the same way:
    /// the short window shows a stuck run, not one cut off too early. (After the recorded
    /// decisions, 0s: the simplest answers, as `dsim shrink` checked it.)
    func testShrunkLivenessTracesFailWithTheFullWindowToo() throws {
        let build = BuildInfo(commit: "test")
        var checked = 0
        for path in regressionFiles() {
            let file = try TraceFile.load(path)
            let h = file.header
            guard case .violation(let expected) = file.verdict,
                case .object(var params) = h["params"] ?? .object([]),
                params.contains(where: { $0.0 == "livenessWindowMs" }),
                let system = Catalog.system(h["system"]?.stringValue ?? ""),
                let scenario = system.scenario(h["scenario"]?.stringValue ?? "")
            else { continue }
            params.removeAll { $0.0 == "livenessWindowMs" }
            var request = RunRequest(
                system: system, scenario: scenario, seed: UInt64(h["seed"]?.intValue ?? 0))
            request.params = .object(params)
            request.planted = (h["planted"]?.arrayValue ?? []).compactMap { $0.stringValue }
            let decisions = file.decisions.map { $0.decision.value }
            // The recorded decisions, then 0s: what `dsim shrink` checked.
            let full = Runner.run(
                request, source: .recorded(decisions), record: false, build: build)
            XCTAssertEqual(full.verdict.failure?.invariant, expected.invariant, path)
            checked += 1
        }
        XCTAssertEqual(checked, 3, "one shrunk liveness trace each of mapreduce, raft, shardkv")
    }

    /// Bugs whose failing run cannot be small, tested their own way: the livelock runs until it
    /// passes its per-run cap (100,000 events within a virtual second, ~200,000 lines).
    static let noTrace = ["raft": "livelock-reply-storm"]

    /// The planted livelock ends as `no-progress` at its cap, in a fraction of a second.
    func testThePlantedLivelockEndsAtItsPerRunCap() throws {
        let system = try XCTUnwrap(Catalog.system("raft"))
        var request = RunRequest(
            system: system, scenario: try XCTUnwrap(system.scenario("fuzz")), seed: 1)
        request.planted = ["livelock-reply-storm"]
        let r = Runner.run(request, source: .seed(1), record: false, build: BuildInfo(commit: "t"))
        guard case .violation(let v) = r.verdict else { return XCTFail("\(r.verdict)") }
        XCTAssertEqual(v.invariant, "no-progress", v.message)
        XCTAssertLessThan(r.steps, 1_000_000)
        request.planted = []
        XCTAssertEqual(
            Runner.run(request, source: .seed(1), record: false, build: BuildInfo(commit: "t"))
                .verdict, .ok)
    }

    func testEveryPlantedBugHasARegressionTrace() throws {
        var covered = Set<String>()
        for path in regressionFiles() {
            guard let file = try? TraceFile.load(path) else { continue }
            let system = file.header["system"]?.stringValue ?? ""
            for p in file.header["planted"]?.arrayValue ?? [] {
                if let name = p.stringValue { covered.insert("\(system)/\(name)") }
            }
        }
        var missing: [String] = []
        for s in Catalog.systems {
            for b in s.plantedBugs
            where !covered.contains("\(s.name)/\(b.name)") && Self.noTrace[s.name] != b.name {
                missing.append("\(s.name)/\(b.name)")
            }
        }
        XCTAssertEqual(missing, [], "run scripts/make-regressions.sh for: \(missing)")
    }
}
