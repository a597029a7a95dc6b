import DSimCore
import Raft
import XCTest

/// Every port of raft/test_test.go passes for a couple of seeds.
final class RaftPortTests: XCTestCase {
    func testEveryPortPassesTwoSeeds() {
        XCTAssertEqual(RaftPort.all.count, 28)
        for port in RaftPort.all {
            for seed: UInt64 in [1, 2] {
                let v = port.verdict(.seeded(seed))
                XCTAssertEqual(v, .ok, "\(port.name) seed \(seed): \(v)")
            }
        }
    }
}
