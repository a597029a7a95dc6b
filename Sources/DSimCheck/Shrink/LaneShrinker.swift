// Shrinking lane by lane. A run's decisions interleave several concerns — the network's delays
// and drops, timers, the fault schedule, the clients — and in one flat sequence deleting a fault
// shifts every later network decision onto another message, so the run that follows is a
// different run and the deletion is rejected. Replayed per lane (`ChoiceSource.lanes`), each
// concern answers its own questions in its own order, so one lane can be shortened or
// simplified while the others keep meaning what they meant.
//
// Rounds over the lanes, shortest first; each lane is shrunk with the `Shrinker`'s passes while
// the others stay fixed, until a whole round changes nothing or the run budget is spent. A
// candidate is kept under the same rule as in `Shrinker`: the run still fails, is no larger, and
// the lane is simpler (shortlex); each accepted step makes one lane simpler and leaves the
// others as they are, so the search terminates.

/// The result of a lane-by-lane shrink.
public struct LaneShrinkResult: Equatable {
    /// The simplest failing lanes found.
    public var lanes: [String: [UInt64]]
    /// The run size of `lanes`.
    public var size: Int
    /// Candidate runs tried.
    public var attempts: Int
    /// Candidates kept.
    public var improvements: Int
    /// True when the budget ran out before a round without improvement.
    public var budgetExhausted: Bool
}

/// Shrinks the lanes of a failing run.
public struct LaneShrinker {
    /// The run's size if it still fails the same way, else nil.
    let measure: ([String: [UInt64]]) -> Int?
    /// Maximum candidate runs in all.
    let maxAttempts: Int
    /// Called after each improvement with (attempts, decisions left over all lanes).
    let progress: ((Int, Int) -> Void)?
    private(set) var lanes: [String: [UInt64]]
    private(set) var size: Int

    /// Prepares to shrink `lanes`, which must fail with run size `size`.
    public init(
        _ lanes: [String: [UInt64]], size: Int, maxAttempts: Int = 5000,
        progress: ((Int, Int) -> Void)? = nil,
        measure: @escaping ([String: [UInt64]]) -> Int?
    ) {
        self.lanes = lanes
        self.size = size
        self.maxAttempts = maxAttempts
        self.progress = progress
        self.measure = measure
    }

    /// Shrinks every lane in turn until a round changes nothing or the budget is spent.
    /// `coarse`: only the cheap passes (see `Shrinker.shrink(coarse:)`).
    public mutating func shrink(coarse: Bool = false) -> LaneShrinkResult {
        var attempts = 0
        var improvements = 0
        // Shortest lanes first: they shape the run (the world, the fault mix), so their edits
        // shrink it most, and each costs few runs.
        let names = lanes.keys.sorted { (lanes[$0]!.count, $0) < (lanes[$1]!.count, $1) }
        var changed = true
        while changed && attempts < maxAttempts {
            changed = false
            for name in names where attempts < maxAttempts {
                let base = lanes
                let measure = self.measure
                let total = base.values.reduce(0) { $0 + $1.count } - base[name]!.count
                let report = progress
                var s = Shrinker(
                    base[name]!, size: size, maxAttempts: maxAttempts - attempts,
                    progress: { a, n in report?(attempts + a, total + n) }
                ) { candidate in
                    var l = base
                    l[name] = candidate
                    return measure(l)
                }
                let r = s.shrink(coarse: coarse)
                attempts += r.attempts
                guard r.improvements > 0 else { continue }
                improvements += r.improvements
                lanes[name] = r.decisions
                size = s.bestSize
                changed = true
            }
        }
        return LaneShrinkResult(
            lanes: lanes, size: size, attempts: attempts, improvements: improvements,
            budgetExhausted: attempts >= maxAttempts)
    }
}
