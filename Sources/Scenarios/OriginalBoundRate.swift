// Original bounds as a rate. A port that inherits a timing bound from its original test (the
// crash test's 120 s) reports a run that misses it as `original-bound`, not as a violation: a
// correct implementation misses such a bound with some probability. A campaign counts them,
// and fails only when the count is well above what its spec expects:
//
//   rule: with n seeds, k original-bound runs and the expected rate p0, fail when k >= 2 and
//         P(X >= k) < 0.001 for X ~ Binomial(n, p0)   (an exact one-sided binomial test)
//
// so one occurrence never fails a campaign, and a rate that only looks high by chance fails
// once in a thousand campaigns. Example: 3,000 seeds at p0 = 0.001 (3 expected) pass with up
// to 10 and fail from 11 (P(X >= 11) = 0.0003).
import DSimCore
import Foundation

/// The original-bound count of a campaign against its expected rate.
public struct OriginalBoundRate: Sendable, Equatable {
    /// The significance of the test: a campaign at exactly the expected rate fails this often.
    public static let significance = 0.001

    /// Runs that missed the original bound.
    public var count: Int
    /// Seeds run.
    public var seeds: Int
    /// The rate the spec expects (0 when it states none).
    public var expected: Double

    /// A count of `count` in `seeds` seeds, against `expected`.
    public init(count: Int, seeds: Int, expected: Double) {
        precondition(count >= 0 && seeds >= count, "count \(count) of \(seeds) seeds")
        precondition(expected >= 0 && expected <= 1, "expected rate \(expected)")
        self.count = count
        self.seeds = seeds
        self.expected = expected
    }

    /// The observed rate.
    public var rate: Double { seeds == 0 ? 0 : Double(count) / Double(seeds) }

    /// P(X >= count) for X ~ Binomial(seeds, expected): how likely a campaign at the expected
    /// rate sees this many or more.
    public var pValue: Double { Self.upperTail(k: count, n: seeds, p: expected) }

    /// True when the count is well above the expected rate (see the rule above).
    public var isWellAbove: Bool { count >= 2 && pValue < Self.significance }

    /// One line: `2 original-bound (rate 6.7e-04 = 2/3000; expected 1.0e-03, P(>= 2) = 0.80: ok)`.
    public var summary: String {
        String(
            format: "%d original-bound (rate %.1e = %d/%d; expected %.1e, P(>= %d) = %.2g: %@)",
            count, rate, count, seeds, expected, count, pValue,
            isWellAbove ? "WELL ABOVE the expected rate" : "ok")
    }

    /// P(X >= k), X ~ Binomial(n, p), summed from k upwards in logs (no cancellation).
    static func upperTail(k: Int, n: Int, p: Double) -> Double {
        if k <= 0 { return 1 }
        if k > n || p <= 0 { return 0 }
        if p >= 1 { return 1 }
        let lp = log(p)
        let lq = log1p(-p)
        let logChoose = { (i: Int) in
            lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
        }
        var sum = 0.0
        for i in k...n {
            let term = exp(logChoose(i) + Double(i) * lp + Double(n - i) * lq)
            sum += term
            // Past the mode the terms fall geometrically: stop once they no longer count.
            if Double(i) > Double(n) * p && term < sum * 1e-17 { break }
        }
        return min(1, sum)
    }
}
