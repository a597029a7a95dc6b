import KVRaft
import Raft
import ShardCtrler
import ShardKV
import XCTest

/// A replica group's rules: each planted bug is caught, at the apply that shows it, by the
/// rule it breaks; the correct group passes the same steps.
final class ShardKVRuleTests: XCTestCase {
    /// Group 1 gains shard 0 from group 2 in configuration #2 (so it pulls it).
    func pulling(_ bugs: ShardKVBugs) -> ShardGroupState {
        var g = ShardGroupState(gid: 1, bugs: bugs)
        let two = [ShardGroup(gid: 2, servers: ["b"])]
        let c1 = ShardConfig(num: 1, shards: Array(repeating: 2, count: shardCount), groups: two)
        var shards = c1.shards
        shards[0] = 1
        let c2 = ShardConfig(
            num: 2, shards: shards, groups: two + [ShardGroup(gid: 1, servers: ["a"])])
        XCTAssertNil(g.applyChecked(.config(c1)).breach)
        XCTAssertNil(g.applyChecked(.config(c2)).breach)
        XCTAssertEqual(g.shards[0].status, .pulling)
        return g
    }

    func testServeOnlyOwnedAndPresent() {
        for bugs in [ShardKVBugs(), .serveBeforeArrival] {
            var g = pulling(bugs)
            // "2" is in shard 0 (key2shard = first byte mod 10).
            let get = g.applyChecked(.client(KVOperation(.get, "2"), clientId: 1, seq: 1))
            XCTAssertEqual(
                get.breach?.invariant, bugs.isEmpty ? nil : "shardkv-rule:serve-owned-present")
        }
    }

    func testDupTableMovesWithData() {
        for bugs in [ShardKVBugs(), .dupTableNotMoved] {
            var g = pulling(bugs)
            let t = ShardTransfer(shard: 0, data: ["2": "x"], lastSeq: [7: 3])
            let b = g.applyChecked(.insertShards(configNum: 2, [t])).breach
            XCTAssertEqual(
                b?.invariant, bugs.isEmpty ? nil : "shardkv-rule:dup-table-moves-with-data")
        }
    }

    func testConfigurationsAdvanceByOne() {
        var g = pulling([])
        let c4 = ShardConfig(num: 4, shards: g.config.shards, groups: g.config.groups)
        XCTAssertNil(g.applyChecked(.config(c4)).breach)  // refused: not the next one
        XCTAssertEqual(g.config.num, 2)
    }
}
