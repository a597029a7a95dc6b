// The group state machine on its own, with known answers: ownership and ErrWrongGroup,
// exactly-once, configuration changes one at a time and only when settled, migration with the
// duplicate table, deletion of shards handed over, challenge 2 (unaffected and received shards
// stay servable), and the planted bugs.
import KVRaft
import ShardCtrler
import ShardKV
import XCTest

final class ShardGroupStateTests: XCTestCase {
    /// Keys "0".."9" land in shards 8, 9, 0, 1, …, 7 (key2shard = first byte mod 10).
    func key(inShard s: Int) -> String { String((s + 2) % 10) }

    func config(_ num: Int, _ shards: [Int]) -> ShardConfig {
        let gids = Set(shards).filter { $0 != 0 }.sorted()
        return ShardConfig(
            num: num, shards: shards, groups: gids.map { ShardGroup(gid: $0, servers: ["s\($0)"]) })
    }

    func put(_ g: inout ShardGroupState, _ k: String, _ v: String, client: Int = 1, seq: Int)
        -> ShardKVErr
    {
        g.apply(.client(KVOperation(.put, k, v), clientId: client, seq: seq)).err
    }

    func append(_ g: inout ShardGroupState, _ k: String, _ v: String, client: Int, seq: Int)
        -> ShardKVErr
    {
        g.apply(.client(KVOperation(.append, k, v), clientId: client, seq: seq)).err
    }

    func get(_ g: inout ShardGroupState, _ k: String) -> ShardKVResult {
        g.apply(.client(KVOperation(.get, k), clientId: 9, seq: 1))
    }

    func testKeyToShardMatchesTheLab() {
        XCTAssertEqual((0..<10).map { keyToShard(String($0)) }, [8, 9, 0, 1, 2, 3, 4, 5, 6, 7])
        for s in 0..<10 { XCTAssertEqual(keyToShard(key(inShard: s)), s) }
    }

    func testFirstConfigServesEverythingAndRejectsOthers() {
        var g = ShardGroupState(gid: 100)
        XCTAssertEqual(put(&g, "a", "x", seq: 1), .wrongGroup)  // config #0: nothing owned
        XCTAssertEqual(
            g.apply(.config(config(1, [100, 100, 100, 100, 100, 101, 101, 101, 101, 101]))), .ok)
        XCTAssertEqual(g.shards(in: .serving), [0, 1, 2, 3, 4])
        XCTAssertTrue(g.isSettled)
        XCTAssertEqual(put(&g, key(inShard: 0), "v0", seq: 1), .ok)
        XCTAssertEqual(get(&g, key(inShard: 0)), ShardKVResult(.ok, "v0"))
        XCTAssertEqual(get(&g, key(inShard: 7)).err, .wrongGroup)
        XCTAssertEqual(get(&g, key(inShard: 1)), ShardKVResult(.ok, ""))
    }

    func testPutAndAppendExecuteOncePerClientSeq() {
        var g = ShardGroupState(gid: 100)
        g.apply(.config(config(1, Array(repeating: 100, count: 10))))
        let k = key(inShard: 3)
        XCTAssertEqual(append(&g, k, "a", client: 1, seq: 1), .ok)
        XCTAssertEqual(append(&g, k, "a", client: 1, seq: 1), .ok)  // a retry
        XCTAssertEqual(append(&g, k, "b", client: 2, seq: 1), .ok)  // another client
        XCTAssertEqual(append(&g, k, "c", client: 1, seq: 2), .ok)
        XCTAssertEqual(append(&g, k, "a", client: 1, seq: 1), .ok)  // an old duplicate
        XCTAssertEqual(get(&g, k).value, "abc")
    }

    func testConfigurationsApplyOneAtATimeOnlyWhenSettled() {
        var g = ShardGroupState(gid: 100)
        XCTAssertEqual(g.apply(.config(config(2, Array(repeating: 100, count: 10)))).err, .notReady)
        g.apply(.config(config(1, Array(repeating: 100, count: 10))))
        XCTAssertEqual(g.apply(.config(config(1, Array(repeating: 100, count: 10)))).err, .notReady)
        // Config 2 hands shards 5…9 to 101 and config 3 would take more: 3 waits for 2's
        // handoff to finish.
        g.apply(.config(config(2, [100, 100, 100, 100, 100, 101, 101, 101, 101, 101])))
        XCTAssertEqual(g.shards(in: .offering), [5, 6, 7, 8, 9])
        XCTAssertFalse(g.isSettled)
        let c3 = config(3, Array(repeating: 101, count: 10))
        XCTAssertEqual(g.apply(.config(c3)).err, .notReady)
        XCTAssertEqual(g.config.num, 2)
        XCTAssertEqual(g.apply(.deleteShards(configNum: 2, shards: [5, 6, 7, 8, 9])), .ok)
        XCTAssertTrue(g.isSettled)
        XCTAssertEqual(g.apply(.config(c3)), .ok)
        XCTAssertEqual(g.previous.num, 2)
    }

    /// Shard 5 moves from 100 to 101 with its data and duplicate table; both sides end
    /// bounded (100 deletes its copy) and a retried append is not executed twice at 101.
    func testMigrationCarriesDataAndDuplicateTableAndDeletesTheOldCopy() {
        var a = ShardGroupState(gid: 100)
        var b = ShardGroupState(gid: 101)
        let c1 = config(1, Array(repeating: 100, count: 10))
        let c2 = config(2, [100, 100, 100, 100, 100, 101, 101, 101, 101, 101])
        a.apply(.config(c1))
        b.apply(.config(c1))
        let k = key(inShard: 5)
        XCTAssertEqual(append(&a, k, "x", client: 7, seq: 4), .ok)
        a.apply(.config(c2))
        b.apply(.config(c2))
        XCTAssertEqual(append(&a, k, "y", client: 7, seq: 5), .wrongGroup)  // offering: frozen
        XCTAssertEqual(b.shards(in: .pulling), [5, 6, 7, 8, 9])
        XCTAssertEqual(get(&b, k).err, .wrongGroup)  // not arrived yet
        XCTAssertNil(a.export(configNum: 1, [5]))
        let moved = a.export(configNum: 2, [5, 6, 7, 8, 9])!
        XCTAssertEqual(moved[0].data, [k: "x"])
        XCTAssertEqual(moved[0].lastSeq, [7: 4])
        XCTAssertEqual(b.apply(.insertShards(configNum: 2, moved)), .ok)
        XCTAssertEqual(b.shards(in: .releasing), [5, 6, 7, 8, 9])
        XCTAssertEqual(append(&b, k, "x", client: 7, seq: 4), .ok)  // the retry: skipped
        XCTAssertEqual(get(&b, k).value, "x")
        // A duplicate insert changes nothing.
        XCTAssertEqual(append(&b, k, "z", client: 7, seq: 5), .ok)
        b.apply(.insertShards(configNum: 2, moved))
        XCTAssertEqual(get(&b, k).value, "xz")
        a.apply(.deleteShards(configNum: 2, shards: [5, 6, 7, 8, 9]))
        XCTAssertEqual(a.shards(in: .absent), [5, 6, 7, 8, 9])
        XCTAssertTrue(a.shards[5].data.isEmpty && a.shards[5].lastSeq.isEmpty)
        XCTAssertEqual(b.apply(.shardsReleased(configNum: 2, shards: [5, 6, 7, 8, 9])), .ok)
        XCTAssertTrue(b.isSettled)
        XCTAssertEqual(a.apply(.deleteShards(configNum: 1, shards: [5])), .ok)  // already past
        XCTAssertLessThan(a.sizeBytes, ShardGroupState(gid: 100).sizeBytes + 300)
    }

    /// Challenge 2: while shards 5…9 are pulled, shards 0…4 (unaffected) are served, and a
    /// received shard is served before the others arrive.
    func testUnaffectedAndReceivedShardsServeDuringMigration() {
        var b = ShardGroupState(gid: 101)
        b.apply(.config(config(1, [101, 101, 101, 101, 101, 100, 100, 102, 102, 102])))
        b.apply(.config(config(2, Array(repeating: 101, count: 10))))
        XCTAssertEqual(b.shards(in: .pulling), [5, 6, 7, 8, 9])
        XCTAssertEqual(put(&b, key(inShard: 0), "u", seq: 1), .ok)
        let t = ShardTransfer(shard: 8, data: [key(inShard: 8): "p"], lastSeq: [:])
        b.apply(.insertShards(configNum: 2, [t]))
        XCTAssertEqual(get(&b, key(inShard: 8)), ShardKVResult(.ok, "p"))
        XCTAssertEqual(get(&b, key(inShard: 5)).err, .wrongGroup)
    }

    func testPlantedServeBeforeArrival() {
        var b = ShardGroupState(gid: 101, bugs: .serveBeforeArrival)
        b.apply(.config(config(1, Array(repeating: 100, count: 10))))
        b.apply(.config(config(2, Array(repeating: 101, count: 10))))
        XCTAssertEqual(get(&b, key(inShard: 2)), ShardKVResult(.ok, ""))  // wrong: data elsewhere
    }

    func testPlantedDupTableNotMoved() {
        var b = ShardGroupState(gid: 101, bugs: .dupTableNotMoved)
        b.apply(.config(config(1, Array(repeating: 100, count: 10))))
        b.apply(.config(config(2, Array(repeating: 101, count: 10))))
        let k = key(inShard: 2)
        b.apply(
            .insertShards(configNum: 2, [ShardTransfer(shard: 2, data: [k: "x"], lastSeq: [7: 1])]))
        XCTAssertEqual(append(&b, k, "x", client: 7, seq: 1), .ok)
        XCTAssertEqual(get(&b, k).value, "xx")  // the retry ran twice
        XCTAssertEqual(ShardKVBugs(names: ["dup-table-not-moved", "nope"]), .dupTableNotMoved)
    }

    func testSnapshotSizeCountsDataAndIsOrderFree() {
        var g = ShardGroupState(gid: 100)
        g.apply(.config(config(1, Array(repeating: 100, count: 10))))
        let empty = ShardKVSnapshot(g).sizeBytes
        XCTAssertEqual(put(&g, "k", String(repeating: "v", count: 1000), seq: 1), .ok)
        XCTAssertEqual(ShardKVSnapshot(g).sizeBytes - empty, 4 + 1 + 1000 + 12)
    }
}
