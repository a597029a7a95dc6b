// Shrinking a failing run, the way Hypothesis shrinks: not the run's events but the sequence
// of integers its `Choices` handed out. Replaying a shorter or smaller sequence re-runs the
// scenario with fewer or simpler decisions — a value of 0 is always the simplest answer (no
// drop, no delay, the first option), and a sequence that runs out answers 0 from then on — and
// a candidate is kept only if the run still fails the same way (`stillFails`).
//
// Passes, repeated until a whole round changes nothing or the budget is spent:
//   1. truncate: the shortest prefix that still fails (binary search, then linear back-off);
//   2. delete blocks, from the end towards the start: first large ones (a quarter of the
//      sequence, an eighth, … down to 16) stepping a block at a time, then blocks of 8, 4, 3,
//      2 and 1 sliding one position at a time (3: a fault step of gap, kind and node);
//   3. zero blocks, the same way;
//   4. zero one decision and delete the 1, 2 or 3 after it: a choice that picks a branch (a
//      fault, say) is followed by the choices that branch draws (which node), and the simpler
//      branch draws fewer, so zeroing alone shifts every later decision onto another label;
//   5. lower each remaining value: to 0, then by binary search towards 0.
// A candidate is kept when it still fails and is smaller: first by the size of the run it
// produces (the caller's measure, e.g. events then lines: 0 may mean "the longest gap" to a
// scenario, so a simpler sequence can give a longer run), then shortlex (shorter first, then
// smaller values). Every accepted candidate is strictly smaller in that well-founded order, so
// the search terminates. The budget counts candidate runs, not seconds, so the same input
// always shrinks the same way.

/// The result of a shrink.
public struct ShrinkResult: Equatable {
    /// The simplest failing sequence found.
    public var decisions: [UInt64]
    /// Candidate runs tried.
    public var attempts: Int
    /// Candidates that still failed (each an improvement).
    public var improvements: Int
    /// True when the budget ran out before a round without improvement.
    public var budgetExhausted: Bool
}

/// Shrinks a failing choice sequence.
public struct Shrinker {
    /// The run's size if it still fails the same way, else nil.
    let measure: ([UInt64]) -> Int?
    /// Maximum candidate runs.
    let maxAttempts: Int
    /// Called after each improvement with (attempts, current length).
    let progress: ((Int, Int) -> Void)?

    private(set) var best: [UInt64]
    public private(set) var bestSize: Int
    private(set) var attempts = 0
    private(set) var improvements = 0

    /// Prepares to shrink `decisions`, which must fail; `measure` gives a candidate's run size
    /// when it still fails the same way (nil otherwise). `size` is the input's run size.
    public init(
        _ decisions: [UInt64], size: Int, maxAttempts: Int = 5000,
        progress: ((Int, Int) -> Void)? = nil, measure: @escaping ([UInt64]) -> Int?
    ) {
        best = decisions
        bestSize = size
        self.maxAttempts = maxAttempts
        self.progress = progress
        self.measure = measure
    }

    /// Prepares to shrink by the choice sequence alone (every failing run counts as size 0).
    public init(
        _ decisions: [UInt64], maxAttempts: Int = 5000, progress: ((Int, Int) -> Void)? = nil,
        stillFails: @escaping ([UInt64]) -> Bool
    ) {
        self.init(decisions, size: 0, maxAttempts: maxAttempts, progress: progress) {
            stillFails($0) ? 0 : nil
        }
    }

    /// Runs every pass until nothing improves or the budget is spent.
    /// With `coarse`, a sequence longer than `finePassesMax` gets only the passes that cost a
    /// few runs each (truncation and large blocks): a first cut of a long run before the fine
    /// passes, which cost several runs per decision. A short sequence (a scenario's world: how
    /// many servers, clients, which faults) gets every pass even then, since lowering one of its
    /// values can shrink the whole run at once.
    public mutating func shrink(coarse: Bool = false) -> ShrinkResult {
        while attempts < maxAttempts {
            let before = best
            let fine = !coarse || best.count <= Shrinker.finePassesMax
            truncate()
            for k in Shrinker.largeBlocks(best.count) { deleteBlocks(k, stride: k) }
            if fine { for k in [8, 4, 3, 2, 1] { deleteBlocks(k) } }
            for k in Shrinker.largeBlocks(best.count) { zeroBlocks(k, stride: k) }
            if fine {
                for k in [8, 4, 2, 1] { zeroBlocks(k) }
                zeroAndDeleteAfter()
                lowerValues()
            }
            if best == before { break }
        }
        return ShrinkResult(
            decisions: best, attempts: attempts, improvements: improvements,
            budgetExhausted: attempts >= maxAttempts)
    }

    /// The longest sequence that `shrink(coarse: true)` still gives every pass.
    public static let finePassesMax = 64

    /// True if `a` is simpler than `b`: shorter, or as long and lexicographically smaller.
    static func simpler(_ a: [UInt64], than b: [UInt64]) -> Bool {
        if a.count != b.count { return a.count < b.count }
        return a.lexicographicallyPrecedes(b)
    }

    /// Tries `candidate`; keeps it if it still fails with a run no larger and is simpler.
    @discardableResult
    mutating func attempt(_ candidate: [UInt64]) -> Bool {
        guard attempts < maxAttempts, Shrinker.simpler(candidate, than: best) else { return false }
        attempts += 1
        guard let size = measure(candidate), size <= bestSize else { return false }
        best = candidate
        bestSize = size
        improvements += 1
        progress?(attempts, best.count)
        return true
    }

    mutating func truncate() {
        var lo = 0
        var hi = best.count
        while lo < hi && attempts < maxAttempts {
            let mid = (lo + hi) / 2
            if attempt(Array(best.prefix(mid))) { hi = mid } else { lo = mid + 1 }
            hi = min(hi, best.count)
        }
        // Trailing zeros are what an exhausted replay answers anyway.
        var trimmed = best
        while trimmed.last == 0 { trimmed.removeLast() }
        attempt(trimmed)
    }

    /// Block sizes above 8 for a sequence of `n` decisions: n/4, n/8, … down to 16. A long run
    /// (thousands of decisions) is first cut in large pieces, a few runs each, before the
    /// small blocks slide over what is left one position at a time.
    static func largeBlocks(_ n: Int) -> [Int] {
        var out: [Int] = []
        var k = n / 4
        while k >= 16 {
            out.append(k)
            k /= 2
        }
        return out
    }

    mutating func deleteBlocks(_ k: Int, stride: Int = 1) {
        var i = best.count - k
        while i >= 0 && attempts < maxAttempts {
            var c = best
            c.removeSubrange(i..<min(i + k, c.count))
            attempt(c)
            i = min(i - stride, best.count - k)
        }
    }

    mutating func zeroBlocks(_ k: Int, stride: Int = 1) {
        var i = best.count - k
        while i >= 0 && attempts < maxAttempts {
            if best[i..<min(i + k, best.count)].contains(where: { $0 != 0 }) {
                var c = best
                for j in i..<min(i + k, c.count) { c[j] = 0 }
                attempt(c)
            }
            i = min(i - stride, best.count - k)
        }
    }

    mutating func zeroAndDeleteAfter() {
        var i = best.count - 2
        while i >= 0 && attempts < maxAttempts {
            if best[i] != 0 {
                for k in 1...3 where i + k < best.count {
                    var c = best
                    c[i] = 0
                    c.removeSubrange(i + 1...i + k)
                    if attempt(c) { break }
                }
            }
            i = min(i - 1, best.count - 2)
        }
    }

    mutating func lowerValues() {
        var i = 0
        while i < best.count && attempts < maxAttempts {
            if best[i] != 0 {
                var c = best
                c[i] = 0
                if !attempt(c) { binaryLower(i) }
            }
            i += 1
        }
    }

    /// Finds the smallest value at `i` that still fails, assuming (roughly) monotonicity.
    mutating func binaryLower(_ i: Int) {
        var lo: UInt64 = 1
        var hi = best[i]
        while lo < hi && attempts < maxAttempts && i < best.count {
            let mid = lo + (hi - lo) / 2
            var c = best
            c[i] = mid
            if attempt(c) { hi = mid } else { lo = mid + 1 }
        }
    }
}
