// `dsim shrink TRACE`: the minimal failing trace. Candidates are edited copies of the trace's
// decision sequence, re-run without recording; one is kept when the run still violates the same
// invariant. The shrunk run is then re-recorded (its header says `"source":"choices"`: its
// decisions no longer come from the seed) and written out.
import DSimCheck
import DSimCore
import Foundation
import Scenarios

enum ShrinkCommand {
    /// Candidate runs a shrink may try. A count, not seconds, so the result is the same on any
    /// machine; the wall-clock budget is only a safety stop, and hitting it is reported.
    static let defaultMaxRuns = 200_000

    static let help = """
        usage: dsim shrink TRACE [--out FILE] [--budget SECONDS] [--max-runs N]

          writes the minimal trace that still fails the same invariant (default FILE: TRACE with
          .min.jsonl) and prints the sizes before and after
          --max-runs N      candidate runs at most (default 200000; keeps the result deterministic)
          --budget SECONDS  wall-clock safety stop (default 60); stopping on it is reported
        exit: 0 shrunk, 3 bad input (or the trace does not fail), 4 the trace no longer fails
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, valued: ["out", "budget", "max-runs"], boolean: ["help"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.count == 1 else { throw UsageError("expected exactly one TRACE file") }
        let path = a.positionals[0]
        let file = try TraceFile.load(path)
        guard case .violation(let original) = file.verdict else {
            throw UsageError(
                "\(path) did not fail (verdict \(file.verdict.name)): nothing to shrink")
        }
        let request = try ReplayCommand.requestFrom(file)
        let out =
            a.value("out") ?? (path.hasSuffix(".jsonl") ? String(path.dropLast(6)) : path)
            + ".min.jsonl"
        let budget = Double(try a.positive("budget", 60))
        guard
            let result = shrink(
                request, file.decisions.map { $0.decision }, invariant: original.invariant,
                maxRuns: try a.positive("max-runs", defaultMaxRuns), budget: budget)
        else {
            print(
                "\(path): the run no longer fails \(original.invariant) when replayed; nothing to shrink"
            )
            return Exit.diverged
        }
        try writeTrace(result.lines, to: out)
        print("before: \(TraceStats(file.lines))")
        print("after:  \(TraceStats(result.lines))")
        print("shrunk trace: \(out)")
        print("replay: dsim replay \(out)")
        return Exit.ok
    }

    /// Shrinks `decisions`; nil if they do not fail `invariant` to begin with. Three phases
    /// share the budgets: the flat sequence (`Shrinker`), then lane by lane (`LaneShrinker`:
    /// edits one concern without shifting the others), then the flat sequence of the result.
    static func shrink(
        _ request: RunRequest, _ decisions: [Decision], invariant: String, maxRuns: Int,
        budget: Double
    ) -> RunResult? {
        let build = buildInfo
        let start = wallSeconds()
        var outOfTime = false
        var bestEvents = Int.max
        /// The run's size if it still fails `invariant`, else nil: its events first (what a
        /// reader follows), then its lines. A candidate with more events than the best cannot
        /// be kept, so its run is stopped there.
        func measure(_ source: ChoiceSource) -> Int? {
            if wallSeconds() - start > budget {
                outOfTime = true
                return nil
            }
            let r = Runner.run(
                request, source: source, record: false, build: build, eventCap: bestEvents)
            guard case .violation(let v) = r.verdict, v.invariant == invariant else { return nil }
            bestEvents = min(bestEvents, r.eventCount)
            return r.eventCount << 24 + min(r.lineCount, 1 << 24 - 1)
        }
        guard var size = measure(.recorded(decisions.map(\.value))) else { return nil }
        var lastPrint = start
        var runs = 0
        var improvements = 0
        func progress(_ attempts: Int, _ left: Int) {
            let now = wallSeconds()
            if now - lastPrint >= 1 {
                lastPrint = now
                eprint("  shrinking: \(runs + attempts) runs, \(left) decisions left")
            }
        }
        func flat(_ d: [UInt64]) -> [UInt64] {
            var s = Shrinker(d, size: size, maxAttempts: maxRuns - runs, progress: progress) {
                measure(.recorded($0))
            }
            let r = s.shrink()
            runs += r.attempts
            improvements += r.improvements
            size = s.bestSize
            return r.decisions
        }
        var current = flat(decisions.map(\.value))
        if runs < maxRuns {
            let recorded = Runner.run(
                request, source: .recorded(current), record: true, build: build)
            var s = LaneShrinker(
                Choices.lanes(decisionsIn(recorded.lines)), size: size,
                maxAttempts: maxRuns - runs, progress: progress
            ) { measure(.lanes($0)) }
            let r = s.shrink()
            runs += r.attempts
            improvements += r.improvements
            size = r.size
            let laned = Runner.run(request, source: .lanes(r.lanes), record: true, build: build)
            current = flat(decisionsIn(laned.lines).map(\.value))
        }
        let elapsed = wallSeconds() - start
        print(
            String(
                format: "shrink: %d runs, %d improvements, %.1f s%@", runs, improvements, elapsed,
                outOfTime
                    ? " (stopped by the time budget)"
                    : runs >= maxRuns ? " (run budget spent)" : ""))
        return Runner.run(request, source: .recorded(current), record: true, build: build)
    }

    /// The decisions of recorded trace lines, in order.
    static func decisionsIn(_ lines: [String]) -> [(label: String, value: UInt64)] {
        lines.compactMap { line in
            guard line.hasPrefix("{\"dec\""), let j = try? JSON.parse(line),
                let label = j["dec"]?.stringValue, let v = j["v"]?.intValue
            else { return nil }
            return (label, UInt64(v))
        }
    }
}

/// Sizes of a trace: lines, events, decisions, faults, operations.
struct TraceStats: CustomStringConvertible {
    var lines = 0
    var events = 0
    var decisions = 0
    var nonzero = 0
    var faults = 0
    var operations = 0
    static let faultEvents: Set<String> = [
        "drop", "crash", "restart", "disconnect", "partition", "duplicate", "hang",
    ]
    static let operationEvents: Set<String> = ["op", "invoke", "call", "client-op", "start"]

    init(_ text: [String]) {
        lines = text.count
        for l in text.dropFirst() {
            guard let j = try? JSON.parse(l) else { continue }
            if j["dec"] != nil {
                decisions += 1
                if (j["v"]?.intValue ?? 0) != 0 { nonzero += 1 }
            } else if let ev = j["ev"]?.stringValue {
                events += 1
                if Self.faultEvents.contains(ev) { faults += 1 }
                if Self.operationEvents.contains(ev) { operations += 1 }
            }
        }
    }

    var description: String {
        "\(lines) lines: \(events) events, \(decisions) decisions (\(nonzero) non-zero), "
            + "\(faults) faults, \(operations) operations"
    }
}
