import DSimCore
import Foundation
import Scenarios
import XCTest

/// A violation cites the lines that prove it (value checks: the Get whose value is judged). A
/// run of each system whose majority is crashed for good (`lostMajority`, a fuzz parameter
/// never drawn) must fail liveness and cite the last heal, the last fault and the last progress
/// before the wait (each the last such line, not just any), the start line of every call that
/// never returned, and the `waited` line that lists the requests each waiting node sent in the
/// window and how many were answered.
final class LivenessCitationTests: XCTestCase {
    /// System, params: the kv systems wait on a clerk call, Raft on a leader after the heal.
    static let runs: [(system: String, params: [(String, Int)])] = [
        ("kvraft", [("servers", 3), ("clients", 2), ("keys", 1), ("seconds", 1)]),
        ("shardctrler", [("servers", 3), ("clients", 2), ("seconds", 1)]),
        ("shardkv", [("clients", 2), ("keys", 4), ("seconds", 1), ("groupServers", 3)]),
        ("raft", [("nodes", 3), ("seconds", 1)]),
    ]

    /// Runs `system`'s fuzz scenario with a majority lost, recorded.
    static func run(_ system: String, _ params: [(String, Int)], seed: UInt64 = 1) throws
        -> RunResult
    {
        let entry = try XCTUnwrap(Catalog.system(system))
        var request = RunRequest(
            system: entry, scenario: try XCTUnwrap(entry.scenario("fuzz")), seed: seed)
        request.params = .object(
            params.map { ($0.0, JSON.int(Int64($0.1))) } + [("lostMajority", .bool(true))])
        return Runner.run(request, source: .seed(seed), record: true, build: BuildInfo(commit: "t"))
    }

    static let faults: Set<String> = [
        "crash", "restart", "disconnect", "connect", "partition", "heal", "clientLinks",
    ]
    static let progress: Set<String> = ["op", "ctrlerOp", "ctrler"]

    func testEveryLivenessViolationCitesHealProgressCallsAndWhatItWaitedOn() throws {
        for (system, params) in Self.runs {
            let result = try Self.run(system, params)
            guard case .violation(let v) = result.verdict else {
                XCTFail("\(system): \(result.verdict), wanted a liveness violation")
                continue
            }
            XCTAssertTrue(v.invariant.hasPrefix("liveness"), "\(system): \(v.invariant)")
            XCTAssertFalse(v.events.isEmpty, "\(system): no cited line")
            XCTAssertTrue(v.message.contains("waited on (line "), "\(system): \(v.message)")
            // result.lines[0] is the header, line 1.
            let events = result.lines.map { try? JSON.parse($0) }
            func kind(_ line: TraceLine) -> String? { events[line - 1]?["ev"]?.stringValue }
            let waited = try XCTUnwrap(v.events.last { kind($0) == "waited" }, system)
            // The last fault before the wait ends, and (kv systems) the last progress.
            let lastFault = (2..<waited).last { Self.faults.contains(kind($0) ?? "") }
            XCTAssertNotNil(lastFault, system)
            let lastHeal = try XCTUnwrap((2..<waited).last { kind($0) == "heal" }, system)
            XCTAssertTrue(v.events.contains(lastHeal), "\(system): heal not cited")
            // Raft cites the heal and each server's last role change instead.
            if system != "raft" {
                XCTAssertTrue(v.events.contains(lastFault!), "\(system): last fault not cited")
                let lastProgress = (2..<waited).last { Self.progress.contains(kind($0) ?? "") }
                XCTAssertTrue(
                    v.events.contains(try XCTUnwrap(lastProgress, system)),
                    "\(system): last progress not cited")
                checkCalls(system, v, events, waited: waited)
            }
            let report = try XCTUnwrap(events[waited - 1], system)
            let requests = report["requests"]?.arrayValue ?? []
            XCTAssertFalse(requests.isEmpty, "\(system): waited lists no request")
            for r in requests {
                // What a cited request line is: a delivery to the peer it was sent to.
                guard let l = r["lastRecv"]?.intValue, v.events.contains(l) else { continue }
                XCTAssertEqual(kind(l), "recv", system)
                XCTAssertEqual(events[l - 1]?["node"]?.intValue, r["to"]?.intValue, system)
            }
        }
    }

    /// Every call the `waited` line names is a cited `call` line of that node, which never
    /// returned before the wait ended.
    func checkCalls(_ system: String, _ v: Violation, _ events: [JSON?], waited: TraceLine) {
        let calls = events[waited - 1]?["calls"]?.arrayValue ?? []
        XCTAssertFalse(calls.isEmpty, "\(system): no call waited on")
        for c in calls {
            guard let line = c["line"]?.intValue, let node = c["node"]?.intValue else {
                return XCTFail("\(system): call without line or node")
            }
            XCTAssertTrue(v.events.contains(line), "\(system): call line \(line) not cited")
            XCTAssertEqual(events[line - 1]?["ev"]?.stringValue, "call", system)
            XCTAssertEqual(events[line - 1]?["node"]?.intValue, node, system)
            let returned = (line..<waited).contains { l in
                let e = events[l - 1]
                return e?["node"]?.intValue == node
                    && ["op", "ctrlerOp", "ctrler"].contains(e?["ev"]?.stringValue ?? "")
            }
            XCTAssertFalse(returned, "\(system): the call at line \(line) did return")
        }
    }

    /// A wrong Get value cites the Get's own `op` line (the value as returned).
    func testWrongGetValueCitesTheGet() throws {
        let entry = try XCTUnwrap(Catalog.system("kvraft"))
        var request = RunRequest(
            system: entry, scenario: try XCTUnwrap(entry.scenario("TestManyPartitionsOneClient4A")),
            seed: 1)
        request.planted = ["stale-read"]
        let result = Runner.run(
            request, source: .seed(1), record: true, build: BuildInfo(commit: "t"))
        guard case .violation(let v) = result.verdict, v.invariant == "get-wrong-value" else {
            return XCTFail("\(result.verdict), wanted get-wrong-value")
        }
        XCTAssertEqual(v.events.count, 1)
        let get = try JSON.parse(result.lines[v.events[0] - 1])
        XCTAssertEqual(get["ev"]?.stringValue, "op")
        XCTAssertEqual(get["input"]?["op"]?.stringValue, "get")
        let value = try XCTUnwrap(get["output"]?["value"]?.stringValue)
        XCTAssertTrue(v.message.hasSuffix("got\n" + value), "the cited Get returned another value")
    }

    /// An append applied twice cites the commit that applied it again. (Before the rule checks
    /// this run failed later, at the client, as `duplicate-element` citing the Get that read
    /// the value twice; the exactly-once rule now catches the second apply itself.)
    func testADuplicatedAppendCitesTheCommitThatAppliedItAgain() throws {
        let entry = try XCTUnwrap(Catalog.system("kvraft"))
        var request = RunRequest(
            system: entry, scenario: try XCTUnwrap(entry.scenario("TestUnreliableOneKey4A")),
            seed: 1)
        request.planted = ["no-duplicate-detection"]
        let result = Runner.run(
            request, source: .seed(1), record: true, build: BuildInfo(commit: "t"))
        guard case .violation(let v) = result.verdict, v.invariant == "kv-rule:at-most-once"
        else {
            return XCTFail("\(result.verdict), wanted kv-rule:at-most-once")
        }
        XCTAssertEqual(v.events.count, 1)
        let commit = try JSON.parse(result.lines[v.events[0] - 1])
        XCTAssertEqual(commit["ev"]?.stringValue, "commit")
        XCTAssertNotNil(commit["index"]?.intValue)
    }

    /// TestOnePartition4A with stale-read: an old leader in the minority answers a Get, so
    /// minority-progress fails; it cites the `op` line of that Get, returned to a minority
    /// clerk (ckp2b: the clerk after the three of ck, ckp1, ckp2a).
    func testMinorityProgressCitesTheCompletedCall() throws {
        let entry = try XCTUnwrap(Catalog.system("kvraft"))
        var request = RunRequest(
            system: entry, scenario: try XCTUnwrap(entry.scenario("TestOnePartition4A")), seed: 1)
        request.planted = ["stale-read"]
        let result = Runner.run(
            request, source: .seed(1), record: true, build: BuildInfo(commit: "t"))
        guard case .violation(let v) = result.verdict, v.invariant == "minority-progress" else {
            return XCTFail("\(result.verdict), wanted minority-progress")
        }
        XCTAssertEqual(v.events.count, 1)
        let op = try JSON.parse(result.lines[v.events[0] - 1])
        XCTAssertEqual(op["ev"]?.stringValue, "op")
        XCTAssertEqual(op["input"]?["op"]?.stringValue, "get", "message: \(v.message)")
        // The clerks are the nodes after the servers; the completed Get's clerk is ckp2b.
        XCTAssertEqual(op["node"]?.intValue, 5 + 3)
    }

    /// shardkv's config-agreement compares two servers' configurations: it cites the lines
    /// where each moved there (the witness keeps them outside the node values), as the
    /// regression trace of the controller's map-order bug shows.
    func testConfigAgreementCitesTheGroupConfigLines() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let file = try TraceFile.load(
            root.appendingPathComponent("traces/regressions/shardkv/rebalance-map-order.jsonl")
                .path)
        guard case .violation(let v) = file.verdict else { return XCTFail("no violation") }
        XCTAssertEqual(v.invariant, "config-agreement")
        XCTAssertEqual(v.events.count, 2, "both servers' groupConfig lines")
        var gids: [Int] = []
        for l in v.events {
            let e = try JSON.parse(file.lines[l - 1])
            XCTAssertEqual(e["ev"]?.stringValue, "groupConfig")
            XCTAssertEqual(e["num"]?.intValue, 3, "the configuration the message names")
            gids.append(e["gid"]?.intValue ?? -1)
        }
        XCTAssertEqual(Set(gids), [757, 759], "the two groups the message names")
    }
}
