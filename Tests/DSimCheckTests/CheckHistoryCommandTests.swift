import DSimCheck
import Foundation
import XCTest

/// `dsim check-history`: exit codes, output lines, usage errors.
final class CheckHistoryCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent(
                "check-history-\(ProcessInfo.processInfo.processIdentifier)-\(name.hashValue)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func run(_ args: [String]) -> (status: Int32, out: [String], err: [String]) {
        var out: [String] = []
        var err: [String] = []
        let status = CheckHistoryCommand.run(
            args, output: { out.append($0) }, errorOutput: { err.append($0) })
        return (status, out, err)
    }

    private var linearizable: String {
        file("kv", [line(0, 0, 2, put("x", "a"), done), line(1, 3, 4, get("x"), got("a"))])
    }

    private var illegal: String {
        file("kv", [line(0, 0, 2, put("x", "a"), done), line(1, 3, 4, get("x"), got("b"))])
    }

    func testExitCodes() throws {
        let good = try write("good.jsonl", linearizable)
        let bad = try write("bad.jsonl", illegal)
        XCTAssertEqual(run([good]).status, 0)
        XCTAssertEqual(run([good, bad]).status, 1)
        let slow = try write(
            "slow.jsonl",
            SyntheticKVHistory.generate(
                clients: 4, operationsPerClient: 1_200, keys: 1, durationMax: 5, gapMax: 5, seed: 3
            ).jsonLines())
        XCTAssertEqual(run([good, slow, "--timeout", "0.000001"]).status, 2)
        XCTAssertEqual(
            run([slow, bad, "--timeout=0.000001"]).status, 1, "illegal wins over unknown")
        let broken = try write("h.jsonl", file("kv", [line(0, 0, 2, put("x", "a"), done), "{"]))
        XCTAssertEqual(run([bad, broken]).status, 3, "bad input wins")
    }

    func testTextOutput() throws {
        let good = try write("good.jsonl", linearizable)
        let bad = try write("bad.jsonl", illegal)
        let (status, out, err) = run([good, bad])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(err, [])
        XCTAssertEqual(out.count, 2)
        XCTAssertTrue(out[0].hasPrefix("\(good): linearizable (2 operations, "), out[0])
        let lines = out[1].split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("\(bad): illegal (2 operations, "), lines[0])
        XCTAssertEqual(
            lines[1],
            #"    key "x" (2 operations) is not linearizable; longest linearizable prefix (1), in order:"#
        )
        XCTAssertEqual(lines.last, #"        #1 client 1 [3, 4] get("x") -> "b""#)
    }

    func testJSONOutput() throws {
        let bad = try write("bad.jsonl", illegal)
        let (status, out, _) = run(["--json", bad])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out.count, 1)
        guard case .object(let object)? = try? JSONReader.parse(out[0]) else {
            return XCTFail("not a JSON object: \(out[0])")
        }
        XCTAssertEqual(object["file"], .string(bad))
        XCTAssertEqual(object["verdict"], .string("illegal"))
        XCTAssertEqual(object["operations"], .int(2))
        guard case .object(let explanation)? = object["explanation"] else {
            return XCTFail("no explanation: \(out[0])")
        }
        XCTAssertEqual(explanation["partition"], .string("x"))
        XCTAssertEqual(explanation["stateAfterPrefix"], .string(#""a""#))
    }

    func testBadInputNamesFileAndLine() throws {
        let broken = try write(
            "h.jsonl",
            file(
                "kv",
                [
                    line(0, 0, 2, put("x", "a"), done),
                    #"{"id":1,"client":0,"return":3,"input":{"op":"get","key":"x"},"output":{"value":"a"}}"#,
                ]))
        let (status, out, err) = run([broken])
        XCTAssertEqual(status, 3)
        XCTAssertEqual(out, [])
        XCTAssertEqual(err, ["\(broken):3: missing field \"call\""])
        let missing = directory.appendingPathComponent("missing.jsonl").path
        XCTAssertEqual(run([missing]).err, ["\(missing): cannot read file: no such file"])
    }

    func testUsage() {
        XCTAssertEqual(run(["--help"]).status, 0)
        XCTAssertTrue(run(["--help"]).out.first?.hasPrefix("usage: dsim check-history") ?? false)
        for args in [
            [], ["--bogus", "a"], ["a", "--timeout"], ["a", "--timeout", "-1"],
            ["a", "--timeout=x"], ["a", "--memory-limit", "0"], ["a", "--memory-limit=12X"],
            ["a", "--memory-limit"], ["a", "b", "--html", "o.html"], ["a", "--html="],
        ] {
            let (status, out, err) = run(args)
            XCTAssertEqual(status, 3, "\(args)")
            XCTAssertEqual(out, [], "\(args)")
            XCTAssertEqual(err.count, 1, "\(args)")
        }
        XCTAssertEqual(
            CheckHistoryCommand.parse(["--json", "--timeout", "2.5", "--", "--odd"]),
            .success(.init(paths: ["--odd"], timeoutSeconds: 2.5, isJSON: true, isHelp: false)))
        XCTAssertEqual(
            CheckHistoryCommand.parse(["a", "--memory-limit", "512", "--html=o.html"]),
            .success(.init(paths: ["a"], memoryLimitBytes: 512 << 20, htmlPath: "o.html")))
        XCTAssertEqual(CheckHistoryCommand.byteCount("2G"), 2 << 30)
        XCTAssertEqual(CheckHistoryCommand.byteCount("64k"), 64 << 10)
    }

    /// A memory limit too small for the search gives unknown (exit 2) and says why.
    func testMemoryLimitGivesUnknownWithItsReason() throws {
        var history = SyntheticKVHistory.generate(
            clients: 10, operationsPerClient: 15, keys: 1, durationMax: 2_000, gapMax: 20,
            seed: 0x4A7D)
        history.operations[0].input = .put(key: "0", value: "p;")  // no append shortcut
        let path = try write("hard.jsonl", history.jsonLines())
        let (status, out, _) = run([path, "--memory-limit", "1K"])
        XCTAssertEqual(status, 2, out.joined())
        XCTAssertTrue(out.first?.contains("memory limit") ?? false, out.joined())
    }
}
