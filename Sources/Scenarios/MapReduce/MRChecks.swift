// The invariants checked at the end of a MapReduce run, named as violations report them:
//
//   job-finishes             liveness: the job is done and every process gone, with no
//                            stretch of the liveness window (60 s) without progress; and,
//                            as `original-bound` (not a violation), within the original
//                            test's bound (test-mr.sh's `timeout 45s`, 120 s for the crash
//                            test), which a correct job misses with some probability
//   workers-gone             liveness, the same window: every worker exited (each gives up
//                            after 25 failed calls in a row) and none will start again
//   output-matches-sequential  `sort mr-out* | grep .` equals the sequential reference's output
//   early-exit               the output when the first process exited equals the final output
//                            (for deterministic output, or when no task can run twice)
//   each-map-once            with no failures, every map task ran exactly once
//   job-count                jobcount: the reduce counted exactly 8 Map calls
//   map-parallelism          mtiming: both workers ran maps, and two maps overlapped
//   reduce-parallelism       rtiming: at least two reduces saw another reduce running
//
// `partial-output-visible` and `deadlock` are caught during the run (MRRun).
import DSimCore
import MapReduce

/// The end-of-run checks.
enum MRChecks {
    /// Checks shared by every MapReduce scenario; the first failure, or nil.
    static func common(_ job: MRJob, _ o: MROutcome) -> Violation? {
        if let v = o.violation { return v }
        if o.doneAt == nil || !o.running.isEmpty {
            let why =
                o.stuckSince.map {
                    "no progress for \(formatTime(job.livenessWindowNs)) after "
                        + "\(formatTime($0)) (liveness window)"
                } ?? "stopped at the limit of \(formatTime(job.limitNs))"
            // Every worker gone, none to come (no restart loop): a worker gives up after 25
            // failed calls in a row, taking the coordinator for gone. Named apart, so that a
            // shrink of a stuck job does not slip to a run where the network ate 25 calls.
            let isAbandoned =
                o.doneAt == nil && o.running.allSatisfy { $0 == ProcessTable.firstPid }
                && !job.plan.restarts
            return Violation(
                isAbandoned ? "workers-gone" : "job-finishes",
                "\(why): job " + (o.doneAt == nil ? "not done" : "done")
                    + ", still running: \(o.running)", events: o.doneLine.map { [$0] } ?? [])
        }
        if let expected = MRExpected.lines(job.app, inputs: job.inputs.count),
            let v = compare(o.output, expected, o)
        {
            return v
        }
        // A straggler re-running a task may rewrite a timing app's output after the job is
        // done (its values depend on timing), so only deterministic output must stay put.
        let isStable = MRExpected.lines(job.app, inputs: job.inputs.count) != nil || job.isFaultFree
        if isStable, let first = o.firstExitOutput, first != o.output {
            return Violation(
                "early-exit",
                "a process exited while output was incomplete: \(first.count) lines then, "
                    + "\(o.output.count) at the end",
                events: [o.firstExitLine ?? 0] + (o.doneLine.map { [$0] } ?? []))
        }
        return nil
    }

    /// The original test's bound: when its timeout fired, the job was done and every process
    /// gone (as the test saw it), else an `original-bound` miss of a job that finished later.
    static func originalBound(_ job: MRJob, _ o: MROutcome) -> Violation? {
        guard let bound = job.originalBoundNs, let at = o.atOriginalBound,
            !at.isDone || !at.running.isEmpty
        else { return nil }
        return Violation(
            "job-finishes",
            "at the original test's \(formatTime(bound)): job "
                + (at.isDone ? "done" : "not done") + ", still running: \(at.running); done at "
                + "\(formatTime(o.doneAt ?? 0)), with progress at least every "
                + "\(formatTime(job.livenessWindowNs)) (liveness holds)",
            events: o.doneLine.map { [$0] } ?? [])
    }

    static func compare(_ output: [String], _ expected: [String], _ o: MROutcome) -> Violation? {
        guard output != expected else { return nil }
        let n = min(output.count, expected.count)
        let i = (0..<n).first { output[$0] != expected[$0] } ?? n
        let got = i < output.count ? output[i] : "<end>"
        let want = i < expected.count ? expected[i] : "<end>"
        return Violation(
            "output-matches-sequential",
            "\(output.count) lines, expected \(expected.count); first difference at sorted line "
                + "\(i + 1): got \"\(got)\", expected \"\(want)\"",
            events: o.doneLine.map { [$0] } ?? [])
    }

    /// Every map ran exactly once (only meaningful when no worker failed or stalled).
    static func eachMapOnce(_ o: MROutcome) -> Violation? {
        guard let i = o.mapStarts.firstIndex(where: { $0 != 1 }) else { return nil }
        return Violation(
            "each-map-once",
            "map task \(i) ran \(o.mapStarts[i]) times with no failures "
                + "(starts per task: \(o.mapStarts))", events: o.doneLine.map { [$0] } ?? [])
    }

    /// jobcount: `a 8`.
    static func jobCount(_ o: MROutcome, maps: Int) -> Violation? {
        guard o.output != ["a \(maps)"] else { return nil }
        return Violation(
            "job-count", "output \(o.output), expected [\"a \(maps)\"] (each map once)",
            events: o.doneLine.map { [$0] } ?? [])
    }

    /// mtiming: exactly `workers` `times-` lines, and some `parallel… 2`.
    static func mapParallelism(_ o: MROutcome, workers: Int) -> Violation? {
        let times = o.output.filter { $0.hasPrefix("times-") }.count
        let overlapped = o.output.contains {
            $0.hasPrefix("parallel") && $0.dropFirst("parallel".count).contains(" 2")
        }
        guard times != workers || !overlapped else { return nil }
        return Violation(
            "map-parallelism",
            "\(times) workers ran maps (want \(workers)); two maps overlapped: \(overlapped)",
            events: o.doneLine.map { [$0] } ?? [])
    }

    /// rtiming: at least two lines `^[a-z] 2`.
    static func reduceParallelism(_ o: MROutcome) -> Violation? {
        let n = o.output.filter { line in
            let u = Array(line.utf8)
            return u.count >= 3 && u[0] >= 97 && u[0] <= 122 && u[1] == 32 && u[2] == 50
        }.count
        guard n < 2 else { return nil }
        return Violation(
            "reduce-parallelism", "\(n) reduces overlapped another (want ≥ 2): \(o.output)",
            events: o.doneLine.map { [$0] } ?? [])
    }
}
