// One run of a MapReduce job under a simulated test script. Nodes: 0 is the coordinator,
// 1…W the workers, W+1 the script (it starts and restarts workers, injects crashes, and
// watches the output directory like a `cat mr-out*` in a loop).
//
// Checked as the run goes, through the file system's hooks:
//   partial-output-visible  a read of `mr-out-*` while the file is incomplete, or a rename of an
//                           incomplete file to a final name
// Recorded for the checks at the end (MRChecks):
//   the output at the first normal exit of any process (early exit), the final output,
//   how often each map and reduce task started, when the job was done, who still runs.
import DSimCore
import MapReduce

/// What a run produced.
struct MROutcome {
    /// The first violation seen during the run (partial output, deadlock), if any.
    var violation: Violation?
    /// Sorted non-empty lines of every `mr-out-*` at the end.
    var output: [String] = []
    /// The same, when the first process exited normally (nil if none did).
    var firstExitOutput: [String]?
    /// Trace line of that first exit.
    var firstExitLine: TraceLine?
    /// Starts of each map task.
    var mapStarts: [Int] = []
    /// Virtual time the job was done, if it was.
    var doneAt: VirtualTime?
    /// Trace line of `mr.done`.
    var doneLine: TraceLine?
    /// Pids still running at the end.
    var running: [Int] = []
    /// When the liveness watchdog stopped the run: the last progress it saw (nil: the run
    /// ended by itself, or at the job's hard limit).
    var stuckSince: VirtualTime?
    /// At the original test's bound: whether the job was done, and the pids still running
    /// (nil: no bound, or the run ended before it).
    var atOriginalBound: (isDone: Bool, running: [Int])?
    /// Virtual time at the end of the run.
    var endNs: VirtualTime = 0
    /// Worker processes started.
    var processes = 0
}

/// Runs one `MRJob`.
final class MRRun {
    let ctx: RunContext
    let job: MRJob
    let sim: AsyncSimulation
    let fs: SimFileSystem
    let cluster: MapReduceCluster
    var outcome = MROutcome()
    let scriptNode: NodeID

    init(_ ctx: RunContext, _ job: MRJob) {
        guard let app = MapReduceApp.named(job.app) else {
            preconditionFailure("unknown MapReduce app \(job.app)")
        }
        self.ctx = ctx
        self.job = job
        scriptNode = job.plan.workerNodes + 1
        sim = AsyncSimulation(nodes: scriptNode + 1, choices: ctx.choices, trace: ctx.trace)
        sim.network = job.network
        fs = SimFileSystem(sim)
        cluster = MapReduceCluster(sim: sim, fs: fs, app: app, options: job.options)
        outcome.mapStarts = Array(repeating: 0, count: job.inputs.count)
    }

    /// Runs the job to its bound (or until everything exited) and returns what happened.
    func execute() -> MROutcome {
        for f in job.inputs { fs.put(f.name, f.contents) }
        installChecks()
        installHooks()
        cluster.startCoordinator(files: job.inputs.map(\.name))
        cluster.coordinator?.rules.onBreach = { [unowned self] v in fail(v) }
        startScript()
        // Until everything exited (the clock stays at the last event), or the job is stuck.
        outcome.stuckSince = runWatched()
        if outcome.violation == nil, let d = sim.deadlock() { outcome.violation = d }
        outcome.output = readOutput()
        outcome.doneAt = cluster.coordinator?.doneAt
        outcome.doneLine = cluster.coordinator?.doneLine
        outcome.running = cluster.processes.running
        outcome.endNs = sim.now
        outcome.processes = cluster.processes.count - 1
        // Unwind every task left (sealed: no line, no decision), so the run's memory is given
        // back; a shrink runs thousands of candidates in one worker.
        sim.end()
        return outcome
    }

    /// Runs until quiescence, a violation, the hard limit, or `livenessWindowNs` with no
    /// progress; returns the time of the last progress in that last case. Progress is looked
    /// for every half second (so a window is at least its length, at most half a second more).
    func runWatched() -> VirtualTime? {
        let step = 500 * Duration.millisecond
        var seen = progress()
        var lastProgress: VirtualTime = 0
        var t: VirtualTime = 0
        while t < job.limitNs {
            let bound = job.originalBoundNs ?? .max
            t = min(t + step, job.limitNs, t < bound ? bound : .max)
            guard sim.runToQuiescence(limit: t) == .deadline else { return nil }
            if t == bound {
                // What the original test sees when its timeout fires.
                outcome.atOriginalBound = (
                    cluster.coordinator?.isDone ?? false, cluster.processes.running
                )
            }
            let now = progress()
            if now != seen {
                seen = now
                lastProgress = t
            } else if t - lastProgress >= job.livenessWindowNs {
                return lastProgress
            }
        }
        return nil
    }

    /// What the watchdog counts as progress: tasks handed out and done, processes started,
    /// and the ones still running (an exit or a death changes it).
    private func progress() -> [Int] {
        let c = cluster.coordinator
        return [c?.handouts ?? 0, c?.tasksDone ?? 0, cluster.processes.count]
            + cluster.processes.running
    }

    /// Sorted non-empty lines of every `mr-out-*` file (`sort mr-out* | grep .`).
    func readOutput() -> [String] {
        var lines: [String] = []
        for name in fs.list(prefix: "mr-out-") {
            guard let text = fs.read(name) else { continue }
            lines += text.split(separator: "\n").map(String.init)
        }
        return lines.sorted()
    }

    private func fail(_ v: Violation) {
        guard outcome.violation == nil else { return }
        outcome.violation = v
        sim.violation = v
    }

    private func installChecks() {
        fs.onRead = { [unowned self] name, file in
            guard name.hasPrefix("mr-out-"), !file.isComplete else { return }
            let line = sim.trace.observe(
                "mr.partial-read", node: sim.currentNode,
                [("file", .string(name)), ("bytes", .int(Int64(file.contents.utf8.count)))])
            fail(
                Violation(
                    "partial-output-visible",
                    "\(name) was read while incomplete (\(file.contents.utf8.count) bytes, "
                        + "\(file.chunks) chunks, writer n\(file.writer ?? -1))",
                    events: [file.createdLine, line]))
        }
        fs.onRename = { [unowned self] from, to, file, line in
            guard to.hasPrefix("mr-out-"), !file.isComplete else { return }
            fail(
                Violation(
                    "partial-output-visible", "incomplete \(from) renamed to \(to)",
                    events: [file.createdLine, line]))
        }
        cluster.processes.onExit = { [unowned self] _, line in
            guard outcome.firstExitOutput == nil else { return }
            outcome.firstExitOutput = readOutput()
            outcome.firstExitLine = line
        }
    }

    private func installHooks() {
        cluster.hooks.onTaskStart = { [unowned self] kind, index, _ in
            if kind == .map { outcome.mapStarts[index] += 1 }
        }
        let crash = job.crashPerMille
        let hang = job.hangPerMille
        guard crash > 0 || hang > 0 else { return }
        cluster.hooks.beforeTask = { env, _, _ in
            if env.choices.chance(crash, in: 1000, "mr.fault.crash") { try env.exitProcess() }
            if env.choices.chance(hang, in: 1000, "mr.fault.hang") {
                let ms = env.choices.below(20_000, "mr.fault.hangms")
                try await env.sim.sleep(VirtualTime(ms) * Duration.millisecond)
            }
        }
    }
}
