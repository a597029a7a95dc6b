import DSimCheck
import DSimCore
import XCTest

/// The shrinker on toy predicates whose minimal counterexample is known.
final class ShrinkerTests: XCTestCase {
    func shrink(_ input: [UInt64], _ fails: @escaping ([UInt64]) -> Bool) -> ShrinkResult {
        XCTAssertTrue(fails(input), "the input must fail")
        var s = Shrinker(input, stillFails: fails)
        return s.shrink()
    }

    func testFindsTheSingleGuiltyDecision() {
        // Fails when any decision equals 7 (e.g. "the drop of message 7"); minimal: [7]...
        // but a shorter sequence wins, and [7] is the shortest failing one.
        var r: [UInt64] = (0..<200).map { UInt64(($0 * 37) % 11) }
        r[150] = 7
        let result = shrink(r) { $0.contains(7) }
        XCTAssertEqual(result.decisions, [7])
    }

    func testLowersValuesToTheThreshold() {
        // Fails when the third decision exceeds 100 (e.g. "a delay longer than the timeout"):
        // minimal [0, 0, 101].
        let result = shrink([90, 80, 170, 60, 50]) { d in d.count >= 3 && d[2] > 100 }
        XCTAssertEqual(result.decisions, [0, 0, 101])
    }

    func testKeepsOrderDependentPairs() {
        // Fails when a 5 is followed later by a 3 (a "crash before its restart" shape).
        let input: [UInt64] = [1, 2, 5, 9, 9, 9, 4, 3, 8]
        let result = shrink(input) { d in
            guard let i = d.firstIndex(of: 5) else { return false }
            return d[(i + 1)...].contains(3)
        }
        XCTAssertEqual(result.decisions, [5, 3])
    }

    func testIsDeterministic() {
        let input: [UInt64] = (0..<300).map { UInt64(($0 * 7919) % 101) }
        let fails: ([UInt64]) -> Bool = { d in d.filter { $0 > 90 }.count >= 3 }
        XCTAssertEqual(shrink(input, fails), shrink(input, fails))
        XCTAssertEqual(shrink(input, fails).decisions, [91, 91, 91])
    }

    func testNeverTradesASmallerSequenceForALongerRun() {
        // A scenario where 0 means "the longest gap": the run's size is 100 - d[0] events and it
        // fails whenever d[1] == 9. Zeroing d[0] would give a simpler sequence but a longer run.
        let measure: ([UInt64]) -> Int? = { d in
            guard d.count >= 2, d[1] == 9 else { return nil }
            return 100 - Int(min(d[0], 50))
        }
        var s = Shrinker([50, 9, 3, 3], size: 50, measure: measure)
        let r = s.shrink()
        XCTAssertEqual(r.decisions, [50, 9], "d[0] stays at 50: the shortest run wins first")
    }

    /// The coarse round gives a short sequence every pass (a world of a few draws is worth
    /// lowering value by value) but a long one only truncation and large blocks.
    func testCoarseRoundLowersShortSequencesOnly() {
        let fails: ([UInt64]) -> Bool = { d in d.count >= 3 && d[2] > 100 }
        var short = Shrinker([90, 80, 170, 60, 50], stillFails: fails)
        XCTAssertEqual(short.shrink(coarse: true).decisions, [0, 0, 101])
        let longFails: ([UInt64]) -> Bool = { d in d.count >= 100 && d[2] > 100 }
        var long = Shrinker([90, 80, 170] + Array(repeating: 1, count: 100), stillFails: longFails)
        let r = long.shrink(coarse: true)
        XCTAssertEqual(r.decisions.count, 100, "truncated")
        XCTAssertEqual(r.decisions[2], 170, "values not lowered one by one")
        XCTAssertEqual(r.decisions[50], 0, "large blocks zeroed")
    }

    func testRespectsTheBudget() {
        var s = Shrinker((0..<1000).map { _ in 1 }, maxAttempts: 10) { _ in true }
        let r = s.shrink()
        XCTAssertLessThanOrEqual(r.attempts, 10)
    }

    /// A toy run over lanes: each step draws a network delay, then a fault; a fault of 3
    /// fails the run, and a delay of 7 before it is also needed. The run's size is the step
    /// at which it fails.
    static func toyRun(_ source: ChoiceSource) -> Int? {
        let c = Choices(source)
        var sawSeven = false
        for step in 0..<50 {
            if c.below(10, "net.delay") == 7 { sawSeven = true }
            if c.below(5, "fuzz.fault") == 3 && sawSeven { return step + 1 }
        }
        return nil
    }

    func testLanesFindTheMinimumFlatDeletionCannotReach() {
        // Faults at every step but only the last is a 3; the delay 7 comes at step 2.
        var flat: [UInt64] = []
        for step in 0..<12 {
            flat.append(step == 2 ? 7 : 4)
            flat.append(step == 11 ? 3 : 1)
        }
        XCTAssertEqual(Self.toyRun(.recorded(flat)), 12)
        let labels = (0..<12).flatMap { _ in ["net.delay", "fuzz.fault"] }
        let lanes = Choices.lanes(Array(zip(labels, flat)).map { (label: $0.0, value: $0.1) })
        XCTAssertEqual(lanes.keys.sorted(), ["fuzz", "net"])
        var s = LaneShrinker(lanes, size: 12) { Self.toyRun(.lanes($0)) }
        let r = s.shrink()
        XCTAssertEqual(r.size, 1, "fails at the first step")
        XCTAssertEqual(r.lanes["net"], [7])
        XCTAssertEqual(r.lanes["fuzz"], [3])
        var again = LaneShrinker(lanes, size: 12) { Self.toyRun(.lanes($0)) }
        XCTAssertEqual(again.shrink(), r, "deterministic")
    }

    func testLaneOfALabel() {
        XCTAssertEqual(Choices.lane(of: "net.delay"), "net")
        XCTAssertEqual(Choices.lane(of: "mr.fault.hang"), "mr.fault")
        XCTAssertEqual(Choices.lane(of: "plain"), "plain")
    }
}
