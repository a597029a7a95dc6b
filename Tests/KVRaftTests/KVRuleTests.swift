import KVRaft
import Raft
import XCTest

/// kvraft's exactly-once rules: a retried request under the planted bug, and a snapshot that
/// lost the duplicate table, are each caught with the rule they break.
final class KVRuleTests: XCTestCase {
    func append(_ seq: Int, client: Int = 1) -> KVCommand {
        KVCommand(KVOperation(.append, "k", "x"), clientId: client, seq: seq)
    }

    func testAtMostOnce() {
        for bugs in [KVBugs(), .noDuplicateDetection] {
            var m = KVStateMachine(bugs: bugs)
            XCTAssertNil(m.applyChecked(append(1)).breach)
            let retry = m.applyChecked(append(1)).breach
            XCTAssertEqual(retry?.invariant, bugs.isEmpty ? nil : "kv-rule:at-most-once")
            XCTAssertEqual(m.data["k"], bugs.isEmpty ? "x" : "xx")
        }
    }

    func testDupTableNeverGoesBack() {
        for bugs in [KVBugs(), .snapshotWithoutDupTable] {
            var leader = KVStateMachine(bugs: bugs)
            var follower = KVStateMachine(bugs: bugs)
            for seq in 1...2 { _ = leader.applyChecked(append(seq)) }
            XCTAssertNil(follower.applyChecked(append(1)).breach)
            let b = follower.restoreChecked(leader.snapshot())
            XCTAssertEqual(b?.invariant, bugs.isEmpty ? nil : "kv-rule:dup-table-monotone")
        }
    }
}
