// One shrink of one failing run: the budgets, the best run size so far, and the phases that
// edit the run's decisions.
//
//   1. re-roll (`reroll`): lower one value of the world (a short lane, or what a long lane
//      drew at time 0: servers, clients, the fault mix) and draw the rest afresh from seeds
//      1…16, then once from seeds 17…256. Lowering the world re-deals every later decision,
//      so the edit alone rarely still fails; with a fresh deal of the rest it often does. A
//      simpler world is kept even when its run is up to twice as large (the run before is
//      kept as the fallback): the rounds then shrink it past what the larger world allowed;
//   2. lane by lane (`LaneShrinker`: edits one concern without shifting the others), cheap
//      passes, then the same on the flat sequence (`Shrinker`);
//   3. rounds of re-roll, every lane pass and every flat pass while a round makes the run
//      smaller; at a local minimum, re-rolls over ever wider seed ranges, of the world as it
//      is too and of one lane at a time, while budget is left.
//
// A candidate is measured by the trace it makes (`measure`): its events first (what a person
// reads in the timeline), then its lines (events and decisions). A run growing past `lineCap`
// (twice the best's lines for a short run, a quarter more for a long one) is stopped there, a
// run that spins is stopped at four times the
// input's kernel steps (`stepCap`), and its history check gets the smallest counted budget
// under which the input still fails. The budgets — candidate runs and their steps together
// (kernel steps times the system's `stepCost`, plus the history check's configurations) — are
// counts, so the result is the same on every machine; the step budget also caps each
// candidate (a run that would overdraw it is cut off by count). The wall-clock budget is a
// safety stop, reported when hit; it keeps in reserve the time of the recordings it cannot
// skip, so a shrink ends within it.
import DSimCheck
import DSimCore
import Foundation
import Scenarios

/// A shrink in progress.
final class ShrinkSession {
    /// The request candidates run with (a liveness failure's shortened window: `shortenWindow`).
    private(set) var request: RunRequest
    let invariant: String
    /// For a `crash` or a liveness failure: the input's failure signature, which a candidate must
    /// share (a crash: the same signal in the same functions, not merely any crash).
    let signature: String?
    /// Runs the candidates (in a worker process when isolated).
    private(set) var runner: CandidateRunner
    /// The request as given, when a liveness failure's window was shortened (the shrunk run
    /// must still fail with it).
    private(set) var unshortened: RunRequest?
    /// With a shortened window: the size of the smallest candidate that also failed with the
    /// full window. A candidate no larger is checked with the full window before it counts
    /// (`windowHolds`), so the shrink cannot slip to a run that is merely slow.
    private var verifiedSize = Int.max
    /// Runs candidates with the full window (`windowHolds`).
    private var fullRunner: CandidateRunner?
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
    /// The smallest run given up for a simpler world (`rerollOnce`), and its decisions: the
    /// answer if nothing smaller is found after all.
    private var fallback: (size: Int, decisions: [UInt64])?
    /// Where the current phase stops: half the budgets until the last phase.
    private lazy var runsEnd = maxRuns / 2
    private lazy var stepsEnd = maxSteps / 2
    /// The last phase: a re-roll to a simpler world may give a larger run (see `rerollOnce`).
    private var allowsLargerWorldRuns = false
    /// Re-rolls stop once `stepsSpent` reaches this (`reroll`'s `stepShare`).
    private var rerollStepsEnd = Int.max
    private var stepCap = Int.max
    private var checkIterationsMax: Int?
    private var lastProgress = 0.0

    init(
        _ request: RunRequest, invariant: String, signature: String? = nil, maxRuns: Int,
        maxSteps: Int, budgetSeconds: Double, isolation: Isolation? = nil
    ) {
        self.request = request
        self.invariant = invariant
        // A liveness failure keeps its signature too: shardkv's waits all fail `liveness`, and
        // a slow controller join is not the stuck migration being shrunk.
        let keepsSignature = invariant == "crash" || LivenessWindow.invariants.contains(invariant)
        self.signature = keepsSignature ? signature : nil
        runner = CandidateRunner(request, build: build, isolation: isolation)
        runner.recordsEveryCandidate = invariant == "crash"
        self.maxRuns = maxRuns
        self.maxSteps = maxSteps
        self.budgetSeconds = budgetSeconds
        lastProgress = start
    }

    /// The longest a recording of a run (a re-recording to read its decisions, or the result's)
    /// took so far: the time stop keeps four times that in reserve, so that the work it cannot
    /// skip after it — a lane pass's and a re-roll's conversion back to decisions, the result's
    /// recording and its writing — ends within the budget (a livelocked run's recording takes
    /// seconds).
    private var recordingSecondsMax = 0.0

    /// True once the time budget, less the reserve for the recordings still to come, is spent.
    private var isPastTimeBudget: Bool {
        wallSeconds() - start + 4 * recordingSecondsMax > budgetSeconds
    }

    /// True while every budget has something left.
    var canContinue: Bool {
        // The wall clock is only the safety stop (reported when it ends a shrink).
        if isPastTimeBudget { isOutOfTime = true }
        return runs < runsEnd && stepsSpent < stepsEnd && !isOutOfTime
    }

    /// Shrinks `decisions`: the smallest run found, recorded; nil when they do not fail
    /// `invariant` to begin with.
    func shrink(_ decisions: [UInt64]) -> RunResult? {
        guard start(decisions) else { return nil }
        shortenWindow(decisions)
        var current = reroll(decisions)
        // The world is at its largest now, so a smaller one found by a wider re-roll saves the
        // most; capped at a quarter of the step budget (a long run's re-rolls are costly).
        current = reroll(current, seeds: ShrinkCommand.wideRerollSeeds[0], stepShare: maxSteps / 4)
        current = laned(current, coarse: true)
        current = flat(current, coarse: true)
        current = rounds(current, wide: ShrinkCommand.wideRerollSeeds.prefix(1))
        // At the local minimum, try simpler worlds even when their runs are larger, and shrink
        // on from there, with every wider re-roll; the smaller of the two results is the answer.
        // This phase has the rest of the budgets (the first phases stop at half of them).
        allowsLargerWorldRuns = true
        runsEnd = maxRuns
        stepsEnd = maxSteps
        current = rounds(current, wide: ShrinkCommand.wideRerollSeeds[...])
        if let f = fallback, f.size < size { current = f.decisions }
        if !verifyWindow(current) { current = decisions }
        return record(.recorded(current))
    }

    /// Rounds of re-roll, every lane pass and every flat pass while a round makes the run
    /// smaller. At a local minimum, re-rolls over ever wider seed ranges (the world as it is
    /// too, and one lane at a time) while budget is left, and the rounds go on when one finds
    /// a smaller run.
    private func rounds(_ d: [UInt64], wide: ArraySlice<ClosedRange<UInt64>>) -> [UInt64] {
        var current = d
        var before = size
        repeat {
            repeat {
                before = size
                current = reroll(current)
                current = laned(current, coarse: false)
                current = flat(current, coarse: false)
            } while size < before && canContinue
            before = size
            for seeds in wide where size == before && canContinue {
                current = reroll(current, seeds: seeds, keepingWorld: true)
            }
        } while size < before && canContinue
        return current
    }

    /// The summary line: runs, steps, improvements, seconds, and the budget that stopped it.
    var summary: String {
        // The step budget first: once it is spent, the shrinkers' remaining attempts are
        // refused without a run, and count against the run budget.
        let stop =
            isOutOfTime
            ? " (stopped by the time budget)"
            : stepsSpent >= maxSteps
                ? " (step budget spent)" : runs >= maxRuns ? " (run budget spent)" : ""
        return String(
            format: "shrink: %d runs, %d steps, %d improvements, %.1f s%@", executed,
            stepsSpent, improvements, wallSeconds() - start, stop)
    }

    /// Starts over with `request` (a shortened liveness window, or the window given back).
    func use(_ r: RunRequest) {
        request = r
        runner = CandidateRunner(r, build: build, isolation: runner.isolation)
        runner.recordsEveryCandidate = invariant == "crash"
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

    /// Where a candidate run is stopped: room to trade a few more decisions for fewer events
    /// (twice the smallest failing run's lines, up to 500 more), and at least a quarter more on
    /// a long run, where a wider cap made every rejected candidate as costly as the input.
    private var lineCap: Int {
        bestLines == .max ? .max : bestLines + max(bestLines / 4, min(bestLines, 500))
    }

    /// The run's size if it still fails `invariant`, else nil: its events first, then its lines
    /// (events and decisions: what the trace holds).
    func measure(_ source: ChoiceSource) -> Int? {
        if isPastTimeBudget { isOutOfTime = true }
        guard !isOutOfTime, stepsSpent < stepsEnd else { return nil }
        executed += 1
        // The step budget bounds the candidate itself, not only whether it starts: a run
        // that would overdraw it is cut off by count (as `step-cap`, so it is rejected).
        let stepsLeft = (stepsEnd - stepsSpent) / max(1, request.system.stepCost)
        let r = runner.run(
            source, lineCap: lineCap, stepCap: min(stepCap, max(1, stepsLeft)),
            checkIterationsMax: checkIterationsMax)
        stepsSpent += r.steps * request.system.stepCost
        if stepCap == .max { stepCap = max(100_000, 4 * r.steps) }
        guard case .violation(let v) = r.verdict, v.invariant == invariant else { return nil }
        if signature != nil, !matches(r.verdict) { return nil }
        let s = r.eventCount << 24 + min(r.lineCount, 1 << 24 - 1)
        if unshortened != nil && s <= verifiedSize {
            guard windowHolds(source) else { return nil }
            verifiedSize = s
        }
        bestLines = min(bestLines, r.lineCount)
        return s
    }

    /// The run of `source`, recorded.
    private func record(_ source: ChoiceSource) -> RunResult {
        let t0 = wallSeconds()
        defer { recordingSecondsMax = max(recordingSecondsMax, wallSeconds() - t0) }
        return runner.record(source)
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
        var s = Shrinker(d, size: size, maxAttempts: runsEnd - runs, progress: progress) {
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
        guard canContinue else { return d }  // a re-recording costs seconds on a long run
        var s = LaneShrinker(
            Choices.lanes(decisions(.recorded(d))), size: size, maxAttempts: runsEnd - runs,
            progress: progress
        ) { [unowned self] in measure(.lanes($0)) }
        let r = s.shrink(coarse: coarse)
        runs += r.attempts
        improvements += r.improvements
        size = r.size
        return decisions(.lanes(r.lanes)).map(\.value)
    }

    /// Re-rolls until a sweep over the short lanes' values finds nothing smaller.
    /// At most `stepShare` kernel steps go to these re-rolls.
    private func reroll(
        _ d: [UInt64], seeds: ClosedRange<UInt64> = ShrinkCommand.rerollSeeds,
        keepingWorld: Bool = false, stepShare: Int = .max
    ) -> [UInt64] {
        var current = d
        rerollStepsEnd = stepShare == .max ? .max : stepsSpent + stepShare
        defer { rerollStepsEnd = .max }
        while canContinue,
            let found = rerollOnce(current, seeds: seeds, keepingWorld: keepingWorld)
        {
            current = found
        }
        return current
    }

    /// One sweep: the first re-rolled candidate that fails with a strictly smaller run (so the
    /// sweeps terminate), as decisions; nil when there is none. With `keepingWorld`, then the
    /// short lanes as they are (a fresh deal of the long ones alone), and then each lane dealt
    /// afresh, from its start or from its middle, with every other lane kept.
    private func rerollOnce(
        _ d: [UInt64], seeds: ClosedRange<UInt64>, keepingWorld: Bool
    ) -> [UInt64]? {
        guard canContinue else { return nil }
        let lines = record(.recorded(d)).lines
        let all = Choices.lanes(ShrinkCommand.decisionsIn(lines))
        // The world: every short lane, and of a long lane the decisions taken before virtual
        // time moved (how many nodes and clients, which faults: a lane that also holds the
        // fault schedule is long, but its start must not be dealt afresh).
        let atStart = ShrinkCommand.decisionsAtStart(lines)
        var short = all.filter { $0.value.count <= Shrinker.finePassesMax }
        for (name, count) in atStart.sorted(by: { $0.key < $1.key }) where short[name] == nil {
            short[name] = Array(all[name]!.prefix(count))
        }
        // Each with whether it makes the world simpler: a value drawn at time 0 lowered.
        var worlds: [(lanes: [String: [UInt64]], isSimpler: Bool)] = []
        for name in short.keys.sorted() {
            for (i, v) in short[name]!.enumerated() where v > 0 {
                for lowered in v / 2 == 0 ? [0] : [0, v / 2] {
                    var world = short
                    world[name]![i] = lowered
                    worlds.append((world, i < atStart[name, default: 0]))
                }
            }
        }
        if keepingWorld {
            worlds.append((short, false))
            // One lane dealt afresh, every other kept: a long lane from its start, then any
            // lane from its middle (a short lane's start is the world: it stays).
            for name in all.keys.sorted() {
                var other = all
                if all[name]!.count > Shrinker.finePassesMax {
                    other[name] = nil
                    worlds.append((other, false))
                }
                if all[name]!.count >= 2 {
                    other[name] = Array(all[name]!.prefix(all[name]!.count / 2))
                    worlds.append((other, false))
                }
            }
        }
        for (world, isSimpler) in worlds {
            for seed in seeds where canContinue && stepsSpent < rerollStepsEnd {
                runs += 1
                let source = ChoiceSource.lanesThenSeed(world, then: seed)
                guard let s = measure(source) else { continue }
                if s >= size {
                    // A simpler world (fewer nodes, say) is kept even with a somewhat longer
                    // run, as the rounds that follow shrink it further than the larger world
                    // could go. The run before stays as the fallback.
                    guard allowsLargerWorldRuns, isSimpler, s >> 24 <= 2 * (size >> 24),
                        unshortened == nil || windowHolds(source)
                    else { continue }
                    if fallback == nil || size < fallback!.size { fallback = (size, d) }
                    bestLines = s & (1 << 24 - 1)
                }
                size = s
                improvements += 1
                let found = decisions(source).map(\.value)
                progress(0, found.count)
                return found
            }
        }
        return nil
    }
}

extension ShrinkSession {
    /// A liveness failure: the shortest window of its scenario (`LivenessWindow`, from the
    /// floor up) with which the input still fails the same way; the candidates then run with
    /// it, so a stuck run's tail is short and dropping a fault ends a candidate sooner.
    fileprivate func shortenWindow(_ decisions: [UInt64]) {
        guard LivenessWindow.invariants.contains(invariant),
            let window = LivenessWindow.of(request)
        else { return }
        let original = request
        for ms in window.shorter {
            use(LivenessWindow.with(original, ms: ms))
            bestLines = .max
            if start(decisions) {
                unshortened = original
                verifiedSize = size
                eprint(
                    "  liveness window: \(ms) ms instead of \(window.defaultMs) ms (the result "
                        + "is checked with \(window.defaultMs) ms)")
                return
            }
        }
        use(original)
        bestLines = .max
        _ = start(decisions)
    }

    /// True when `source`'s run fails the same way with the full window too (its steps count).
    /// The run checked is the one the trace would replay: the decisions `source` draws within
    /// the short window, then 0s (a re-roll's seed would deal the rest otherwise).
    fileprivate func windowHolds(_ source: ChoiceSource) -> Bool {
        guard let original = unshortened else { return true }
        if fullRunner == nil {
            fullRunner = CandidateRunner(original, build: build, isolation: runner.isolation)
        }
        let drawn = decisions(source).map(\.value)
        let r = fullRunner!.run(
            .recorded(drawn), lineCap: .max, stepCap: .max,
            checkIterationsMax: checkIterationsMax)
        stepsSpent += r.steps * request.system.stepCost
        return matches(r.verdict)
    }

    /// The input's failure: the same invariant, and the same signature where one is kept.
    fileprivate func matches(_ v: Verdict) -> Bool {
        guard v.failure?.invariant == invariant, let signature else {
            return v.failure?.invariant == invariant
        }
        let got = FailureSignature.of(v)
        return invariant == "crash"
            ? got == signature : Self.unlisted(got) == Self.unlisted(signature)
    }

    /// A signature with its lists emptied (`still running: [#, #, #]` → `[]`): a shrink may
    /// stop fewer processes or clerks and still fail the same way.
    static func unlisted(_ s: String?) -> String? {
        s?.replacingOccurrences(of: #"\[[^\]]*\]"#, with: "[]", options: .regularExpression)
    }

    /// True when the shrunk run still fails the same way with the window it was given (always,
    /// when the window was not shortened); else the input is the answer, with the window given.
    fileprivate func verifyWindow(_ current: [UInt64]) -> Bool {
        guard let original = unshortened else { return true }
        let check = CandidateRunner(original, build: build, isolation: runner.isolation)
        let r = check.run(
            .recorded(current), lineCap: .max, stepCap: .max,
            checkIterationsMax: checkIterationsMax)
        if matches(r.verdict) {
            eprint("  liveness window: the shrunk run fails \(invariant) with the full window too")
            return true
        }
        eprint(
            "  liveness window: the shrunk run passes with the full window (\(r.verdict.name)): "
                + "keeping the input")
        use(original)
        return false
    }
}
