import Raft
import ShardCtrler
import XCTest

/// The controller's rules: correct applies pass; a hand-built outcome that applied a duplicate
/// again, or answered it differently, is caught with the rule it breaks.
final class CtrlerRuleTests: XCTestCase {
    let join1 = CtrlerCommand(client: 1, seq: 1, op: .join([ShardGroup(gid: 1, servers: ["a"])]))
    let join2 = CtrlerCommand(client: 1, seq: 2, op: .join([ShardGroup(gid: 2, servers: ["b"])]))

    func testCorrectAppliesPass() {
        var s = CtrlerState()
        XCTAssertNil(s.applyChecked(join1).breach)
        XCTAssertNil(s.applyChecked(join1).breach)  // a duplicate: nothing new
        XCTAssertNil(s.applyChecked(join2).breach)
        XCTAssertNil(
            s.applyChecked(CtrlerCommand(client: 2, seq: 1, op: .move(shard: 3, gid: 1))).breach)
        XCTAssertNil(s.applyChecked(CtrlerCommand(client: 2, seq: 2, op: .query(-1))).breach)
        XCTAssertEqual(s.latest.num, 3)
        XCTAssertEqual(s.latest.shards[3], 1)
    }

    func testDuplicateAppliedAgainIsCaught() {
        var once = CtrlerState()
        once.apply(join1)
        var twice = once
        twice.apply(join2)  // stands for join1 applied a second time: one more configuration
        let b = twice.verify(
            join1, last: (seq: 1, config: nil), countBefore: once.configs.count, nil)
        XCTAssertEqual(b?.invariant, "ctrler-rule:at-most-once")
        let query = CtrlerCommand(client: 1, seq: 1, op: .query(0))
        let reply = once.verify(
            query, last: (seq: 1, config: .initial), countBefore: once.configs.count, once.latest)
        XCTAssertEqual(reply?.invariant, "ctrler-rule:duplicate-same-reply")
        // One Join that left two new configurations behind.
        let skipped = twice.verify(join2, last: (seq: 1, config: nil), countBefore: 1, nil)
        XCTAssertEqual(skipped?.invariant, "ctrler-rule:config-advances-by-one")
    }
}
