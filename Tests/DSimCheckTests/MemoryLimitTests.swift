import DSimCheck
import XCTest

/// Under a memory limit the search degrades (empties its cache, forgets unused model states)
/// and still decides; it gives up only when what it cannot forget is over the limit, and says
/// so. The figures are deterministic (they decide evictions).
final class MemoryLimitTests: XCTestCase {
    private let hard = SyntheticKVHistory.generate(
        clients: 10, operationsPerClient: 15, keys: 1, durationMax: 2_000, gapMax: 20,
        seed: 0x4A7D)

    func testEvictionStillDecidesBothWays() {
        let roomy = CheckOptions(timeoutSeconds: nil, isAppendAware: false)
        let tight = CheckOptions(timeoutSeconds: nil, cacheBytesMax: 2 << 20, isAppendAware: false)
        let free = hard.check(options: roomy)
        XCTAssertEqual(free.verdict, .linearizable)
        XCTAssertEqual(free.evictionCount, 0)
        let corrupted = CheckerBench.corruptLastGet(hard)
        let freeIllegal = corrupted.check(options: roomy)
        XCTAssertGreaterThan(freeIllegal.cacheBytesPeak, 4 << 20)  // so 2 MiB must evict
        let evicted = corrupted.check(options: tight)
        XCTAssertEqual(evicted.verdict, .illegal)
        XCTAssertGreaterThan(evicted.evictionCount, 0)
        // Model states are counted at limit checks (every 4,096 iterations): a little over.
        XCTAssertLessThanOrEqual(evicted.cacheBytesPeak, 2 << 20 + 2 << 18)
        XCTAssertGreaterThan(evicted.configurationCount, freeIllegal.configurationCount)
        XCTAssertEqual(corrupted.check(options: tight), evicted)  // deterministic
        var parallel = tight
        parallel.isParallel = false
        XCTAssertEqual(corrupted.check(options: parallel), evicted)
    }

    func testGivingUpNamesTheMemoryLimit() {
        let result = hard.check(
            options: CheckOptions(timeoutSeconds: nil, cacheBytesMax: 1 << 10, isAppendAware: false)
        )
        XCTAssertEqual(result.verdict, .unknown)
        let reason = try? XCTUnwrap(result.unknownReason)
        XCTAssertTrue(reason?.contains("memory limit") ?? false, reason ?? "")
        XCTAssertTrue(reason?.contains("0.0 MiB memory limit") ?? false, reason ?? "")
    }
}
