// Unit tests of the KV building blocks: links, sizes, planted-bug names.
import KVRaft
import Raft
import XCTest

final class KVServerTests: XCTestCase {
    func testLinksSeparateServerGroupsButKeepClerks() {
        let links = KVLinks(servers: 3, clerks: 2)
        links.serverGroup = [0, 0, 1]
        XCTAssertTrue(links.allows(0, 1))
        XCTAssertFalse(links.allows(0, 2))
        XCTAssertTrue(links.allows(3, 2))  // clerk 0 reaches every server
        links.clerkMask[1] = 0b011
        XCTAssertTrue(links.allows(4, 1))
        XCTAssertFalse(links.allows(2, 4))
    }

    func testSizesGrowWithContent() {
        let small = KVCommand(KVOperation(.put, "k", "v"), clientId: 1, seq: 1)
        let big = KVCommand(
            KVOperation(.append, "k", String(repeating: "x", count: 100)), clientId: 1, seq: 2)
        XCTAssertEqual(big.sizeBytes - small.sizeBytes, 99)
        let snap = KVSnapshot(data: ["x": "1"], lastSeq: [7: 3])
        XCTAssertLessThan(snap.sizeBytes, 100)
    }

    func testPlantedBugNames() {
        XCTAssertEqual(KVBugs(names: ["stale-read", "nope"]), .staleRead)
        XCTAssertEqual(KVBugs.byName.count, 3)
    }
}
