import DSimCore
import ShardCtrler
import XCTest

/// The controller's state machine on its own: the assertions of shardctrler's TestBasic,
/// TestMulti and TestMinimalAgain about configurations, plus random join/leave/move sequences.
final class RebalanceTests: XCTestCase {
    func group(_ gid: Int) -> ShardGroup {
        ShardGroup(gid: gid, servers: ["s\(gid)a", "s\(gid)b", "s\(gid)c"])
    }

    func testConfigZeroAndJoinLeaveKeepBalanceAndServerOrder() {
        var s = CtrlerState()
        XCTAssertEqual(s.query(-1), .initial)
        s.apply(
            CtrlerCommand(
                client: 1, seq: 1, op: .join([ShardGroup(gid: 1, servers: ["x", "y", "z"])])))
        XCTAssertEqual(s.latest.shards, Array(repeating: 1, count: shardCount))
        s.apply(
            CtrlerCommand(
                client: 1, seq: 2, op: .join([ShardGroup(gid: 2, servers: ["a", "b", "c"])])))
        XCTAssertTrue(s.latest.isBalanced)
        XCTAssertEqual(s.latest.servers(of: 1), ["x", "y", "z"])
        XCTAssertEqual(s.latest.servers(of: 2), ["a", "b", "c"])
        s.apply(CtrlerCommand(client: 1, seq: 3, op: .leave([1])))
        XCTAssertEqual(s.latest.gids, [2])
        XCTAssertEqual(s.latest.shards, Array(repeating: 2, count: shardCount))
        s.apply(CtrlerCommand(client: 1, seq: 4, op: .leave([2])))
        XCTAssertEqual(s.latest.shards, Array(repeating: 0, count: shardCount))
        XCTAssertEqual(s.latest.num, 4)
    }

    func testMoveIncreasesNumAndIsExact() {
        var s = CtrlerState()
        s.apply(CtrlerCommand(client: 1, seq: 1, op: .join([group(503), group(504)])))
        for shard in 0..<shardCount {
            let before = s.latest.num
            s.apply(
                CtrlerCommand(
                    client: 1, seq: 2 + shard, op: .move(shard: shard, gid: shard < 5 ? 503 : 504)))
            XCTAssertGreaterThan(s.latest.num, before)
        }
        XCTAssertEqual(s.latest.shards, [503, 503, 503, 503, 503, 504, 504, 504, 504, 504])
    }

    func testMinimalAgain() {
        // TestMinimalAgain: join 1, 2; join 3 moves at most NShards/3+1 shards, all to gid 3;
        // leave 1 moves at most as many, all from gid 1.
        var s = CtrlerState()
        s.apply(CtrlerCommand(client: 1, seq: 1, op: .join([group(1), group(2)])))
        let c1 = s.latest
        s.apply(CtrlerCommand(client: 1, seq: 2, op: .join([group(3)])))
        let c2 = s.latest
        var changed = 0
        for i in 0..<shardCount where c2.shards[i] != c1.shards[i] {
            changed += 1
            XCTAssertEqual(c2.shards[i], 3, "shard \(i) moved to a group other than the new one")
        }
        XCTAssertLessThanOrEqual(changed, shardCount / 3 + 1)
        s.apply(CtrlerCommand(client: 1, seq: 3, op: .leave([1])))
        let c3 = s.latest
        changed = 0
        for i in 0..<shardCount where c3.shards[i] != c2.shards[i] {
            changed += 1
            XCTAssertEqual(c2.shards[i], 1, "shard \(i) moved though its group stayed")
        }
        XCTAssertLessThanOrEqual(changed, shardCount / 3 + 1)
    }

    func testDuplicatesAreAppliedOnce() {
        var s = CtrlerState()
        let join = CtrlerCommand(client: 7, seq: 1, op: .join([group(1)]))
        s.apply(join)
        s.apply(join)
        XCTAssertEqual(s.configs.count, 2)
        XCTAssertEqual(s.apply(CtrlerCommand(client: 7, seq: 2, op: .query(-1)))?.num, 1)
    }

    func testRandomSequencesStayBalancedAndMoveOnlyWhatTheyMust() {
        var rng = Xoshiro256(seed: 2024)
        for round in 0..<300 {
            var s = CtrlerState()
            var live: [Int] = []
            for step in 0..<12 {
                let before = s.latest
                if live.isEmpty || (rng.below(3) != 0 && live.count < 14) {
                    let gid = 1 + Int(rng.below(20))
                    if live.contains(gid) { continue }
                    live.append(gid)
                    s.apply(CtrlerCommand(client: 1, seq: step + 1, op: .join([group(gid)])))
                    let after = s.latest
                    for i in 0..<shardCount
                    where after.shards[i] != before.shards[i] && before.shards[i] != 0 {
                        XCTAssertEqual(
                            after.shards[i], gid, "round \(round): join moved shard \(i) elsewhere")
                    }
                } else {
                    let gid = live.remove(at: Int(rng.below(UInt64(live.count))))
                    s.apply(CtrlerCommand(client: 1, seq: step + 1, op: .leave([gid])))
                    let after = s.latest
                    for i in 0..<shardCount where after.shards[i] != before.shards[i] {
                        XCTAssertEqual(
                            before.shards[i], gid,
                            "round \(round): leave moved shard \(i) of a staying group")
                    }
                }
                XCTAssertTrue(
                    s.latest.isBalanced, "round \(round): \(s.latest.shards) over \(s.latest.gids)")
                XCTAssertEqual(Set(s.latest.gids), Set(live))
            }
        }
    }

    func testPlantedMapOrderMakesReplicasDisagree() {
        var disagreements = 0
        for salt in 1...20 {
            var a = CtrlerState()
            var b = CtrlerState()
            a.bugOrderSalt = salt
            b.bugOrderSalt = salt * 7919
            for (i, gids) in [[1, 2, 3], [4], [5, 6]].enumerated() {
                let cmd = CtrlerCommand(client: 1, seq: i + 1, op: .join(gids.map(group)))
                a.apply(cmd)
                b.apply(cmd)
            }
            if a.latest != b.latest { disagreements += 1 }
        }
        XCTAssertGreaterThan(disagreements, 0)
    }

    func testKeyToShard() {
        XCTAssertEqual((0..<10).map { keyToShard(String($0)) }, [8, 9, 0, 1, 2, 3, 4, 5, 6, 7])
    }
}
