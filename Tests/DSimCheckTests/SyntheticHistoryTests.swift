import DSimCheck
import XCTest

/// Generated histories: linearizable by construction, illegal once a get is corrupted, and
/// limits that yield unknown — never linearizable.
final class SyntheticHistoryTests: XCTestCase {
    func testGeneratedHistoriesAreLinearizable() {
        for seed in UInt64(1)...20 {
            let history = SyntheticKVHistory.generate(
                clients: 4, operationsPerClient: 12, keys: 2, durationMax: 30, gapMax: 5, seed: seed
            )
            XCTAssertEqual(history.check().verdict, .linearizable, "seed \(seed)")
            let corrupted = CheckerBench.corruptLastGet(history)
            let result = corrupted.check()
            XCTAssertEqual(result.verdict, .illegal, "seed \(seed)")
            XCTAssertTrue(
                result.explanation?.blocked.contains { $0.summary.contains("corrupted") } ?? false,
                "seed \(seed): \(result.explanation?.text() ?? "")")
        }
    }

    func testGenerationIsDeterministic() {
        let first = SyntheticKVHistory.generate(
            clients: 3, operationsPerClient: 5, keys: 2, durationMax: 10, gapMax: 2, seed: 9)
        let second = SyntheticKVHistory.generate(
            clients: 3, operationsPerClient: 5, keys: 2, durationMax: 10, gapMax: 2, seed: 9)
        XCTAssertEqual(first.jsonLines(), second.jsonLines())
    }

    /// A search that needs more than one limit-check interval stops with unknown at once when
    /// the deadline has passed or the memory budget is zero.
    func testLimitsGiveUnknownNeverLinearizable() {
        let history = SyntheticKVHistory.generate(
            clients: 4, operationsPerClient: 1_200, keys: 1, durationMax: 5, gapMax: 5, seed: 3)
        let timedOut = history.check(options: CheckOptions(timeoutSeconds: 0))
        XCTAssertEqual(timedOut.verdict, .unknown)
        XCTAssertEqual(
            timedOut.unknownReason,
            #"timed out after 0.0 s while checking key "0" (4800 operations)"#)
        let outOfMemory = history.check(options: CheckOptions(cacheBytesMax: 0))
        XCTAssertEqual(outOfMemory.verdict, .unknown)
        XCTAssertTrue(outOfMemory.unknownReason?.hasPrefix("search caches reached") ?? false)
        XCTAssertEqual(
            history.check(options: CheckOptions(timeoutSeconds: nil)).verdict, .linearizable)
    }

    /// An iteration budget gives unknown (never linearizable) when spent, names itself, and
    /// decides the same way every time; a budget large enough changes nothing.
    func testIterationBudgetGivesUnknownDeterministically() {
        let history = SyntheticKVHistory.generate(
            clients: 4, operationsPerClient: 1_200, keys: 1, durationMax: 5, gapMax: 5, seed: 3)
        let small = CheckOptions(timeoutSeconds: nil, iterationsMax: 1 << 10)
        let capped = history.check(options: small)
        XCTAssertEqual(capped.verdict, .unknown)
        XCTAssertEqual(
            capped.unknownReason,
            #"gave up after 1024 search iterations while checking key "0" (4800 operations)"#)
        XCTAssertEqual(history.check(options: small), capped)
        let large = CheckOptions(timeoutSeconds: nil, iterationsMax: 1 << 40)
        XCTAssertEqual(history.check(options: large).verdict, .linearizable)
        let corrupted = CheckerBench.corruptLastGet(
            SyntheticKVHistory.generate(
                clients: 3, operationsPerClient: 10, keys: 2, durationMax: 20, gapMax: 4, seed: 5))
        XCTAssertEqual(corrupted.check(options: large).verdict, .illegal)
    }
}
