import DSimCore
import Foundation
import Scenarios
import XCTest

/// Issue 17, crash isolation: the system under test runs in worker processes; a worker that
/// dies is a `crash` violation of the seed it was running, its trace is written up to the
/// crash, `dsim replay` reproduces the crash, and the campaign reaches its summary.
final class CrashIsolationTests: XCTestCase {
    func testATrapInThePlantedRaftBugIsACrashViolationWithATraceThatReplays() throws {
        let dir = try DSimProcess.tempDirectory("crash")
        let r = try DSimProcess.run(
            [
                "fuzz", "--system", "raft", "--plant", "trap-unchecked-prev-log-index", "--seeds",
                "12", "--jobs", "2", "--trace-out", dir, "--max-traces", "1",
            ], in: dir)
        XCTAssertEqual(r.status, 1, r.out + r.err)
        // The summary's group: the signal and the crashing function, numbers normalised.
        XCTAssertTrue(r.out.contains("crash: worker died with signal # (SIGILL)"), r.out)
        XCTAssertTrue(r.out.contains("Raft.handleAppendEntries"), r.out)
        XCTAssertTrue(r.out.contains("summary raft/fuzz: 12 seeds"), r.out)
        let replayLine = try XCTUnwrap(
            r.out.split(separator: "\n").first { $0.contains("replay: dsim replay ") })
        let path = String(replayLine.split(separator: " ").last!)
        let file = try TraceFile.load(path)
        guard case .violation(let v) = file.verdict else { return XCTFail("\(file.verdict)") }
        XCTAssertEqual(v.invariant, "crash")
        XCTAssertGreaterThan(file.lines.count, 50, "the trace up to the crash")
        let replay = try DSimProcess.run(["replay", path, "--quiet"], in: dir)
        XCTAssertEqual(replay.status, 1, replay.out + replay.err)
        XCTAssertTrue(replay.out.contains("replay matches the trace"), replay.out)
        // A trace cut one event short of the crash no longer matches: the run gives a line
        // more than the trace recorded before its crash.
        var lines = file.lines
        lines.remove(at: lines.count - 2)
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: path + ".cut", atomically: true, encoding: .utf8)
        let cut = try DSimProcess.run(["replay", path + ".cut", "--quiet"], in: dir)
        XCTAssertEqual(cut.status, 4, cut.out + cut.err)
    }

    /// `kill -9` of a worker (here by the worker itself, at a chosen seed, through the test
    /// hook) is a crash of that seed; every other seed still gets its verdict.
    /// `dsim explore` runs its search in a worker: the planted trap is a `crash` finding of the
    /// exact run that died (its deviations), its trace replays to the same crash, and the
    /// search reaches its summary line; with 2 jobs too.
    func testATrapUnderExploreIsACrashOfTheRunThatDiedAndItsTraceReplays() throws {
        let dir = try DSimProcess.tempDirectory("explore-crash")
        for jobs in ["1", "2"] {
            let r = try DSimProcess.run(
                [
                    "explore", "--spec",
                    DSimProcess.root.appendingPathComponent("specs/raft/explore-3.json").path,
                    "--plant", "trap-unchecked-prev-log-index", "--bound", "2", "--jobs", jobs,
                    "--trace-out", dir,
                ], in: dir)
            XCTAssertEqual(r.status, 1, r.out + r.err)
            XCTAssertTrue(r.out.contains("VIOLATION crash: worker died with signal 4"), r.out)
            XCTAssertTrue(r.out.contains("found at bound 1 (deviations: #3=4)"), r.out)
            // The runs before the crash are counted, deterministically (slice 0 of 2 has the
            // crashing run at its third place).
            XCTAssertTrue(
                r.out.contains("explored: \(jobs == "1" ? 9 : 6) runs, "), r.out)
            let replayLine = try XCTUnwrap(
                r.out.split(separator: "\n").first { $0.contains("replay: dsim replay ") })
            let path = String(replayLine.split(separator: " ").last!)
            let replay = try DSimProcess.run(["replay", path, "--quiet"], in: dir)
            XCTAssertEqual(replay.status, 1, replay.out + replay.err)
            XCTAssertTrue(replay.out.contains("replay matches the trace"), replay.out)
        }
    }

    /// Explore's counts in a worker equal the in-process search's (pinned in
    /// ExploreSoundnessTests), and with 2 jobs they are the same from run to run.
    func testIsolatedExploreCountsEqualInProcessAndJobsAreDeterministic() throws {
        let dir = try DSimProcess.tempDirectory("explore-jobs")
        func explored(_ extra: [String]) throws -> String {
            let r = try DSimProcess.run(
                [
                    "explore", "--spec",
                    DSimProcess.root.appendingPathComponent("specs/raft/explore-3.json").path,
                    "--bound",
                    "2",
                ] + extra, in: dir)
            XCTAssertEqual(r.status, 0, r.out + r.err)
            return String(r.out.split(separator: "\n").last ?? "")
        }
        let inProcess = try explored(["--in-process"])
        XCTAssertEqual(
            inProcess, "explored: 7211 runs, 29922 distinct states, 4044 pruned, bound 2 complete")
        XCTAssertEqual(try explored([]), inProcess)
        let two = try explored(["--jobs", "2"])
        XCTAssertEqual(try explored(["--jobs", "2", "--in-process"]), two)
        XCTAssertEqual(try explored(["--jobs", "2"]), two)
    }

    func testAWorkerKilledWithSignalNineIsACrashOfItsSeedAndTheCampaignGoesOn() throws {
        guard let system = Catalog.system("raft"), let scenario = system.scenario("fuzz") else {
            return XCTFail("no raft")
        }
        var isolation = Isolation(executable: try DSimProcess.path())
        isolation.environment[WorkerServer.testOnly_killAtSeed] = "5"
        isolation.batchMax = 4
        let results = Campaign.run(
            RunRequest(system: system, scenario: scenario, seed: 0), first: 1, count: 10,
            jobs: 2, build: BuildInfo(commit: "test"), isolation: isolation)
        XCTAssertEqual(results.map(\.seed), Array(1...10))
        for r in results {
            if r.seed == 5 {
                guard case .violation(let v) = r.verdict else { return XCTFail("\(r.verdict)") }
                XCTAssertEqual(v.invariant, "crash")
                XCTAssertTrue(v.message.contains("signal 9 (SIGKILL)"), v.message)
            } else {
                XCTAssertEqual(r.verdict, .ok, "seed \(r.seed)")
            }
        }
    }

    /// In a worker or in this process, a seed gets the same verdict and size.
    func testIsolatedAndInProcessCampaignsAgree() throws {
        guard let system = Catalog.system("raft"), let scenario = system.scenario("fuzz") else {
            return XCTFail("no raft")
        }
        var request = RunRequest(system: system, scenario: scenario, seed: 0)
        request.planted = ["commit-without-majority"]
        request.params = .object([
            ("nodes", .int(3)), ("snapshots", .bool(true)), ("snapshotEvery", .int(10)),
        ])
        request = Knobs.standard(request)  // seed 17 fails with today's knobs
        let build = BuildInfo(commit: "test")
        let isolated = Campaign.run(
            request, first: 10, count: 12, jobs: 2, build: build,
            isolation: Isolation(executable: try DSimProcess.path()))
        let inProcess = Campaign.run(request, first: 10, count: 12, jobs: 2, build: build)
        XCTAssertEqual(isolated.map(\.verdict), inProcess.map(\.verdict))
        XCTAssertEqual(isolated.map(\.lineCount), inProcess.map(\.lineCount))
        XCTAssertTrue(isolated.contains { $0.verdict != .ok }, "seed 17 fails")
    }

    func testCrashSignaturesIgnoreNumbersAndAddresses() {
        let a = Verdict.violation(
            Violation("crash", "worker died with signal 4 (SIGILL): at 0x55ab12 in f + 12"))
        let b = Verdict.violation(
            Violation("crash", "worker died with signal 4 (SIGILL): at 0x7f0001 in f + 99"))
        let c = Verdict.violation(
            Violation("crash", "worker died with signal 11 (SIGSEGV): at 0x7f0001 in f + 99"))
        XCTAssertEqual(FailureSignature.of(a), FailureSignature.of(b))
        XCTAssertNotEqual(FailureSignature.of(a), FailureSignature.of(c))
        XCTAssertEqual(
            FailureSignature.normalise("leaders 2 and 14 in term 9"), "leaders # and # in term #")
        XCTAssertNil(FailureSignature.of(.ok))
    }
}
