import DSimCore
import Raft
import XCTest

/// The Raft port checks cite the lines that prove them (issue 20): made to fail on a correct
/// Raft by what the harness does (a server cut off, a majority cut off), their cited lines
/// must be lines of the right kind and say what the message says.
final class RaftCitationTests: XCTestCase {
    /// The trace line `line` of `run`, parsed. Line 1 is the header, which a harness run
    /// without the runner never writes: line N is `lines[N - 2]`.
    func line(_ run: RaftRun, _ line: TraceLine) throws -> JSON {
        XCTAssertGreaterThan(line, 1)
        return try JSON.parse(run.trace.lines[line - 2])
    }

    /// A server cut off for 2 s raises its term; right after it rejoins, checkTerms fails and
    /// cites the two servers' `role` lines, whose terms are the two the message names.
    func testCheckTermsCitesBothServersRoleLines() throws {
        let run = RaftRun.seeded(1, recording: true)
        let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
        let leader = try h.checkOneLeader()
        let cut = (leader + 1) % 3
        h.disconnect(cut)
        try h.sleep(ms: 2000)
        h.connect(cut)
        XCTAssertThrowsError(try h.checkTerms()) { error in
            guard let v = error as? Violation, v.invariant == "check-terms" else {
                return XCTFail("\(error), wanted check-terms")
            }
            guard v.events.count == 2 else { return XCTFail("cites \(v.events), wanted 2 lines") }
            var terms: [Int] = []
            var nodes: [Int] = []
            for e in v.events {
                guard let l = try? line(run, e) else { return XCTFail("line \(e) unreadable") }
                XCTAssertEqual(l["ev"]?.stringValue, "role", "line \(e)")
                terms.append(l["term"]?.intValue ?? -1)
                nodes.append(l["node"]?.intValue ?? -1)
            }
            guard terms.count == 2 else { return }
            XCTAssertNotEqual(nodes[0], nodes[1])
            XCTAssertTrue(
                v.message.contains("(\(terms[0]) vs \(terms[1]))"),
                "cited terms \(terms), message \(v.message)")
        }
    }

    /// With both followers cut off, one(cmd) cannot commit: the failure cites the `start` line
    /// where the leader took the command (and no apply: nothing committed).
    func testFailedAgreementCitesTheStart() throws {
        let run = RaftRun.seeded(2, recording: true)
        let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
        let leader = try h.checkOneLeader()
        for i in 0..<3 where i != leader { h.disconnect(i) }
        XCTAssertThrowsError(try h.one(LabCommand(77), 3, retry: false)) { error in
            guard let v = error as? Violation, v.invariant == "one-failed-to-reach-agreement"
            else { return XCTFail("\(error), wanted one-failed-to-reach-agreement") }
            guard v.events.count == 1, let l = try? line(run, v.events[0]) else {
                return XCTFail("cites \(v.events), wanted 1 readable line")
            }
            XCTAssertEqual(l["ev"]?.stringValue, "start")
            XCTAssertEqual(l["value"]?.intValue, 77)
            XCTAssertEqual(l["node"]?.intValue, leader)
        }
    }

    /// With no server connected, checkOneLeader finds none and cites each connected server's
    /// last `role` line; here the one server left connected is a follower cut off from the
    /// others, so its last role line is not a leader's.
    func testNoLeaderCitesTheRoleLines() throws {
        let run = RaftRun.seeded(3, recording: true)
        let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
        let leader = try h.checkOneLeader()
        h.disconnect(leader)
        h.disconnect((leader + 1) % 3)
        XCTAssertThrowsError(try h.checkOneLeader()) { error in
            guard let v = error as? Violation, v.invariant == "check-one-leader" else {
                return XCTFail("\(error), wanted check-one-leader")
            }
            guard v.events.count == 1, let l = try? line(run, v.events[0]) else {
                return XCTFail("cites \(v.events), wanted 1 readable line")
            }
            XCTAssertEqual(l["ev"]?.stringValue, "role")
            XCTAssertEqual(l["node"]?.intValue, (leader + 2) % 3)
            XCTAssertNotEqual(l["role"]?.stringValue, "leader")
        }
    }

    /// With one follower cut off, an entry commits on two servers only: wait(index, 3) fails
    /// and cites the `start` line and the two `apply` lines of that index, with its value.
    func testTooFewDecidedCitesStartAndApplies() throws {
        let run = RaftRun.seeded(4, recording: true)
        let h = RaftHarness(run, n: 3, unreliable: false, snapshots: false)
        let leader = try h.checkOneLeader()
        h.disconnect((leader + 1) % 3)
        let r = try XCTUnwrap(h.start(leader, 55))
        XCTAssertThrowsError(try h.wait(r.index, 3, -1)) { error in
            guard let v = error as? Violation, v.invariant == "wait-too-few-decided" else {
                return XCTFail("\(error), wanted wait-too-few-decided")
            }
            let kinds = v.events.compactMap { try? line(run, $0) }
            guard kinds.count == 3 else { return XCTFail("cites \(v.events), wanted 3 lines") }
            XCTAssertEqual(kinds.map { $0["ev"]?.stringValue ?? "" }, ["start", "apply", "apply"])
            for l in kinds {
                XCTAssertEqual(l["index"]?.intValue, r.index)
                XCTAssertEqual(l["value"]?.intValue, 55)
            }
            XCTAssertTrue(v.message.contains("only 2 decided"), v.message)
        }
    }
}
