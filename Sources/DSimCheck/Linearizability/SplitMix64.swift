/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator. The checker uses it for its
/// Zobrist hash keys and the bench for synthetic histories, so both are the same on every run.
struct SplitMix64 {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64 pseudo-random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound > 0), by multiply-shift (bias below 2^-32 for our sizes).
    mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound \(bound) <= 0")
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
