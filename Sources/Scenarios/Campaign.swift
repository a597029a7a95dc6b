// A campaign: one scenario over a list of seeds, `jobs` at a time. Each seed's run is
// single-threaded and self-contained (its own simulation, choices and trace), so running seeds
// in parallel changes nothing about any one of them; results are reported in seed order
// whatever order they finish in.
//
// With `Isolation` (what the command line uses), the runs happen in worker processes
// (`WorkerProcess`, `WorkerServer`): each job thread keeps one worker and sends it batches of
// seeds (a batch amortizes the request over several runs). A worker that dies — a trap in the
// system under test, a signal, running out of memory — yields a `crash` violation for the seed
// it was running (the first of its batch without a reply); the job starts a fresh worker and
// goes on with the rest of the batch. A stop request (`shouldStop`, e.g. on SIGINT) is polled by
// a watcher thread that ends every worker at once; seeds cut short then are not reported.
// Without isolation the runs happen on the job threads themselves (tests, library users).
import DSimCore
import Foundation

/// The result of one seed of a campaign.
public struct SeedOutcome: Sendable {
    /// The seed.
    public var seed: UInt64
    /// Its verdict.
    public var verdict: Verdict
    /// Trace lines the run counted (a size measure; 0 for a crash).
    public var lineCount: Int
    /// Virtual time the run took.
    public var virtualTime: VirtualTime
}

/// Progress of a running campaign.
public struct CampaignProgress {
    /// Seeds finished.
    public var done: Int
    /// Seeds in all.
    public var total: Int
    /// Violations so far.
    public var violations: Int
    /// Unknown verdicts so far.
    public var unknowns: Int
}

/// Running the system under test in worker processes: which binary, how many seeds per
/// request.
public struct Isolation: Sendable {
    /// The `dsim` binary to re-execute as `dsim __worker`.
    public var executable: String
    /// Seeds per request at most (a batch shrinks towards the end so jobs finish together).
    public var batchMax = 32
    /// Extra environment variables for the workers (tests use `WorkerServer.testOnly_…`).
    public var environment: [String: String] = [:]

    /// Isolation in workers of `executable`.
    public init(executable: String) { self.executable = executable }
}

/// Runs a scenario over many seeds.
public enum Campaign {
    /// Runs seeds `first ..< first + count` of `template` (its seed is ignored); see
    /// `run(_:seeds:jobs:build:isolation:stopAtFirst:shouldStop:progress:outcome:)`.
    public static func run(
        _ template: RunRequest, first: UInt64, count: Int, jobs: Int, build: BuildInfo,
        isolation: Isolation? = nil, stopAtFirst: Bool = false,
        progress: ((CampaignProgress) -> Void)? = nil
    ) -> [SeedOutcome] {
        let seeds = (0..<UInt64(count)).map { first &+ $0 }
        return run(
            template, seeds: seeds, jobs: jobs, build: build, isolation: isolation,
            stopAtFirst: stopAtFirst, progress: progress)
    }

    /// Runs `seeds` of `template` on `jobs` threads (in workers with `isolation`). `progress`
    /// and `outcome` (each finished seed, as it finishes) are called serialized, from job
    /// threads. With `stopAtFirst`, seeds after the first violation may be skipped; once
    /// `shouldStop` answers true, no seed starts and running ones are abandoned (results then
    /// hold fewer entries).
    public static func run(
        _ template: RunRequest, seeds: [UInt64], jobs: Int, build: BuildInfo,
        isolation: Isolation? = nil, stopAtFirst: Bool = false,
        shouldStop: (@Sendable () -> Bool)? = nil,
        progress: ((CampaignProgress) -> Void)? = nil, outcome: ((SeedOutcome) -> Void)? = nil
    ) -> [SeedOutcome] {
        let state = CampaignState(count: seeds.count, stopAtFirst: stopAtFirst)
        state.progressHandler = progress
        state.outcomeHandler = outcome
        let workers = max(1, min(jobs, seeds.count))
        let watcher = shouldStop.map { startWatcher(state, $0) }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            if let isolation {
                runIsolated(template, seeds, state, isolation, jobs: workers)
            } else {
                runInProcess(template, seeds, state, build)
            }
        }
        state.finish()
        watcher?.cancel()
        return state.results.compactMap { $0 }
    }

    private static func runInProcess(
        _ template: RunRequest, _ seeds: [UInt64], _ state: CampaignState, _ build: BuildInfo
    ) {
        while let range = state.take(1) {
            var request = template
            request.seed = seeds[range.lowerBound]
            let r = Runner.run(request, source: .seed(request.seed), record: false, build: build)
            state.record(
                range.lowerBound,
                SeedOutcome(
                    seed: request.seed, verdict: r.verdict, lineCount: r.lineCount,
                    virtualTime: r.virtualTime))
        }
    }

    private static func runIsolated(
        _ template: RunRequest, _ seeds: [UInt64], _ state: CampaignState, _ isolation: Isolation,
        jobs: Int
    ) {
        var worker: WorkerProcess?
        defer { worker.map(state.forget) }
        while let range = state.take(batch: isolation.batchMax, jobs: jobs) {
            var pending = Array(range)
            while !pending.isEmpty && !state.isStopping {
                if worker == nil || !worker!.isAlive || worker!.isBloated {
                    worker?.stop()
                    worker.map(state.forget)
                    do {
                        worker = try WorkerProcess(
                            executable: isolation.executable, environment: isolation.environment)
                    } catch {
                        state.fail(pending, seeds, "\(error)")
                        return
                    }
                    state.remember(worker!)
                }
                var request = WorkerRequest.fields(template)
                request.append(("op", .string("runs")))
                request.append(
                    ("seeds", .array(pending.map { .int(Int64(bitPattern: seeds[$0])) })))
                var next = 0
                let death = worker!.exchange(JSON.object(request).serialized) { line in
                    guard next < pending.count, let o = parseOutcome(line) else { return }
                    state.record(pending[next], o)
                    next += 1
                }
                pending.removeFirst(next)
                if let death, !state.isStopping, let crashed = pending.first {
                    state.record(
                        crashed,
                        SeedOutcome(
                            seed: seeds[crashed], verdict: .violation(death.violation),
                            lineCount: 0, virtualTime: 0))
                    pending.removeFirst()
                }
            }
        }
    }

    /// A worker's reply for one seed.
    static func parseOutcome(_ line: String) -> SeedOutcome? {
        guard let j = try? JSON.parse(line), let seed = j["seed"]?.intValue,
            let v = j["verdict"].flatMap(Verdict.init(json:))
        else { return nil }
        return SeedOutcome(
            seed: UInt64(bitPattern: Int64(seed)), verdict: v, lineCount: j["lines"]?.intValue ?? 0,
            virtualTime: VirtualTime(j["vt"]?.intValue ?? 0))
    }

    private static func startWatcher(
        _ state: CampaignState, _ shouldStop: @escaping @Sendable () -> Bool
    )
        -> Thread
    {
        let t = Thread {
            while !Thread.current.isCancelled {
                if shouldStop() {
                    state.stopAll()
                    return
                }
                usleep(20_000)
            }
        }
        t.start()
        return t
    }
}

/// A campaign's shared state, behind one lock: the next seed to hand out, the results, the
/// live workers (so that a stop can end them all).
final class CampaignState: @unchecked Sendable {
    let lock = NSLock()
    var results: [SeedOutcome?]
    var next = 0
    var progress: CampaignProgress
    let stopAtFirst: Bool
    private var stopped = false
    private var live: [ObjectIdentifier: WorkerProcess] = [:]
    var progressHandler: ((CampaignProgress) -> Void)?
    var outcomeHandler: ((SeedOutcome) -> Void)?

    init(count: Int, stopAtFirst: Bool) {
        results = [SeedOutcome?](repeating: nil, count: count)
        progress = CampaignProgress(done: 0, total: count, violations: 0, unknowns: 0)
        self.stopAtFirst = stopAtFirst
    }

    var isStopping: Bool { lock.withLock { stopped } }

    /// The next `n` indices, or nil when none is left (or the campaign stops).
    func take(_ n: Int) -> Range<Int>? {
        lock.withLock {
            guard !stopped, next < results.count else { return nil }
            let r = next..<min(next + n, results.count)
            next = r.upperBound
            return r
        }
    }

    /// A batch: at most `batch` indices, fewer towards the end so that every job gets work.
    func take(batch: Int, jobs: Int) -> Range<Int>? {
        let left = lock.withLock { results.count - next }
        return take(max(1, min(batch, left / max(1, 2 * jobs))))
    }

    func record(_ index: Int, _ o: SeedOutcome) {
        lock.withLock {
            guard results[index] == nil else { return }
            results[index] = o
            progress.done += 1
            if case .violation = o.verdict {
                progress.violations += 1
                if stopAtFirst { stopped = true }
            }
            if case .unknown = o.verdict { progress.unknowns += 1 }
            outcomeHandler?(o)
            progressHandler?(progress)
        }
    }

    /// Seeds that could not run at all (no worker could start): unknown, with the reason.
    func fail(_ indices: [Int], _ seeds: [UInt64], _ why: String) {
        for i in indices {
            record(
                i,
                SeedOutcome(
                    seed: seeds[i], verdict: .unknown("no worker: \(why)"), lineCount: 0,
                    virtualTime: 0))
        }
    }

    func remember(_ w: WorkerProcess) { lock.withLock { live[ObjectIdentifier(w)] = w } }
    func forget(_ w: WorkerProcess) {
        _ = lock.withLock { live.removeValue(forKey: ObjectIdentifier(w)) }
    }

    /// Stops handing out seeds and ends every live worker.
    func stopAll() {
        let workers = lock.withLock {
            stopped = true
            return Array(live.values)
        }
        for w in workers { kill(w.pid, SIGKILL) }
    }

    /// Marks the campaign over (the watcher has nothing left to stop).
    func finish() { lock.withLock { live.removeAll() } }
}
