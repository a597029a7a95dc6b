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

    /// Explores `request` (its seed is ignored) under `options`.
    public static func run(
        _ request: RunRequest, _ options: ExploreOptions, build: BuildInfo,
        progress: ((ExploreProgress) -> Void)? = nil
    ) -> ExploreReport {
        var report = ExploreReport()
        let table = ExploreTable()
        for k in 0...options.bound {
            table.reset()
            report.lastBound = k
            let done = exploreBound(
                k, request, options, table: table, build: build, report: &report,
                progress: progress)
            report.distinctStates = table.count
            report.pruned = table.pruned
            guard done, report.finding == nil else { return report }
            report.completeBound = k
        }
        return report
    }

    /// Every run with exactly `k` deviations, depth first; false when the run budget ran out.
    private static func exploreBound(
        _ k: Int, _ request: RunRequest, _ options: ExploreOptions, table: ExploreTable,
        build: BuildInfo, report: inout ExploreReport, progress: ((ExploreProgress) -> Void)?
    ) -> Bool {
        var stack: [[(index: Int, value: UInt64)]] = [[]]
        var laneOfLabel: [String: Bool] = [:]
        while let deviations = stack.popLast() {
            if report.runs >= options.maxRuns { return false }
            let path = ExplorePath(
                deviations: deviations, bound: k, table: options.pruning ? table : nil)
            let r = Runner.run(
                request, source: .seed(0), record: false, build: build, explore: path)
            report.runs += 1
            if report.runs % 1000 == 0 {
                progress?(
                    ExploreProgress(
                        runs: report.runs, bound: k, distinctStates: table.count,
                        pruned: table.pruned))
            }
            if path.prunedAt == nil {
                switch r.verdict {
                case .violation:
                    report.finding = ExploreFinding(
                        deviations: deviations, values: path.values, verdict: r.verdict,
                        bound: deviations.count)
                    return true
                case .unknown: report.unknowns += 1
                default: break
                }
            }
            guard deviations.count < k else { continue }
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
            stack.append(contentsOf: children.reversed())
        }
        return true
    }
}
