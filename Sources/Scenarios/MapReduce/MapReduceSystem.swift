// The MapReduce system (6.5840 lab 1, CS350 HW3): ports of every test-mr.sh test, the credit
// app's check, a fuzz campaign, and the planted bugs the checks must catch.
import DSimCore
import MapReduce

/// The `mapreduce` system entry.
public enum MapReduceSystem {
    /// Scenarios and planted bugs of the MapReduce system.
    public static let entry = SystemEntry(
        name: "mapreduce",
        summary: "coordinator + workers over a simulated shared file system (lab 1, CS350 HW3)",
        scenarios: ports + [fuzz],
        plantedBugs: [
            PlantedBug(
                "write-in-place",
                "reduce output written straight to mr-out-Y, no temp file and rename: a partial "
                    + "file is visible under its final name"),
            PlantedBug(
                "early-reissue",
                "tasks re-issued after 2 s instead of 10 s: maps run twice (job count)"),
            PlantedBug(
                "reduce-before-maps-done",
                "reduces handed out once every map was handed out, not done: wrong output"),
            PlantedBug(
                "no-reissue",
                "a task is never handed out twice: a dead worker's task is lost and the job "
                    + "never finishes (liveness)"),
        ],
        fuzzScenario: "fuzz", stepCost: 10, pctSteps: 1_750)

    static func port(
        _ name: String, _ original: String, _ summary: String, _ job: MRJob,
        extra: @escaping (MRJob, MROutcome) -> Violation? = { _, _ in nil }
    ) -> Scenario {
        Scenario(system: "mapreduce", name: name, portOf: original, summary: summary) { ctx in
            var j = job
            j.plant(ctx)
            let o = MRRun(ctx, j).execute()
            if let v = MRChecks.common(j, o) ?? extra(j, o) { return .violation(v) }
            if let b = MRChecks.originalBound(j, o) { return .originalBound(b) }
            return .ok
        }
    }

    static let ports: [Scenario] = [
        port(
            "wc", "test-mr.sh/wc", "3 workers, word count == sequential",
            MRJob(app: "wc", plan: .together(3))),
        port(
            "indexer", "test-mr.sh/indexer", "2 workers, text indexer == sequential",
            MRJob(app: "indexer", plan: .together(2))),
        port(
            "map-parallelism", "test-mr.sh/map parallelism",
            "2 workers, mtiming: both ran maps and two maps overlapped",
            MRJob(app: "mtiming", plan: .together(2)),
            extra: { _, o in MRChecks.mapParallelism(o, workers: 2) }),
        port(
            "reduce-parallelism", "test-mr.sh/reduce parallelism",
            "2 workers, rtiming: at least two reduces overlapped",
            MRJob(app: "rtiming", plan: .together(2)),
            extra: { _, o in MRChecks.reduceParallelism(o) }),
        port(
            "job-count", "test-mr.sh/job count", "4 workers, 2 at a time: each map ran once (a 8)",
            MRJob(app: "jobcount", plan: .pairs),
            extra: { j, o in
                MRChecks.jobCount(o, maps: j.inputs.count) ?? MRChecks.eachMapOnce(o)
            }),
        port(
            "early-exit", "test-mr.sh/early exit",
            "3 workers, slow reduces: output at the first exit == final output",
            MRJob(app: "early_exit", plan: .together(3))),
        crashPort,
        port(
            "credit", "CS350 HW3/credit",
            "3 workers, credit app: people per agency with a 2023 score above 400",
            MRJob(app: "credit", plan: .together(3))),
    ]

    static var crashJob: MRJob {
        var j = MRJob(app: "crash", plan: .restartLoops(background: 1, loops: 3))
        j.originalBoundNs = 120 * Duration.second
        return j
    }

    /// The crash test misses its 120 s with a correct coordinator about once in 1,700 runs
    /// (README: the arithmetic, and the rate measured).
    static var crashPort: Scenario {
        var s = port(
            "crash", "test-mr.sh/crash",
            "1 worker + 3 restart loops, crash app (33% die, 33% stall): output == nocrash",
            crashJob)
        s.originalBoundRate = 0.001
        return s
    }
}
