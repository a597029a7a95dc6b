import DSimCore
import XCTest

final class RandomAndChoicesTests: XCTestCase {
    func testXoshiroIsPinned() {
        // Pinned outputs: a change here changes every seed's run; do it only on purpose.
        var r = Xoshiro256(seed: 1)
        let first = (0..<3).map { _ in r.next() }
        var again = Xoshiro256(seed: 1)
        XCTAssertEqual(first, (0..<3).map { _ in again.next() })
        XCTAssertNotEqual(Xoshiro256(seed: 1), Xoshiro256(seed: 2))
    }

    func testBelowStaysInRangeAndCoversIt() {
        var r = Xoshiro256(seed: 42)
        var seen = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 {
            let v = r.below(7)
            XCTAssertLessThan(v, 7)
            seen[Int(v)] += 1
        }
        for c in seen { XCTAssertGreaterThan(c, 800, "below(7) is badly skewed: \(seen)") }
    }

    func testReplayGivesRecordedValuesThenZero() {
        let c = Choices(.recorded([3, 9, 1]))
        XCTAssertEqual(c.below(10, "a"), 3)
        XCTAssertEqual(c.below(5, "b"), 4, "a recorded value beyond the bound is clamped")
        XCTAssertEqual(c.below(10, "c"), 1)
        XCTAssertTrue(c.isExhausted)
        XCTAssertEqual(c.below(10, "d"), 0, "an exhausted replay answers the simplest choice")
    }

    func testSeedRunsRepeatAndReplayReproducesThem() {
        let a = Choices(.seed(99))
        let values = (0..<50).map { a.below(1000 + $0, "x") }
        let b = Choices(.seed(99))
        XCTAssertEqual(values, (0..<50).map { b.below(1000 + $0, "x") })
        let c = Choices(.recorded(values.map(UInt64.init)))
        c.verify(againstSeed: 99)
        XCTAssertEqual(values, (0..<50).map { i in c.below(1000 + i, "x") })
        XCTAssertNil(c.firstMismatch)
    }

    func testLockstepNamesTheFirstEditedDecision() {
        let a = Choices(.seed(5))
        var values = (0..<20).map { _ in UInt64(a.below(100, "x")) }
        values[7] = (values[7] + 1) % 100
        let c = Choices(.recorded(values))
        c.verify(againstSeed: 5)
        for _ in 0..<20 { _ = c.below(100, "x") }
        XCTAssertEqual(c.firstMismatch?.index, 7)
    }

    func testCertainAndImpossibleChancesDrawNothing() {
        let c = Choices(.seed(1))
        XCTAssertFalse(c.chance(0, in: 1000, "never"))
        XCTAssertTrue(c.chance(1000, in: 1000, "always"))
        XCTAssertEqual(c.count, 0)
        XCTAssertEqual(c.below(1, "one option"), 0)
        XCTAssertEqual(c.count, 0, "a bound of 1 is not a decision")
    }

    /// Fuzzing, the fault phase almost always goes on; 0, the shrinker's simplest answer, ends it.
    func testFaultPhaseEndsOnZero() {
        let seeded = Choices(.seed(5))
        XCTAssertEqual((0..<100).filter { _ in seeded.continuesFaultPhase() }.count, 100)
        XCTAssertFalse(Choices(.recorded([0])).continuesFaultPhase())
        XCTAssertFalse(Choices(.recorded([])).continuesFaultPhase(), "an exhausted replay ends it")
        XCTAssertTrue(Choices(.recorded([1])).continuesFaultPhase())
    }

    /// Lanes answer first; a lane that runs out continues with the seed's draws, not zeros.
    func testLanesThenSeedContinueWithTheSeed() {
        let c = Choices(.lanesThenSeed(["net": [5], "fuzz": [1]], then: 9))
        XCTAssertEqual(c.below(10, "net.delay"), 5)
        XCTAssertEqual(c.below(10, "fuzz.fault"), 1)
        let fresh = Choices(.seed(9))
        XCTAssertEqual(c.below(1000, "net.delay"), fresh.below(1000, "net.delay"))
        XCTAssertEqual(c.below(1000, "client.op"), fresh.below(1000, "client.op"))
        let zeros = Choices(.lanes(["net": [5]]))
        _ = zeros.below(10, "net.delay")
        XCTAssertEqual(zeros.below(1000, "net.delay"), 0, "plain lanes answer 0 once used up")
    }

    func testZeroIsTheSimplestAnswer() {
        let c = Choices(.recorded([0, 0]))
        XCTAssertFalse(c.chance(999, in: 1000, "drop"), "0 must mean 'no fault'")
        XCTAssertEqual(c.between(5, 9, "delay"), 5)
    }

    func testDecisionsAreCountedAsTraceLinesEvenWhenNotRecording() {
        let quiet = TraceRecorder(recording: false)
        let c = Choices(.seed(3))
        c.trace = quiet
        _ = c.below(10, "a")
        quiet.observe("x", node: 0)
        XCTAssertEqual(quiet.nextLine, 4)
        XCTAssertTrue(quiet.lines.isEmpty)
    }
}
