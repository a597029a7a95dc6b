import DSimCore
import Foundation
import Scenarios
import XCTest

/// Issue 17, bad input: a spec's parameters are checked against what its scenario declares,
/// and numeric arguments against their ranges; each mistake is one line on stderr and exit 3.
final class BadInputTests: XCTestCase {
    func testSpecParametersOutOfRangeOrUnknownExitThreeNamingKeyValueAndRange() throws {
        let dir = try DSimProcess.tempDirectory("badspec")
        let cases: [(params: String, expected: [String])] = [
            ("{\"peers\": 1000000}", ["unknown parameter \"peers\"", "nodes"]),
            ("{\"nodes\": 1000000}", ["\"nodes\"", "1000000", "1...9"]),
            ("{\"nodes\": -3}", ["\"nodes\"", "-3", "1...9"]),
            ("{\"bogus\": 1}", ["unknown parameter \"bogus\""]),
            ("{\"snapshots\": 3}", ["\"snapshots\"", "true or false"]),
        ]
        for (i, c) in cases.enumerated() {
            let spec = dir + "/s\(i).json"
            try "{\"system\": \"raft\", \"params\": \(c.params)}".write(
                toFile: spec, atomically: true, encoding: .utf8)
            for command in [["fuzz", "--seeds", "2", "--spec", spec], ["check", spec]] {
                let r = try DSimProcess.run(command, in: dir)
                XCTAssertEqual(r.status, 3, "\(command) \(c.params): \(r.out) \(r.err)")
                let lines = r.err.split(separator: "\n")
                XCTAssertEqual(lines.count, 1, r.err)
                for e in c.expected { XCTAssertTrue(r.err.contains(e), "\(e) not in \(r.err)") }
                XCTAssertFalse(r.out.contains("done:"), "it ran: \(r.out)")
            }
        }
    }

    func testSeedRangesThatOverflowAndOutOfRangeNumbersExitThree() throws {
        let dir = try DSimProcess.tempDirectory("badargs")
        let cases: [[String]] = [
            ["fuzz", "--system", "raft", "--seed", "18446744073709551615", "--seeds", "2"],
            ["fuzz", "--system", "raft", "--seed", "18446744073709551616"],
            ["fuzz", "--system", "raft", "--seeds", "-1"],
            ["fuzz", "--system", "raft", "--seeds", "0"],
            ["fuzz", "--system", "raft", "--jobs", "100000"],
            ["fuzz", "--system", "raft", "--max-traces", "99999999999999999999"],
            ["stress", "--system", "raft", "--runs", "0"],
            ["run", "--system", "raft", "--seed", "-5", "--trace", dir + "/t.jsonl"],
            ["shrink", dir + "/none.jsonl", "--budget", "-1"],
            ["shrink", dir + "/none.jsonl", "--max-steps", "99999999999999999999"],
        ]
        for c in cases {
            let r = try DSimProcess.run(c, in: dir)
            XCTAssertEqual(r.status, 3, "\(c): \(r.out) \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, "\(c): \(r.err)")
        }
        // The last seed there is still a seed: one seed from UInt64.max runs.
        let r = try DSimProcess.run(
            ["fuzz", "--system", "raft", "--seed", "18446744073709551615", "--seeds", "1"],
            in: dir)
        XCTAssertEqual(r.status, 0, r.out + r.err)
    }

    /// Every key a scenario file reads from its parameters is declared for its system, so a
    /// spec that uses it passes validation (and a declared key is read somewhere).
    func testEveryParameterAScenarioReadsIsDeclared() throws {
        let dirs = [
            ("raft", "Sources/Raft/Harness"), ("kvraft", "Sources/Scenarios/KVRaft"),
            ("shardctrler", "Sources/Scenarios/ShardCtrler"),
            ("shardkv", "Sources/Scenarios/ShardKV"), ("mapreduce", "Sources/Scenarios/MapReduce"),
            ("weather", "Sources/Scenarios/Weather"), ("bank", "Sources/Scenarios/Bank"),
        ]
        let regex = try NSRegularExpression(
            pattern: #"(?:ctx\.(?:int|bool|string)\(|params\[)"([A-Za-z]+)""#)
        var readAnywhere = 0
        for (name, dir) in dirs {
            let system = try XCTUnwrap(Catalog.system(name))
            let declared = Set(system.scenarios.flatMap { $0.parameters.map(\.name) })
            XCTAssertFalse(declared.isEmpty, name)
            let path = DSimProcess.root.appendingPathComponent(dir).path
            for file in try FileManager.default.contentsOfDirectory(atPath: path)
            where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: path + "/" + file, encoding: .utf8)
                for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let key = String(text[Range(m.range(at: 1), in: text)!])
                    readAnywhere += 1
                    XCTAssertTrue(
                        declared.contains(key), "\(name): \(file) reads undeclared \(key)")
                }
            }
        }
        XCTAssertGreaterThan(readAnywhere, 30)
    }

    func testEveryCommittedSpecPassesValidation() throws {
        let specs = DSimProcess.root.appendingPathComponent("specs").path
        let e = try XCTUnwrap(FileManager.default.enumerator(atPath: specs))
        var n = 0
        while let rel = e.nextObject() as? String {
            guard rel.hasSuffix(".json") else { continue }
            let spec = try Spec.load(specs + "/" + rel)
            let system = try XCTUnwrap(Catalog.system(spec.system))
            let scenario = try XCTUnwrap(system.scenario(spec.scenario ?? system.fuzzScenario))
            XCTAssertNoThrow(try scenario.validate(params: spec.params), rel)
            n += 1
        }
        XCTAssertGreaterThan(n, 10)
    }
}
