// What a MapReduce scenario runs: the test script's parameters (test-mr.sh, lab-tests.md §4).
import DSimCore
import MapReduce

/// How the test script starts workers.
enum WorkerPlan: Equatable {
    /// `n` workers at once (wc: 3, indexer: 2, the timing tests: 2, early exit: 3).
    case together(Int)
    /// jobcount: two workers, then two more once the foreground one exits.
    case pairs
    /// crash: `background` workers started once, plus `loops` restart loops that start a worker
    /// again (a second after it exits or dies) while the coordinator runs.
    case restartLoops(background: Int, loops: Int)

    /// True when workers are started again after they exit (the crash test's loops).
    var restarts: Bool {
        if case .restartLoops = self { return true } else { return false }
    }

    /// Worker nodes needed.
    var workerNodes: Int {
        switch self {
        case .together(let n): return n
        case .pairs: return 4
        case .restartLoops(let b, let l): return b + l
        }
    }
}

/// One job: application, input, options, workers, faults and the time bound.
struct MRJob {
    /// Application name (`MapReduceApp.named`).
    var app: String
    /// Input files.
    var inputs: [InputData.File]
    /// Job options (planted bugs are set here).
    var options = MapReduceOptions()
    /// How workers are started.
    var plan: WorkerPlan
    /// The original test's bound: the job done and every process gone by then (test-mr.sh:
    /// 45 s, crash 120 s). Missing it is `original-bound`, not a violation; nil for the fuzz
    /// scenario, which ports no test.
    var originalBoundNs: VirtualTime? = 45 * Duration.second
    /// Liveness: the run fails `job-finishes` once this long passes with no progress (a task
    /// handed out or done, a process started or gone) and the job not finished: a stuck job.
    /// Measured from the last such event, so a run whose faults end sooner ends sooner (and
    /// shrinks). Spec parameter `livenessWindowMs`.
    var livenessWindowNs: VirtualTime = MRJob.livenessWindowDefaultNs
    /// The run stops here whatever happens (faults that never end).
    var limitNs: VirtualTime = 3600 * Duration.second
    /// Chance per task that its worker dies before running it.
    var crashPerMille = 0
    /// Chance per task that its worker stalls 0–20 s first.
    var hangPerMille = 0
    /// Crashes of random workers at random times (mid-write included), at most this many.
    var chaosCrashes = 0
    /// Network faults.
    var network = NetworkOptions()

    /// True when no worker can fail or stall and no message can be lost.
    var isFaultFree: Bool {
        crashPerMille == 0 && hangPerMille == 0 && chaosCrashes == 0 && app != "crash"
            && network.reliable && network.requestDropPerMille == 0
            && network.replyDropPerMille == 0
    }

    /// The job for `app` over the books (credit: over the CSV files).
    init(app: String, plan: WorkerPlan) {
        self.app = app
        self.plan = plan
        inputs = app == "credit" ? InputData.creditFiles : InputData.books
    }

    /// The default liveness window: six times the coordinator's 10 s re-issue timeout. The
    /// longest quiet stretch of a correct run is a re-issue after a death (10 s) behind a
    /// crash app's stalls (up to 10 s per reduce call) or a lost report (3 calls of 5 s).
    static let livenessWindowDefaultNs: VirtualTime = 60 * Duration.second

    /// Applies the planted bugs switched on in `ctx`, and the liveness window it asks for.
    mutating func plant(_ ctx: RunContext) {
        livenessWindowNs =
            VirtualTime(ctx.int("livenessWindowMs", Int(livenessWindowNs / Duration.millisecond)))
            * Duration.millisecond
        options.neverReissue = ctx.isPlanted("no-reissue")
        options.writeInPlace = ctx.isPlanted("write-in-place")
        options.earlyReissue = ctx.isPlanted("early-reissue")
        options.reduceBeforeMapsDone = ctx.isPlanted("reduce-before-maps-done")
    }
}

/// Expected outputs: the sequential reference's lines, sorted, computed once per app and number
/// of input files (a job maps a prefix of the books or CSV files: fuzz runs draw its length).
enum MRExpected {
    static let books = (1...InputData.books.count).map {
        sortedOutputs(
            Array(InputData.books.prefix($0)), ["wc", "indexer", "crash", "nocrash", "early_exit"])
    }
    static let credit = (1...InputData.creditFiles.count).map {
        sortedOutputs(Array(InputData.creditFiles.prefix($0)), ["credit"])
    }

    static func sortedOutputs(_ inputs: [InputData.File], _ apps: [String]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for name in apps {
            guard let ref = MapReduceApp.named(name)?.reference else { continue }
            out[name] = Sequential.run(ref, inputs: inputs).sorted()
        }
        return out
    }

    /// The sorted expected lines of `app` over its first `inputs` files, or nil when its
    /// output is not deterministic.
    static func lines(_ app: String, inputs: Int) -> [String]? {
        app == "credit" ? credit[inputs - 1][app] : books[inputs - 1][app]
    }
}
