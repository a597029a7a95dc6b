// Bounded systematic exploration (CHESS-style delay bounding over the `Choices` seam; the
// mechanics of one run are in DSimCore's `ExplorePath`).
//
// For each bound k = 0, 1, …, K in turn, a depth-first search runs every choice sequence with
// exactly k deviations from the all-default run: a run with j < k deviations makes a child for
// each later decision point it passed (in a lane being explored) and each value of that
// point's explore domain. Bound k therefore re-runs the runs of the lower bounds to find their
// points; the last bound dominates the cost. Each bound starts with an empty state table, so
// "bound k complete" is a statement on its own. The search stops at the first violation (its
// run is the finding, replayable from its values), or when `maxRuns` runs were spent: then
// the bound is incomplete, which is never reported as a pass. Everything is counted, nothing
// timed: the same request gives the same report on any machine.
import DSimCore

/// What to explore.
public struct ExploreOptions {
    /// The largest number of non-default decisions in a run (K).
    public var bound: Int
    /// Decision lanes whose points are enumerated (`Explorer.lanes`); the others keep their
    /// default. All of them by default.
    public var lanes: Set<String> = Set(Explorer.lanes)
    /// Runs allowed in all before the exploration stops incomplete. Default 1,000,000.
    public var maxRuns = 1_000_000
    /// Expand each world state once (false: every prefix runs to its end).
    public var pruning = true

    /// Options for bound `bound`.
    public init(bound: Int) {
        precondition(bound >= 0, "bound \(bound)")
        self.bound = bound
    }
}

/// How far an exploration has got.
public struct ExploreProgress {
    /// Runs so far (pruned ones included).
    public var runs: Int
    /// The bound being explored.
    public var bound: Int
    /// Distinct states in this bound's table.
    public var distinctStates: Int
    /// Runs stopped at an already expanded state, in this bound.
    public var pruned: Int
}

/// A failing run found by exploration.
public struct ExploreFinding {
    /// Its deviations (decision index, value).
    public var deviations: [(index: Int, value: UInt64)]
    /// Every decision value it took (a replay feeds these back).
    public var values: [UInt64]
    /// Its verdict.
    public var verdict: Verdict
    /// The bound at which it was found (its number of deviations).
    public var bound: Int
}

/// The outcome of an exploration.
public struct ExploreReport {
    /// Runs in all, over every bound.
    public var runs = 0
    /// Distinct states of the last bound explored.
    public var distinctStates = 0
    /// Runs of the last bound explored that stopped at an already expanded state.
    public var pruned = 0
    /// The highest bound explored completely without a violation (-1: none).
    public var completeBound = -1
    /// The bound being explored when the search stopped.
    public var lastBound = 0
    /// The first violation found, if any.
    public var finding: ExploreFinding?
    /// Runs whose verdict was unknown (a check ran out of budget).
    public var unknowns = 0

    /// An empty report.
    public init() {}
}

/// Bounded exploration of one scenario.
public enum Explorer {
    /// The decision lanes, as `--lanes` names them.
    public static let lanes = ["net", "faults", "timers", "clients", "other"]

    /// The lane of decision `label`: the network's deliveries and drops, fault schedules,
    /// timers (election timeouts), clients and harness draws, or other.
    public static func lane(of label: String) -> String {
        if label.hasPrefix("net.") { return "net" }
        if label.hasPrefix("fault.") || label.hasPrefix("fuzz.") || label.hasPrefix("swarm.") {
            return "faults"
        }
        if label.contains("election") || label.contains("timer") { return "timers" }
        if label.hasPrefix("client.") || label.hasPrefix("harness.") { return "clients" }
        return "other"
    }

    /// Explores `request` (its seed is ignored) under `options`, in this process, one run
    /// at a time (`run(_:_:jobs:isolation:build:progress:)` spreads it over workers).
    public static func run(
        _ request: RunRequest, _ options: ExploreOptions, build: BuildInfo,
        progress: ((ExploreProgress) -> Void)? = nil
    ) -> ExploreReport {
        run(request, options, jobs: 1, isolation: nil, build: build, progress: progress)
    }

    /// Every run of slice `slice` of bound `k` (exactly `k` deviations), depth first, with a
    /// state table of its own, stopping at the first violation or after `runsMax` runs.
    /// `willRun` hears of each run (its number in the slice, from 1, and its deviations)
    /// before it starts: a worker leaves them where its parent finds them if the run kills
    /// it. `progress` is called every 1,000 runs; `shouldStop` is asked before each run.
    public static func runSlice(
        _ request: RunRequest, _ options: ExploreOptions, bound k: Int, slice: ExploreSlice,
        runsMax: Int, build: BuildInfo, shouldStop: (() -> Bool)? = nil,
        willRun: ((Int, [(index: Int, value: UInt64)]) -> Void)? = nil,
        progress: ((ExploreSliceResult) -> Void)? = nil
    ) -> ExploreSliceResult {
        var result = ExploreSliceResult()
        let table = ExploreTable()
        var stack: [[(index: Int, value: UInt64)]] = [[]]
        var laneOfLabel: [String: Bool] = [:]
        func finished() -> ExploreSliceResult {
            var r = result
            r.distinctStates = table.count
            r.pruned = table.pruned
            return r
        }
        while let deviations = stack.popLast() {
            if result.runs >= runsMax || shouldStop?() == true {
                result.isExhausted = true
                return finished()
            }
            result.runs += 1
            willRun?(result.runs, deviations)
            let path = ExplorePath(
                deviations: deviations, bound: k, table: options.pruning ? table : nil)
            let r = Runner.run(
                request, source: .seed(0), record: false, build: build, explore: path)
            if result.runs % 1000 == 0 { progress?(finished()) }
            if path.prunedAt == nil {
                switch r.verdict {
                case .violation:
                    result.finding = ExploreFinding(
                        deviations: deviations, values: path.values, verdict: r.verdict,
                        bound: deviations.count)
                    return finished()
                case .unknown: result.unknowns += 1
                default: break
                }
            }
            guard deviations.count < k else { continue }
            var children = self.children(
                of: path, deviations, options: options, laneOfLabel: &laneOfLabel)
            if deviations.isEmpty && slice.count > 1 {
                // The slices share out the all-default run's children, round robin.
                children = children.enumerated().filter { $0.offset % slice.count == slice.index }
                    .map(\.element)
            }
            stack.append(contentsOf: children.reversed())
        }
        return finished()
    }

    /// The runs with one more deviation than `deviations`: one at each later point `path`
    /// passed (in an explored lane, before it was pruned), for each value of its domain.
    private static func children(
        of path: ExplorePath, _ deviations: [(index: Int, value: UInt64)],
        options: ExploreOptions, laneOfLabel: inout [String: Bool]
    ) -> [[(index: Int, value: UInt64)]] {
        let limit = path.prunedAt ?? .max
        var children: [[(index: Int, value: UInt64)]] = []
        for point in path.points where point.index < limit {
            let label = point.label.description
            let explored =
                laneOfLabel[label]
                ?? {
                    let on = options.lanes.contains(lane(of: label))
                    laneOfLabel[label] = on
                    return on
                }()
            guard explored else { continue }
            for v in ExplorePath.domain(label: point.label, bound: point.bound) {
                children.append(deviations + [(point.index, v)])
            }
        }
        return children
    }
}

/// One part of a bound's search: the all-default run's children (the runs with one deviation)
/// are dealt round robin to `count` slices, and each slice searches below its own with a state
/// table of its own. Slice 0 of 1 is the whole search.
public struct ExploreSlice: Sendable {
    /// Which slice, in `0..<count`.
    public var index: Int
    /// How many slices the bound is cut into.
    public var count: Int
    /// The whole bound.
    public static let whole = ExploreSlice(index: 0, count: 1)

    /// Slice `index` of `count`.
    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "slice \(index) of \(count)")
        self.index = index
        self.count = count
    }
}

/// What one slice of a bound gave.
public struct ExploreSliceResult {
    /// Runs (pruned ones included).
    public var runs = 0
    /// Distinct states in the slice's table.
    public var distinctStates = 0
    /// Runs stopped at a state the slice had already expanded.
    public var pruned = 0
    /// Runs whose verdict was unknown.
    public var unknowns = 0
    /// True when the slice stopped before its search was done (its run budget ran out).
    public var isExhausted = false
    /// The slice's first violation, if any.
    public var finding: ExploreFinding?

    /// An empty result.
    public init() {}
}
