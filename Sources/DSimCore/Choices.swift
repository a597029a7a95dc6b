// Choices: the one seam through which every nondeterministic decision of a run passes.
//
// A run is a pure function of its scenario, its options and the sequence of integers that
// `Choices` hands out. In fuzz mode the integers come from a seeded xoshiro256**; in replay mode
// they are read back from a trace; in shrink mode they come from an edited copy of a recorded
// sequence. Shrinking therefore works on plain integers, as Hypothesis shrinks its choice
// sequence: a value of 0 is always the simplest choice (no fault, the shortest delay, the first
// option), and a replayed sequence that runs out answers 0 from then on.
//
// Every call names what it decides (`label`), so a recorded decision reads as
// `{"dec":"net.drop","n":1000,"v":17}` and a replay can tell when the run asks a different
// question than the one recorded.

/// Where a run's decisions come from.
public enum ChoiceSource: Sendable, Equatable {
    /// Fresh decisions from a seeded PRNG.
    case seed(UInt64)
    /// Decisions read back in order (replay and shrinking); 0 once they run out.
    case recorded([UInt64])
    /// Decisions read back in order, then fresh ones from a PRNG seeded with `then` (a
    /// regression trace re-run after the code changed: the recorded path as far as it goes,
    /// then a random continuation rather than an all-zero one).
    case recordedThenSeed([UInt64], then: UInt64)
    /// Decisions read back per lane (shrinking): each lane answers its own questions in order,
    /// 0 once it runs out, so editing one lane (the faults, say) does not shift the answers of
    /// another (the network's delays). Keyed by `Choices.lane(of:)`.
    case lanes([String: [UInt64]])
    /// Lanes as in `.lanes`, but a lane that runs out answers from a PRNG seeded with `then`
    /// (shrinking: keep the lanes that shape the run, draw the others afresh).
    case lanesThenSeed([String: [UInt64]], then: UInt64)
}

/// One recorded decision: what was asked (`label`, `bound`) and the answer (`value`).
public struct Decision: Sendable, Equatable {
    /// What the decision was about, e.g. `net.delay`.
    public var label: String
    /// The number of options: the value is in `0..<bound`.
    public var bound: UInt64
    /// The option chosen.
    public var value: UInt64

    /// Creates a decision record.
    public init(label: String, bound: UInt64, value: UInt64) {
        self.label = label
        self.bound = bound
        self.value = value
    }
}

/// The single source of every nondeterministic decision in a run.
public final class Choices {
    private var rng: Xoshiro256
    private var recorded: [UInt64] = []
    private let isReplay: Bool
    private var continuesWithSeed = false
    private var cursor = 0
    /// Lane replay only: the lanes' values and cursors, and each label's lane.
    private var isLaned = false
    private var laneValues: [[UInt64]] = []
    private var laneCursors: [Int] = []
    private var laneIndex: [String: Int] = [:]
    /// Each label's lane, by the address of the label's text (`laneKey`): a lookup that costs
    /// no String per decision. Only looked up, never iterated, so the addresses (which differ
    /// between processes) cannot reach a decision.
    private var labelLane: [Int: Int] = [:]
    /// Number of decisions taken so far.
    public private(set) var count = 0
    /// The trace every decision is written to (or counted in, when not recording). Decisions
    /// always take a line number, so line numbers agree between recorded and unrecorded runs.
    public var trace: TraceRecorder?
    /// While true every decision answers 0 and is neither drawn nor recorded: set while an
    /// ended simulation unwinds its tasks (`AsyncSimulation.end`), after the verdict.
    public var isSealed = false
    /// Replay only: a PRNG drawn in lockstep to verify that recorded values are the ones the
    /// header's seed gives; the first mismatch is kept in `firstMismatch`.
    private var lockstep: Xoshiro256?
    /// Replay only: (decision index, recorded value, seed's value) of the first mismatch.
    public private(set) var firstMismatch: (index: Int, recorded: UInt64, expected: UInt64)?
    /// Replay only: the labels the recorded decisions were asked under.
    private var expectedLabels: [String] = []
    /// Replay only: (decision index, recorded label, label asked now) of the first decision
    /// asked under a different label than recorded — the run took another path.
    public private(set) var firstLabelMismatch: (index: Int, recorded: String, asked: String)?
    /// True once a replay that must stop on divergence has diverged; simulations stop then.
    public private(set) var shouldHalt = false
    private var haltOnDivergence = false
    /// Explore mode: the run's deviations answer its decisions (every other one is 0), and the
    /// points after them are noted for the explorer. Set before the run starts.
    public var explore: ExplorePath?
    /// The PCT strategy, when the run uses it: the kernel runs ready events by its priorities.
    public var pct: PCTScheduler?

    /// Creates a source of decisions.
    public init(_ source: ChoiceSource) {
        switch source {
        case .seed(let s):
            rng = Xoshiro256(seed: s)
            isReplay = false
        case .recorded(let values):
            rng = Xoshiro256(seed: 0)
            recorded = values
            isReplay = true
        case .recordedThenSeed(let values, let seed):
            rng = Xoshiro256(seed: seed)
            recorded = values
            isReplay = true
            continuesWithSeed = true
        case .lanes(let lanes), .lanesThenSeed(let lanes, _):
            if case .lanesThenSeed(_, let seed) = source {
                rng = Xoshiro256(seed: seed)
                continuesWithSeed = true
            } else {
                rng = Xoshiro256(seed: 0)
            }
            isReplay = true
            isLaned = true
            for name in lanes.keys.sorted() {
                laneIndex[name] = laneValues.count
                laneValues.append(lanes[name]!)
                laneCursors.append(0)
            }
        }
    }

    /// The lane a decision label belongs to: the label without its last component
    /// (`net.delay` → `net`, `mr.fault.hang` → `mr.fault`). Decisions of one lane are about one
    /// concern (the network, a fault schedule, a client), asked in an order of their own.
    public static func lane(of label: String) -> String {
        guard let dot = label.lastIndex(of: ".") else { return label }
        return String(label[..<dot])
    }

    /// Splits a recorded sequence into lanes (for `.lanes`).
    public static func lanes(_ decisions: [(label: String, value: UInt64)]) -> [String: [UInt64]] {
        var out: [String: [UInt64]] = [:]
        for d in decisions { out[lane(of: d.label), default: []].append(d.value) }
        return out
    }

    /// Lane replay: the next value of `label`'s lane; once the lane is used up, 0 (or a fresh
    /// draw below `bound`, with `.lanesThenSeed`).
    private func nextInLane(_ label: StaticString, bound: UInt64) -> UInt64 {
        let key = Choices.laneKey(label)
        let l: Int
        if let known = labelLane[key] {
            l = known
        } else {
            let lane = Choices.lane(of: label.description)
            if let existing = laneIndex[lane] {
                l = existing
            } else {
                l = laneValues.count
                laneIndex[lane] = l
                laneValues.append([])
                laneCursors.append(0)
            }
            labelLane[key] = l
        }
        let c = laneCursors[l]
        laneCursors[l] = c + 1
        if c < laneValues[l].count { return laneValues[l][c] }
        return continuesWithSeed ? rng.below(bound) : 0
    }

    /// The key of `label` in `labelLane`: the address of its text (a literal's is fixed for the
    /// process), or, for a label held as one scalar, the scalar's negated value.
    @inline(__always)
    private static func laneKey(_ label: StaticString) -> Int {
        label.hasPointerRepresentation
            ? Int(bitPattern: label.utf8Start) : -1 - Int(label.unicodeScalar.value)
    }

    /// Explore mode: the world reached a state already expanded; the simulation stops at its
    /// next step (the explorer ignores the stopped run's verdict).
    public func haltExploredRun() { shouldHalt = true }

    /// Replay only: also draws from `seed` and notes the first recorded value that differs.
    public func verify(againstSeed seed: UInt64) { lockstep = Xoshiro256(seed: seed) }

    /// Replay only: checks each decision's label against the recorded one; with `halt`, the
    /// first difference (or seed mismatch) sets `shouldHalt`, which stops the simulation.
    public func expect(labels: [String], halt: Bool) {
        expectedLabels = labels
        haltOnDivergence = halt
    }

    /// Number of recorded values not yet consumed (replay only).
    public var remaining: Int {
        if isLaned {
            return zip(laneCursors, laneValues).reduce(0) { $0 + max(0, $1.1.count - $1.0) }
        }
        return isReplay ? max(0, recorded.count - cursor) : 0
    }

    /// True when a replayed sequence has been used up (later answers are all 0).
    public var isExhausted: Bool { isReplay && remaining == 0 }

    /// A decision in `0..<bound`; `bound` must be at least 1. A bound of 1 is not a decision
    /// and is neither drawn nor recorded.
    @inline(__always)
    public func below(_ bound: Int, _ label: StaticString) -> Int {
        precondition(bound >= 1, "below(\(bound)) for \(label)")
        if bound == 1 || isSealed { return 0 }
        let b = UInt64(bound)
        let v: UInt64
        if let x = explore {
            v = x.answer(cursor, label, bound: b)
            cursor += 1
        } else if isLaned {
            v = min(nextInLane(label, bound: b), b - 1)
            cursor += 1
        } else if isReplay {
            if cursor < recorded.count {
                v = min(recorded[cursor], b - 1)
            } else {
                v = continuesWithSeed ? rng.below(b) : 0
            }
            if lockstep != nil {
                let expected = lockstep!.below(b)
                if expected != v && firstMismatch == nil {
                    firstMismatch = (cursor, v, expected)
                    shouldHalt = haltOnDivergence
                }
            }
            if cursor < expectedLabels.count, firstLabelMismatch == nil {
                let asked = label.description
                if asked != expectedLabels[cursor] {
                    firstLabelMismatch = (cursor, expectedLabels[cursor], asked)
                    shouldHalt = haltOnDivergence
                }
            }
            cursor += 1
        } else {
            v = rng.below(b)
        }
        count += 1
        if let t = trace { t.decision(label, bound: b, value: v) }
        return Int(v)
    }

    /// True with probability `numerator / denominator` (integers: no `Double` in decisions).
    /// Returns false without drawing when the probability is 0, true when it is 1.
    @inline(__always)
    public func chance(_ numerator: Int, in denominator: Int, _ label: StaticString) -> Bool {
        if numerator <= 0 { return false }
        if numerator >= denominator { return true }
        // Drawn as "v >= denominator - numerator", so the simplest answer (0) means "no".
        return below(denominator, label) >= denominator - numerator
    }

    /// A value in `lo...hi` (inclusive), `lo` being the simplest.
    @inline(__always)
    public func between(_ lo: Int, _ hi: Int, _ label: StaticString) -> Int {
        precondition(hi >= lo, "between(\(lo), \(hi)) for \(label)")
        return lo + below(hi - lo + 1, label)
    }
}

extension Choices {
    /// Whether a fuzz run's fault phase takes one more step. Almost always yes when fuzzing
    /// (1 in 10,000 steps ends it early, so a campaign runs its full fault phase); 0, the
    /// shrinker's simplest answer, ends it here. A shrunk run's fault phase therefore stops
    /// right after the last fault that matters instead of idling to its end, drawing a gap and
    /// "no fault" every step. One definition for every fuzz scenario's fault loop.
    public func continuesFaultPhase() -> Bool { chance(9_999, in: 10_000, "fuzz.more") }
}
