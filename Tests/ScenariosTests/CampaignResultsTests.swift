import Foundation
import XCTest

/// Issue 17: results files, sharding and merging, resume after an interruption, JUnit XML,
/// and the two cluster recipes (GNU parallel, a Kubernetes Indexed Job).
final class CampaignResultsTests: XCTestCase {
    /// A raft campaign with a planted bug that fails a few of its first 96 seeds.
    static let campaign = [
        "fuzz", "--spec", "s.json", "--plant", "commit-without-majority", "--seeds", "96",
        "--jobs", "2", "--trace-out", "out",
    ]

    func prepare(_ name: String) throws -> String {
        let dir = try DSimProcess.tempDirectory(name)
        try #"{"system": "raft", "params": {"nodes": 3, "snapshots": true, "snapshotEvery": 10}}"#
            .write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
        return dir
    }

    func testFourShardsMergedEqualOneRunAndJUnitParses() throws {
        let dir = try prepare("shards")
        let whole = try DSimProcess.run(Self.campaign + ["--results", "r0.jsonl"], in: dir)
        XCTAssertEqual(whole.status, 1, whole.out + whole.err)
        for i in 1...4 {
            let r = try DSimProcess.run(
                Self.campaign + ["--shard", "\(i)/4", "--results", "r\(i).jsonl"], in: dir)
            XCTAssertTrue([0, 1].contains(r.status), r.out + r.err)
        }
        let one = try DSimProcess.run(["merge", "r0.jsonl"], in: dir)
        let four = try DSimProcess.run(
            ["merge", "r1.jsonl", "r2.jsonl", "r3.jsonl", "r4.jsonl", "--junit", "j.xml"], in: dir)
        XCTAssertEqual(one.out, four.out)
        XCTAssertTrue(one.out.contains("summary raft/fuzz: 96 seeds, "), one.out)
        XCTAssertTrue(one.out.contains("raft-rule:leader-commit-majority-own-term"), one.out)
        // The unsharded campaign printed the same summary.
        XCTAssertTrue(whole.out.contains(one.out), whole.out)
        let xml = try String(contentsOfFile: dir + "/j.xml", encoding: .utf8)
        XCTAssertTrue(xml.contains("<testcase"), xml)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") else {
            throw XCTSkip("xmllint not installed (libxml2-utils)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        p.arguments = ["--noout", dir + "/j.xml"]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }

    /// SIGINT stops the campaign with a summary; --resume finishes it with the summary an
    /// uninterrupted run prints.
    func testInterruptedThenResumedEqualsUninterrupted() throws {
        let dir = try prepare("resume")
        let whole = try DSimProcess.run(Self.campaign + ["--results", "whole.jsonl"], in: dir)
        XCTAssertEqual(whole.status, 1, whole.err)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try DSimProcess.path())
        p.arguments = Self.campaign + ["--results", "part.jsonl"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(700_000)
        kill(p.processIdentifier, SIGINT)
        let printed = String(
            decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertTrue([0, 1, 130].contains(p.terminationStatus), printed)
        XCTAssertTrue(printed.contains("summary raft/fuzz"), printed)
        let resumed = try DSimProcess.run(
            ["fuzz", "--resume", "part.jsonl", "--jobs", "2"], in: dir)
        XCTAssertEqual(resumed.status, 1, resumed.out + resumed.err)
        let a = try DSimProcess.run(["merge", "whole.jsonl"], in: dir)
        let b = try DSimProcess.run(["merge", "part.jsonl"], in: dir)
        XCTAssertEqual(a.out, b.out)
        XCTAssertTrue(resumed.out.contains(a.out), resumed.out)
    }

    func testShardsAreValidatedAndMergeRefusesOtherCampaigns() throws {
        let dir = try prepare("badshard")
        for bad in ["0/4", "5/4", "1/0", "x", "1/4/2"] {
            let r = try DSimProcess.run(Self.campaign + ["--shard", bad], in: dir)
            XCTAssertEqual(r.status, 3, bad + r.err)
        }
        _ = try DSimProcess.run(Self.campaign + ["--seeds", "4", "--results", "a.jsonl"], in: dir)
        _ = try DSimProcess.run(
            ["fuzz", "--system", "bank", "--seeds", "4", "--results", "b.jsonl"], in: dir)
        let r = try DSimProcess.run(["merge", "a.jsonl", "b.jsonl"], in: dir)
        XCTAssertEqual(r.status, 3, r.out + r.err)
    }

    /// The README's recipes: GNU parallel over 4 shards, and the Kubernetes Indexed Job.
    func testParallelRecipeAndKubernetesJob() throws {
        let dsim = try DSimProcess.path()
        let root = DSimProcess.root.path
        let dir = try prepare("recipes")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/parallel") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: root + "/scripts/sharded-fuzz.sh")
            p.arguments = ["4", dir + "/par"] + Self.campaign.dropFirst()
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.environment = ProcessInfo.processInfo.environment.merging(["DSIM": dsim]) { $1 }
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let text = String(
                decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 1, text)
            let one = try DSimProcess.run(Self.campaign + ["--results", "one.jsonl"], in: dir)
            XCTAssertTrue(one.out.contains(text), "parallel:\n\(text)\none run:\n\(one.out)")
        }
        let k = Process()
        k.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        k.arguments = ["python3", root + "/scripts/check-k8s-job.py", dsim, "6"]
        let out = Pipe()
        k.standardOutput = out
        k.standardError = out
        try k.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        k.waitUntilExit()
        if text.contains("No module named 'yaml'") { throw XCTSkip("python3 yaml missing") }
        XCTAssertEqual(k.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("k8s job ok: 4 shards"), text)
    }
}
