// Bounded systematic exploration through the `Choices` seam (CHESS's delay-bounded search).
//
// An explored run is described by its deviations: the few decisions (index, value) that leave
// their default of 0; every other decision answers 0. The run notes each decision point it
// passes after its last deviation (label and bound), so the explorer can make children from
// it: one more deviation at each later point, for each value of the point's explore domain.
// Every choice sequence with at most K deviations is so reached exactly once, along the
// increasing order of its deviation indices.
//
// States reached by different prefixes are expanded once. Between two kernel steps (never
// inside a handler, where a node value is moved out and a handler's locals are invisible) the
// run hashes its whole world — nodes, in-flight messages, live timers, persisted state,
// connectivity, the checker's and the driver's state — through `fingerprint`, and asks the
// shared `ExploreTable` whether that state was already expanded with at least as many
// deviations left. If so the run stops there: every continuation it could take was, or will
// be, taken from the earlier visit. Soundness rests on the fingerprint covering everything the
// future depends on; `Tests/ScenariosTests/ExploreSoundnessTests` checks that two prefixes
// with equal fingerprints have identical futures under the same later choices.
//
// A scenario closes the window (`freeze`) when it turns to its liveness phase: later
// decisions take their default and are neither enumerated nor fingerprinted, so a bound is a
// statement about the fault phase: "no violation in any run with at most K deviations".

/// One decision point an explored run passed after its last deviation.
public struct ExplorePoint: Sendable {
    /// The decision's index in the run's sequence.
    public var index: Int
    /// What it decided.
    public var label: StaticString
    /// Its number of options.
    public var bound: UInt64
}

/// States already expanded, shared by every run of one exploration.
public final class ExploreTable {
    /// Fingerprint → the most deviations that were left when the state was expanded, and the
    /// run that expanded it.
    private var remainingByState: [Int: (remaining: Int, run: Int)] = [:]
    /// Runs started so far (each path takes the next number).
    private var runs = 0
    /// Visits that stopped a run because the state was already expanded.
    public private(set) var pruned = 0

    /// An empty table.
    public init() {}

    /// Number of distinct states seen.
    public var count: Int { remainingByState.count }

    /// Records a visit of `state` by `run` with `remaining` deviations left; true when another
    /// run already expanded it with at least as many left (this run can stop here). A state
    /// the same run met before (a step that changed nothing that matters, such as a disarmed
    /// timer's arrival) is not a reason to stop: the run is that state's expansion.
    func visit(_ state: Int, remaining: Int, run: Int) -> Bool {
        if let seen = remainingByState[state], seen.remaining >= remaining {
            if seen.run == run { return false }
            pruned += 1
            return true
        }
        remainingByState[state] = (remaining, run)
        return false
    }

    /// A number for a new run.
    func nextRun() -> Int {
        runs += 1
        return runs
    }

    /// Forgets every state (a new deviation bound starts afresh).
    public func reset() {
        remainingByState.removeAll(keepingCapacity: true)
        pruned = 0
    }
}

/// The explorer's side of one run: its deviations, the points after them, and pruning.
public final class ExplorePath {
    /// The deviations, by increasing index.
    public let deviations: [(index: Int, value: UInt64)]
    /// The deviation bound of the exploration (deviations left = bound - deviations.count).
    public let bound: Int
    /// States shared with the other runs; nil turns pruning off.
    public let table: ExploreTable?
    /// Hashes the world between kernel steps. Set by the scenario's harness; a world that
    /// cannot be fingerprinted leaves it nil, and the run is then never pruned.
    public var fingerprint: ((inout Hasher) -> Void)?
    /// Points passed after the last deviation, while the window was open.
    public private(set) var points: [ExplorePoint] = []
    /// True once the scenario closed the window (its liveness phase).
    public private(set) var isFrozen = false
    /// The decision index at which the run was stopped as already explored, if it was.
    public private(set) var prunedAt: Int?
    /// Every value the run took, in order (the trace of a failing run replays these).
    public private(set) var values: [UInt64] = []
    private var nextDeviation = 0

    /// A run with `deviations` (sorted by index) under `bound`.
    public init(deviations: [(index: Int, value: UInt64)], bound: Int, table: ExploreTable?) {
        precondition(deviations.count <= bound, "\(deviations.count) deviations over \(bound)")
        self.deviations = deviations
        self.bound = bound
        self.table = table
        runNumber = table?.nextRun() ?? 0
    }

    /// This run's number in its table.
    private let runNumber: Int

    /// Index of the last deviation plus one (0 for the all-default run).
    public var prefixLength: Int { deviations.last.map { $0.index + 1 } ?? 0 }

    /// The answer to decision `index` (`bound` options, asked as `label`).
    @inline(__always)
    func answer(_ index: Int, _ label: StaticString, bound: UInt64) -> UInt64 {
        var v: UInt64 = 0
        if nextDeviation < deviations.count, deviations[nextDeviation].index == index {
            v = min(deviations[nextDeviation].value, bound - 1)
            nextDeviation += 1
        } else if index >= prefixLength && !isFrozen && prunedAt == nil {
            points.append(ExplorePoint(index: index, label: label, bound: bound))
        }
        values.append(v)
        return v
    }

    /// Closes the window: later decisions take their default and are not enumerated.
    public func freeze() { isFrozen = true }

    /// Tests only: when set, every fingerprint taken, with the decisions taken, the next trace
    /// line and `testOnly_state` at that moment (the soundness test compares states and
    /// replays futures from such points).
    public var testOnly_fingerprints:
        [(decisions: Int, line: Int, fingerprint: Int, state: String)]?
    /// Tests only: the nodes' full state as text, set by a scenario that can give it.
    public var testOnly_state: (() -> String)?

    /// Called between kernel steps with the number of decisions taken so far and the next trace
    /// line; true when the world is in a state already expanded and the run should stop.
    public func atStep(decisions: Int, line: Int) -> Bool {
        guard let fingerprint, !isFrozen, prunedAt == nil, decisions >= prefixLength
        else { return false }
        var h = Hasher()
        fingerprint(&h)
        let state = h.finalize()
        if testOnly_fingerprints != nil {
            testOnly_fingerprints!.append((decisions, line, state, testOnly_state?() ?? ""))
        }
        guard let table else { return false }
        if table.visit(state, remaining: bound - deviations.count, run: runNumber) {
            prunedAt = decisions
            return true
        }
        return false
    }

    /// The world's fingerprint now (tests: two prefixes that meet compare futures from here).
    public func currentFingerprint() -> Int? {
        guard let fingerprint else { return nil }
        var h = Hasher()
        fingerprint(&h)
        return h.finalize()
    }

    /// The values of the explore domain of a point `label` with `bound` options, default
    /// excluded: every option of a fault schedule (`fault.*`: categorical, each kind a
    /// different fault) or of a small choice (a node, up to 9 options); else the largest only
    /// (the longest delay, a drop, the latest timeout): DESIGN §5's "none or the maximum".
    public static func domain(label: StaticString, bound: UInt64) -> [UInt64] {
        if bound <= 9 || (bound <= 64 && label.description.hasPrefix("fault.")) {
            return Array(1..<bound)
        }
        return [bound - 1]
    }
}
