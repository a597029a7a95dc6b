// The MapReduce fuzz campaign (swarm testing): each seed draws the application, how many of
// its input files it maps (1–8, a prefix), the number of workers (1–6), nReduce (1–10), and a
// fault mix — none, or any of worker crashes at task
// start, random crashes at any moment (restart loops bring workers back), stalls of up to
// 20 s, and a lossy network (labrpc unreliable and/or extra drops up to 20%, delays up to
// 50 ms, sometimes labrpc's long reordering of replies). Spec parameters `app`, `inputs`,
// `workers` and `nReduce` pin a draw. A fault-free run must also run each map exactly once, and
// jobcount must count one run per input file.
import DSimCore
import MapReduce

extension MapReduceSystem {
    static let fuzzApps = [
        "wc", "indexer", "credit", "crash", "early_exit", "jobcount", "mtiming", "rtiming",
    ]

    static let fuzz = Scenario(
        system: "mapreduce", name: "fuzz", portOf: nil,
        summary: "swarm: app, 1–8 inputs, 1–6 workers, nReduce 1–10, crashes, stalls, message loss"
    ) { ctx in
        var job = drawJob(ctx)
        job.plant(ctx)
        ctx.trace.observe(
            "mr.fuzz", node: nil,
            [
                ("app", .string(job.app)), ("workers", .int(Int64(job.plan.workerNodes))),
                ("nReduce", .int(Int64(job.options.nReduce))),
                ("crashPerMille", .int(Int64(job.crashPerMille))),
                ("hangPerMille", .int(Int64(job.hangPerMille))),
                ("chaosCrashes", .int(Int64(job.chaosCrashes))), ("network", job.network.json),
            ])
        let o = MRRun(ctx, job).execute()
        if let v = MRChecks.common(job, o) { return .violation(v) }
        if job.isFaultFree {
            if job.app == "jobcount", let v = MRChecks.jobCount(o, maps: job.inputs.count) {
                return .violation(v)
            }
            if let v = MRChecks.eachMapOnce(o) { return .violation(v) }
        }
        return .ok
    }

    static func drawJob(_ ctx: RunContext) -> MRJob {
        let c = ctx.choices
        let app = ctx.string("app", fuzzApps[c.below(fuzzApps.count, "mr.fuzz.app")])
        // 0, the shrinker's simplest answer, is one input file: one map task.
        let files = ctx.int("inputs", c.between(1, InputData.books.count, "mr.fuzz.inputs"))
        let workers = ctx.int("workers", c.between(1, 6, "mr.fuzz.workers"))
        let faulty = c.chance(2, in: 3, "mr.fuzz.faulty")
        let crashes = faulty && c.chance(1, in: 2, "mr.fuzz.crashes")
        var job = MRJob(
            app: app,
            plan: crashes || app == "crash"
                ? .restartLoops(background: 0, loops: workers) : .together(workers))
        job.inputs = Array(job.inputs.prefix(files))
        job.options.nReduce = ctx.int("nReduce", c.between(1, 10, "mr.fuzz.nreduce"))
        if crashes {
            job.crashPerMille = c.between(0, 200, "mr.fuzz.crashrate")
            job.chaosCrashes = c.between(0, 8, "mr.fuzz.chaos")
        }
        if faulty && c.chance(1, in: 2, "mr.fuzz.hangs") {
            job.hangPerMille = c.between(1, 200, "mr.fuzz.hangrate")
        }
        if faulty && c.chance(1, in: 2, "mr.fuzz.lossy") {
            job.network.reliable = !c.chance(1, in: 2, "mr.fuzz.unreliable")
            job.network.requestDropPerMille = c.between(0, 200, "mr.fuzz.reqdrop")
            job.network.replyDropPerMille = c.between(0, 200, "mr.fuzz.repdrop")
            job.network.delayMaxNs =
                VirtualTime(c.between(1, 50, "mr.fuzz.delaymax")) * Duration.millisecond
            job.network.longReordering = c.chance(1, in: 4, "mr.fuzz.longreorder")
        }
        // No original test, so no original bound: only liveness (a window with no progress).
        // A lone worker that dies at ~40% of its tasks loses the 10 s re-issue timeout per
        // death (300 s was exceeded once in 10,000 seeds, 8678), but progresses all along.
        job.originalBoundNs = nil
        return job
    }
}
