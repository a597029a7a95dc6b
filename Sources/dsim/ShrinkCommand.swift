// `dsim shrink TRACE`: the minimal failing trace. Candidates are edited copies of the trace's
// decisions (or, for re-rolls, its short lanes edited and the rest drawn from fixed seeds; see
// `ShrinkSession`), re-run without recording; one is kept when the run still violates the same
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
    /// Kernel steps all candidate runs may take together: the budget that binds on long runs
    /// (a kvraft or shardkv candidate takes tens of thousands of steps), counted, so the
    /// result is the same on every machine; 40 M took 46 s on a kvraft trace here.
    static let defaultMaxSteps = 40_000_000
    /// Re-rolls per lowered value. Lowering a value of the world (how many servers and
    /// clients; the fault mix) re-deals every later decision of the long lanes (the network,
    /// timers, client operations), so the edit alone rarely still fails; with the long lanes
    /// drawn afresh from seeds 1…`rerollSeeds` it often does. A re-rolled candidate is kept
    /// when it fails the same invariant with a strictly smaller run, or with a simpler world
    /// and a run at most twice as large (each such step lowers a world value, so there are
    /// finitely many); the seeds are fixed, so the result stays deterministic.
    static let rerollSeeds: ClosedRange<UInt64> = 1...16
    /// The seeds of the wider re-rolls tried at a local minimum, each range only when the ones
    /// before it found nothing (the first also once at the start).
    static let wideRerollSeeds: [ClosedRange<UInt64>] = [17...256, 257...1024, 1025...4096]
    /// History-check budgets (search iterations per key) tried on the input, smallest first.
    static let checkBudgets: [Int?] = [1 << 18, 1 << 22, nil]

    static let help = """
        usage: dsim shrink TRACE [--out FILE] [--budget SECONDS] [--max-runs N] [--max-steps N]

          writes the minimal trace that still fails the same invariant (default FILE: TRACE with
          .min.jsonl) and prints the sizes before and after
          --max-runs N      candidate runs at most (default 200000; keeps the result deterministic)
          --max-steps N     kernel steps of all candidate runs together, times the system's
                            step cost (10 for bank, weather, mapreduce; else 1) (default
                            40000000; deterministic too, and the one that binds on long runs)
          --budget SECONDS  wall-clock safety stop (default 60); stopping on it is reported
          --in-process      run candidates in this process, not in a worker process (a
                            candidate that traps then ends the shrink)
        exit: 0 shrunk, 3 bad input (or the trace does not fail), 4 the trace no longer fails
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(
            args, valued: ["out", "budget", "max-runs", "max-steps"],
            boolean: ["help", "in-process"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.count == 1 else { throw UsageError("expected exactly one TRACE file") }
        let path = a.positionals[0]
        // Numbers first: a bad one is bad usage whatever the trace holds.
        let budget = Double(try a.positive("budget", 60, max: 86_400))
        let loadStart = wallSeconds()
        let maxRuns = try a.positive("max-runs", defaultMaxRuns)
        let maxSteps = try a.positive("max-steps", defaultMaxSteps, max: Int.max / 1024)
        let file = try TraceFile.load(path)
        guard case .violation(let original) = file.verdict else {
            throw UsageError(
                "\(path) did not fail (verdict \(file.verdict.name)): nothing to shrink")
        }
        let request = try ReplayCommand.requestFrom(file)
        let out =
            a.value("out") ?? (path.hasSuffix(".jsonl") ? String(path.dropLast(6)) : path)
            + ".min.jsonl"
        guard
            let result = shrink(
                request, file.decisions.map { $0.decision }, invariant: original.invariant,
                signature: FailureSignature.of(file.verdict), maxRuns: maxRuns,
                maxSteps: maxSteps, budget: budget - (wallSeconds() - loadStart),
                isolation: isolation(a))
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

    /// Shrinks `decisions` (see `ShrinkSession`) and prints the summary line; nil if they do
    /// not fail `invariant` to begin with.
    static func shrink(
        _ request: RunRequest, _ decisions: [Decision], invariant: String,
        signature: String? = nil, maxRuns: Int, maxSteps: Int = defaultMaxSteps, budget: Double,
        isolation: Isolation? = nil
    ) -> RunResult? {
        let session = ShrinkSession(
            request, invariant: invariant, signature: signature, maxRuns: maxRuns,
            maxSteps: maxSteps, budgetSeconds: budget, isolation: isolation)
        let result = session.shrink(decisions.map(\.value))
        if result != nil { print(session.summary) }
        return result
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

extension ShrinkCommand {
    /// Per lane, how many of its decisions were taken at virtual time 0 (the lanes with any).
    static func decisionsAtStart(_ lines: [String]) -> [String: Int] {
        var out: [String: Int] = [:]
        for line in lines where line.hasPrefix("{\"dec\"") {
            guard let j = try? JSON.parse(line), let label = j["dec"]?.stringValue,
                let t = j["t"]?.intValue
            else { continue }
            if t != 0 { break }
            out[Choices.lane(of: label), default: 0] += 1
        }
        return out
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
