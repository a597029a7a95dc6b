import DSimCore
import Foundation
import Scenarios
import XCTest

/// Determinism is the product: the same seed and binary give byte-identical traces in separate
/// processes. Runs the `dsim` binary built beside this test bundle.
final class CrossProcessDeterminismTests: XCTestCase {
    var dsim: String {
        get throws {
            let here = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
            var candidates = [here.deletingLastPathComponent().appendingPathComponent("dsim").path]
            // Swift's test runner may be a helper binary; look beside the package's builds too.
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            for config in ["release", "debug"] {
                candidates.append(root.appendingPathComponent(".build/\(config)/dsim").path)
            }
            guard
                let found = candidates.first(where: {
                    FileManager.default.isExecutableFile(atPath: $0)
                })
            else { throw XCTSkip("dsim binary not found in \(candidates)") }
            return found
        }
    }

    func run(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try dsim)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func tempPath(_ name: String) -> String {
        NSTemporaryDirectory() + "dsim-det-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
    }

    func testEverySystemGivesByteIdenticalTracesInTwoProcesses() throws {
        XCTAssertFalse(Catalog.systems.isEmpty)
        for system in Catalog.systems {
            let a = tempPath("\(system.name)-a.jsonl")
            let b = tempPath("\(system.name)-b.jsonl")
            let (ca, outA) = try run(["run", "--system", system.name, "--seed", "7", "--trace", a])
            let (cb, _) = try run(["run", "--system", system.name, "--seed", "7", "--trace", b])
            XCTAssertEqual(ca, cb, outA)
            let ta = try String(contentsOfFile: a, encoding: .utf8)
            let tb = try String(contentsOfFile: b, encoding: .utf8)
            XCTAssertGreaterThan(
                ta.split(separator: "\n").count, 10, "\(system.name): trivial trace")
            XCTAssertEqual(ta, tb, "\(system.name): traces differ between processes")
        }
    }

    func testExploreCountsAndFindingsAreTheSameInTwoProcesses() throws {
        // Fingerprints are hashes: with deterministic hashing (dsim re-executes itself to
        // have it), two processes prune the same runs and print the same counts.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let spec = root.appendingPathComponent("specs/raft/explore-5.json").path
        let (ca, a) = try run(["explore", "--spec", spec, "--bound", "1"])
        let (cb, b) = try run(["explore", "--spec", spec, "--bound", "1"])
        XCTAssertEqual(ca, 0, a)
        XCTAssertEqual(cb, 0, b)
        let last = { (s: String) in s.split(separator: "\n").last.map(String.init) ?? "" }
        XCTAssertTrue(last(a).hasPrefix("explored: 448 runs"), a)
        XCTAssertEqual(last(a), last(b))
        let dir = tempPath("explore")
        let (cf, f) = try run([
            "explore", "--system", "raft", "--plant", "no-truncate-conflicts", "--bound", "1",
            "--trace-out", dir,
        ])
        XCTAssertEqual(cf, 1, f)
        let trace = try XCTUnwrap(
            f.split(separator: "\n").first { $0.contains("trace:") }?.split(separator: " ")
                .first { $0.hasSuffix(".jsonl") })
        let (cr, r) = try run(["replay", String(trace)])
        XCTAssertEqual(cr, 1, r)
        XCTAssertTrue(r.contains("replay matches the trace"), r)
    }

    func testReplayMatchesAndAnEditedDecisionIsNamed() throws {
        for system in Catalog.systems {
            let a = tempPath("\(system.name)-r.jsonl")
            _ = try run(["run", "--system", system.name, "--seed", "7", "--trace", a])
            let (code, out) = try run(["replay", a, "--quiet"])
            XCTAssertTrue(code == 0 || code == 1, "\(system.name): replay exit \(code): \(out)")
            XCTAssertTrue(out.contains("replay matches"), out)

            var lines = try String(contentsOfFile: a, encoding: .utf8).split(separator: "\n").map(
                String.init)
            guard let (index, edited) = editFirstDecision(lines) else {
                XCTFail("\(system.name): no decision with more than one option in the trace")
                continue
            }
            lines[index] = edited
            let e = tempPath("\(system.name)-edited.jsonl")
            try (lines.joined(separator: "\n") + "\n").write(
                toFile: e, atomically: true, encoding: .utf8)
            let (code2, out2) = try run(["replay", e, "--quiet"])
            XCTAssertEqual(code2, 4, "\(system.name): \(out2)")
            XCTAssertTrue(
                out2.contains(":\(index + 1):"),
                "\(system.name) should name line \(index + 1): \(out2)")
        }
    }

    /// Changes the value of the first decision that has more than one option.
    func editFirstDecision(_ lines: [String]) -> (Int, String)? {
        for (i, l) in lines.enumerated() where i > 0 {
            guard let j = try? JSON.parse(l), let label = j["dec"]?.stringValue,
                let of = j["of"]?.intValue, let v = j["v"]?.intValue, let t = j["t"]?.intValue,
                of > 1
            else { continue }
            let edited = JSON.object([
                ("dec", .string(label)), ("of", .int(Int64(of))), ("t", .int(Int64(t))),
                ("v", .int(Int64((v + 1) % of))),
            ])
            return (i, edited.serialized)
        }
        return nil
    }

    /// `dsim shrink` gives the same trace in two processes, smaller than its input, and its
    /// replay stops at the same violation.
    func testShrinkIsTheSameInTwoProcesses() throws {
        for (system, bug) in [
            ("bank", "transfer-caller-order"), ("raft", "votedfor-not-persisted"),
        ] {
            let dir = tempPath("shrink-\(system)")
            try? FileManager.default.removeItem(atPath: dir)
            let (fc, fout) = try run([
                "fuzz", "--system", system, "--plant", bug, "--first", "--seeds", "100",
                "--jobs", "1", "--trace-out", dir,
            ])
            XCTAssertEqual(fc, 1, fout)
            let raw = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
                $0.hasSuffix(".jsonl")
            }
            guard let name = raw.sorted().first else {
                XCTFail("\(system)/\(bug): no failing trace written: \(fout)")
                continue
            }
            let input = dir + "/" + name
            let (ca, outA) = try run(["shrink", input, "--out", dir + "/a.jsonl"])
            let (cb, _) = try run(["shrink", input, "--out", dir + "/b.jsonl"])
            XCTAssertEqual(ca, 0, outA)
            XCTAssertEqual(cb, 0)
            let a = try String(contentsOfFile: dir + "/a.jsonl", encoding: .utf8)
            let b = try String(contentsOfFile: dir + "/b.jsonl", encoding: .utf8)
            XCTAssertEqual(a, b, "\(system)/\(bug): shrinks differ between processes")
            let before = try String(contentsOfFile: input, encoding: .utf8)
            XCTAssertLessThan(a.count, before.count, "\(system)/\(bug): not smaller")
            let (rc, rout) = try run(["replay", dir + "/a.jsonl", "--quiet"])
            XCTAssertEqual(rc, 1, rout)
            XCTAssertTrue(rout.contains("replay matches"), rout)
        }
    }

    func testBadTracesExitThreeWithOneLine() throws {
        let bad = tempPath("garbled.jsonl")
        try "{\"dsim\":\"trace\",\"version\":1}\n{nope\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        let (code, out) = try run(["replay", bad])
        XCTAssertEqual(code, 3)
        XCTAssertEqual(out.split(separator: "\n").count, 1, out)
        let (code2, _) = try run(["replay", tempPath("missing.jsonl")])
        XCTAssertEqual(code2, 3)
        let (code3, out3) = try run(["fuzz", "--system", "no-such-system"])
        XCTAssertEqual(code3, 3)
        XCTAssertTrue(out3.contains("known:"), out3)
    }
}
