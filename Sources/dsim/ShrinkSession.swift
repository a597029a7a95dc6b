// One shrink of one failing run: the budgets, the best run size so far, and the phases that
// edit the run's decisions.
//
//   1. re-roll (`reroll`): lower one value of a short lane (the world: servers, clients; the
//      fault mix) and draw the long lanes (network, timers, client operations) afresh from
//      seeds 1…`rerollSeeds`. Lowering the world re-deals every later decision, so the edit
//      alone rarely still fails; with a fresh deal of the rest it often does;
//   2. lane by lane (`LaneShrinker`: edits one concern without shifting the others), cheap
//      passes, then the same on the flat sequence (`Shrinker`);
//   3. rounds of re-roll, every lane pass and every flat pass while a round makes the run
//      smaller.
//
// A candidate is measured by the trace it makes (`measure`): its lines first (decisions and
// events), then its events. A run growing past the best is stopped there (`lineCap`), a run
// that spins is stopped at four times the input's kernel steps (`stepCap`), and its history
// check gets the smallest counted budget under which the input still fails. The budgets —
// candidate runs and their kernel steps together — are counts, so the result is the same on
// every machine; the wall-clock budget is a safety stop, reported when hit.
import DSimCheck
import DSimCore
import Scenarios

/// A shrink in progress.
final class ShrinkSession {
    let request: RunRequest
    let invariant: String
    let maxRuns: Int
    let maxSteps: Int
    let budgetSeconds: Double
    let build = buildInfo
    let start = wallSeconds()
    /// Candidate runs counted against `maxRuns` (the shrinkers' attempts and the re-rolls).
    private(set) var runs = 0
    /// Candidate runs executed (a run refused by a spent budget is not).
    private(set) var executed = 0
    private(set) var stepsSpent = 0
    private(set) var improvements = 0
    private(set) var isOutOfTime = false
    /// The best run's size (see `measure`). Invariant: every accepted candidate lowers it or,
    /// for the shrinkers' shortlex steps, keeps it.
    private(set) var size = 0
    private var bestLines = Int.max
    private var stepCap = Int.max
    private var checkIterationsMax: Int?
    private var lastProgress = 0.0

    init(
        _ request: RunRequest, invariant: String, maxRuns: Int, maxSteps: Int,
        budgetSeconds: Double
    ) {
        self.request = request
        self.invariant = invariant
        self.maxRuns = maxRuns
        self.maxSteps = maxSteps
        self.budgetSeconds = budgetSeconds
        lastProgress = start
    }

    /// True while every budget has something left.
    var canContinue: Bool { runs < maxRuns && stepsSpent < maxSteps && !isOutOfTime }

    /// Shrinks `decisions`: the smallest run found, recorded; nil when they do not fail
    /// `invariant` to begin with.
    func shrink(_ decisions: [UInt64]) -> RunResult? {
        guard start(decisions) else { return nil }
        var current = reroll(decisions)
        current = laned(current, coarse: true)
        current = flat(current, coarse: true)
        var before = size
        repeat {
            before = size
            current = reroll(current)
            current = laned(current, coarse: false)
            current = flat(current, coarse: false)
        } while size < before && canContinue
        return record(.recorded(current))
    }

    /// The summary line: runs, steps, improvements, seconds, and the budget that stopped it.
    var summary: String {
        let stop =
            isOutOfTime
            ? " (stopped by the time budget)"
            : runs >= maxRuns
                ? " (run budget spent)" : stepsSpent >= maxSteps ? " (step budget spent)" : ""
        return String(
            format: "shrink: %d runs, %d kernel steps, %d improvements, %.1f s%@", executed,
            stepsSpent, improvements, wallSeconds() - start, stop)
    }

    /// Measures the input under the smallest history-check budget that still fails (nil: no
    /// limit), so that no candidate spends long in the linearizability search.
    private func start(_ decisions: [UInt64]) -> Bool {
        for cap in ShrinkCommand.checkBudgets {
            checkIterationsMax = cap
            stepCap = .max
            if let s = measure(.recorded(decisions)) {
                size = s
                return true
            }
        }
        return false
    }

    /// The run's size if it still fails `invariant`, else nil: its lines first (decisions and
    /// events: what the trace holds), then its events.
    func measure(_ source: ChoiceSource) -> Int? {
        if wallSeconds() - start > budgetSeconds { isOutOfTime = true }
        guard !isOutOfTime, stepsSpent < maxSteps else { return nil }
        executed += 1
        let r = Runner.run(
            request, source: source, record: false, build: build, lineCap: bestLines,
            stepCap: stepCap, checkIterationsMax: checkIterationsMax)
        stepsSpent += r.steps
        if stepCap == .max { stepCap = max(100_000, 4 * r.steps) }
        guard case .violation(let v) = r.verdict, v.invariant == invariant else { return nil }
        bestLines = min(bestLines, r.lineCount)
        return r.lineCount << 24 + min(r.eventCount, 1 << 24 - 1)
    }

    /// The run of `source`, recorded.
    private func record(_ source: ChoiceSource) -> RunResult {
        Runner.run(request, source: source, record: true, build: build)
    }

    /// The decisions of the run of `source`, with their labels.
    private func decisions(_ source: ChoiceSource) -> [(label: String, value: UInt64)] {
        ShrinkCommand.decisionsIn(record(source).lines)
    }

    private func progress(_ attempts: Int, _ left: Int) {
        let now = wallSeconds()
        guard now - lastProgress >= 1 else { return }
        lastProgress = now
        eprint("  shrinking: \(runs + attempts) runs, \(left) decisions left")
    }

    /// The flat sequence's passes (`Shrinker`).
    private func flat(_ d: [UInt64], coarse: Bool) -> [UInt64] {
        var s = Shrinker(d, size: size, maxAttempts: maxRuns - runs, progress: progress) {
            [unowned self] in measure(.recorded($0))
        }
        let r = s.shrink(coarse: coarse)
        runs += r.attempts
        improvements += r.improvements
        size = s.bestSize
        return r.decisions
    }

    /// Lane by lane (`LaneShrinker`).
    private func laned(_ d: [UInt64], coarse: Bool) -> [UInt64] {
        guard runs < maxRuns else { return d }
        var s = LaneShrinker(
            Choices.lanes(decisions(.recorded(d))), size: size, maxAttempts: maxRuns - runs,
            progress: progress
        ) { [unowned self] in measure(.lanes($0)) }
        let r = s.shrink(coarse: coarse)
        runs += r.attempts
        improvements += r.improvements
        size = r.size
        return decisions(.lanes(r.lanes)).map(\.value)
    }

    /// Re-rolls until a sweep over the short lanes' values finds nothing smaller.
    private func reroll(_ d: [UInt64]) -> [UInt64] {
        var current = d
        while canContinue, let found = rerollOnce(current) { current = found }
        return current
    }

    /// One sweep: the first re-rolled candidate that fails with a strictly smaller run (so the
    /// sweeps terminate), as decisions; nil when there is none.
    private func rerollOnce(_ d: [UInt64]) -> [UInt64]? {
        let short = Choices.lanes(decisions(.recorded(d))).filter {
            $0.value.count <= Shrinker.finePassesMax
        }
        for name in short.keys.sorted() {
            for (i, v) in short[name]!.enumerated() where v > 0 {
                for lowered in v / 2 == 0 ? [0] : [0, v / 2] {
                    var world = short
                    world[name]![i] = lowered
                    for seed in 1...ShrinkCommand.rerollSeeds where runs < maxRuns {
                        runs += 1
                        let source = ChoiceSource.lanesThenSeed(world, then: seed)
                        guard let s = measure(source), s < size else { continue }
                        size = s
                        improvements += 1
                        let found = decisions(source).map(\.value)
                        progress(0, found.count)
                        return found
                    }
                }
            }
        }
        return nil
    }
}
