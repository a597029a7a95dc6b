import DSimCore
import Foundation
import Scenarios
import XCTest

/// What the viewer and the column timeline compute from a trace, without a browser.
final class TraceViewTests: XCTestCase {
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("traces/regressions")

    func load(_ name: String) throws -> TraceFile {
        try TraceFile.load(Self.regressions.appendingPathComponent(name + ".jsonl").path)
    }

    /// Every message's send time is found among its network decisions, is not after its
    /// receipt, and the handler it names ran on the sender at the send time.
    func testSendTimesAndCausesOfTheRegressionTraces() throws {
        for name in [
            "raft/commit-previous-term", "kvraft/snapshot-without-dup-table",
            "shardkv/rebalance-map-order", "shardctrler/stale-query",
        ] {
            let view = TraceView(lines: try load(name).lines)
            let messageLines = view.events.filter { $0.ev == "recv" || $0.ev == "drop" }.count
            XCTAssertEqual(view.messages.count, messageLines, name)
            XCTAssertGreaterThan(messageLines, 0, name)
            let events = Dictionary(uniqueKeysWithValues: view.events.map { ($0.line, $0) })
            for m in view.messages {
                XCTAssertTrue(m.isSendTimeKnown, "\(name): L\(m.line) send time guessed")
                if let r = m.receivedAt {
                    XCTAssertLessThanOrEqual(m.sentAt, r, "\(name) L\(m.line)")
                }
                XCTAssertLessThan(m.sentAfterLine, m.line, "\(name) L\(m.line)")
                if let c = m.cause.flatMap({ events[$0] }) {
                    XCTAssertEqual(c.node, m.from, "\(name) L\(m.line)")
                    XCTAssertEqual(c.t, m.sentAt, "\(name) L\(m.line)")
                }
                if let q = m.answers.flatMap({ events[$0] }) {
                    XCTAssertEqual(
                        q.node, m.from, "\(name): L\(m.line) answers a request to another node")
                    XCTAssertLessThan(q.line, m.line, name)
                }
            }
            let replies = view.messages.filter { $0.kind.hasSuffix("Reply") }
            XCTAssertEqual(replies.filter { $0.answers != nil }.count, replies.count, name)
        }
    }

    /// A duplicated send: the second copy is marked, and its first copy has the same send.
    func testDuplicatesAreMarkedAndPairedOnAFuzzRun() throws {
        let kvraft = try XCTUnwrap(Catalog.system("kvraft"))
        let request = RunRequest(
            system: kvraft, scenario: try XCTUnwrap(kvraft.scenario("fuzz")), seed: 6)
        let run = Runner.run(request, source: .seed(6), record: true, build: BuildInfo(commit: "t"))
        let view = TraceView(lines: run.lines)
        let dups = view.messages.filter { $0.isDuplicate }
        XCTAssertGreaterThan(dups.count, 100)
        XCTAssertTrue(view.messages.allSatisfy { $0.isSendTimeKnown })
        var firsts: [String: Int] = [:]
        for m in view.messages where !m.isDuplicate {
            firsts["\(m.from) \(m.to) \(m.kind) \(m.sentAt)", default: 0] += 1
        }
        let paired = dups.filter { firsts["\($0.from) \($0.to) \($0.kind) \($0.sentAt)"] != nil }
        // A first copy the kernel discarded at delivery (receiver crashed) has no line.
        XCTAssertGreaterThanOrEqual(paired.count * 100, dups.count * 98)
    }

    /// Role bands, crash spans and the cited lines of the acceptance trace.
    func testSpansAndCitedLines() throws {
        let view = TraceView(lines: try load("raft/commit-previous-term").lines)
        // Since the Raft rule checks, the new leader of term 2 is caught committing index 1 (of
        // term 1) by counting replicas, at the reply that made it do so (§5.4.2).
        XCTAssertEqual(view.cited, [72])
        XCTAssertEqual(
            view.verdict?["invariant"]?.stringValue, "raft-rule:leader-commit-majority-own-term")
        let crashes = view.events.filter { $0.ev == "crash" }.count
        XCTAssertEqual(view.spans.filter { $0.kind == "down" }.count, crashes)
        let leaders = view.spans.filter { $0.kind == "role" && $0.label.hasPrefix("leader") }
        XCTAssertEqual(leaders.map(\.label), ["leader t1", "leader t2"])
    }

    /// The history panel's operations and the illegal point of a kvraft counterexample.
    func testOperationsOfAKeyValueTrace() throws {
        let view = TraceView(lines: try load("kvraft/stale-read").lines)
        XCTAssertEqual(
            view.operations.map(\.label), ["append(k0, \"x 0 1 y\")", "get(k0)", "get(k0)"])
        XCTAssertEqual(view.operations.filter(\.isCited).count, 2)
        XCTAssertEqual(view.illegalAt, 1_263_219_000)
        XCTAssertEqual(view.illegalOperation, 1)
        for op in view.operations {
            XCTAssertFalse(op.served.isEmpty, "op \(op.id) has no messages")
        }
    }

    /// dslogs-style columns: each event in its node's column, cited rows marked.
    func testColumnsPutEachEventInItsNodesColumn() throws {
        let file = try load("raft/commit-previous-term")
        let rows = Timeline.renderColumns(file.lines, width: 130)
        let events = file.lines.dropFirst().filter { $0.contains("\"ev\":") }
        // Header, column names, one row per event, then the verdict (wrapped to the width).
        XCTAssertEqual(
            rows.filter { $0.hasPrefix("   L") || $0.hasPrefix(">> L") }.count, events.count)
        XCTAssertGreaterThanOrEqual(rows.count, 2 + events.count + 2)
        XCTAssertTrue(rows.contains { $0.hasPrefix("  proved by lines: L72") })
        XCTAssertTrue(rows[1].contains("│ n0") && rows[1].contains("│ n2"))
        let crash = try XCTUnwrap(rows.first { $0.contains("L57 ") })
        let cells = crash.components(separatedBy: "│")
        XCTAssertEqual(cells.count, 4)
        XCTAssertTrue(cells[2].contains("crash"), crash)
        XCTAssertEqual(rows.filter { $0.hasPrefix(">> ") }.count, 1)
        XCTAssertTrue(rows.last!.hasPrefix("  proved by lines: L72"))
        XCTAssertTrue(rows.allSatisfy { $0.count <= 130 }, "a row is wider than asked")
    }
}

/// Issue 20: every cause a person needs is a trace line of the regression traces.
final class CauseLineTests: XCTestCase {
    func lines(_ name: String) throws -> (events: [JSON], cited: [JSON]) {
        let file = try TraceFile.load(
            TraceViewTests.regressions.appendingPathComponent(name + ".jsonl").path)
        guard case .violation(let v) = file.verdict else {
            XCTFail("\(name): no violation")
            return ([], [])
        }
        let parsed = file.lines.map { (try? JSON.parse($0)) ?? .null }
        return (
            parsed.filter { $0["ev"] != nil },
            v.events.filter { $0 >= 1 && $0 <= parsed.count }.map { parsed[$0 - 1] }
        )
    }

    /// A vote names its candidate; a leader's Start names index and term.
    func testVotesAndStartsAreLines() throws {
        let (events, _) = try lines("raft/commit-previous-term")
        XCTAssertTrue(events.contains { $0["ev"]?.stringValue == "vote" && $0["for"] != nil })
        let starts = events.filter { $0["ev"]?.stringValue == "start" }
        XCTAssertFalse(starts.isEmpty)
        XCTAssertTrue(starts.allSatisfy { $0["index"]?.intValue != nil && $0["term"] != nil })
        let (kv, _) = try lines("kvraft/stale-read")
        XCTAssertTrue(kv.contains { $0["ev"]?.stringValue == "start" })
    }

    /// A shardkv group moving to a configuration and each shard's status change are lines:
    /// in serve-before-arrival, the group that serves a shard still pulling it says so.
    func testGroupConfigurationsAndShardStatesAreLines() throws {
        let (events, _) = try lines("shardkv/serve-before-arrival")
        let configs = events.filter { $0["ev"]?.stringValue == "groupConfig" }
        XCTAssertGreaterThan(Set(configs.compactMap { $0["gid"]?.intValue }).count, 1)
        XCTAssertTrue(
            events.contains {
                $0["ev"]?.stringValue == "shard" && $0["to"]?.stringValue == "pulling"
                    && $0["from"]?.stringValue == "absent"
            })
    }

    /// A retried Append Started twice is two `start` lines of one client and seq; a shard
    /// transfer's duplicate table is counted when Started and when installed, so its loss shows.
    func testDuplicatedAppendAndLostDuplicateTableAreLines() throws {
        let (kv, _) = try lines("kvraft/no-duplicate-detection")
        let starts = kv.filter {
            $0["ev"]?.stringValue == "start" && $0["op"]?.stringValue == "append"
        }
        let requests = starts.map { "\($0["client"]?.intValue ?? -1)/\($0["seq"]?.intValue ?? -1)" }
        XCTAssertLessThan(Set(requests).count, requests.count, "no request Started twice")
        let (skv, _) = try lines("shardkv/dup-table-not-moved")
        let insert = try XCTUnwrap(skv.first { $0["cmd"]?.stringValue == "insertShards" })
        XCTAssertGreaterThan(insert["dupEntries"]?.intValue ?? 0, 0)
        let installed = skv.filter {
            $0["ev"]?.stringValue == "shard" && $0["to"]?.stringValue == "releasing"
                && ($0["keys"]?.intValue ?? 0) > 0
        }
        XCTAssertFalse(installed.isEmpty)
        XCTAssertTrue(installed.allSatisfy { $0["dupEntries"]?.intValue == 0 })
    }

    /// The weather aggregator's late answer is a line the violation cites, and the aggregator
    /// counting it in a later batch is a line too.
    func testLateAnswerCountedInTheWrongBatchIsALine() throws {
        let (events, cited) = try lines("weather/count-late-answers")
        XCTAssertTrue(cited.contains { $0["ev"]?.stringValue == "ws.late" })
        XCTAssertTrue(
            events.contains {
                $0["ev"]?.stringValue == "ws.count" && $0["batch"] != $0["into"]
            })
    }
}
