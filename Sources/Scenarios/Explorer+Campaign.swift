// Exploration as a campaign: on several jobs (threads across slices, like the fuzz campaign
// runner across seeds), and in worker processes (crash isolation).
//
// A bound's search is cut into `jobs` slices (`ExploreSlice`: the all-default run's children,
// dealt round robin), each searched depth first with a state table of its own, on its own
// thread — in this process, or in a worker (`dsim __worker`, op `explore`) that streams its
// progress and sends its result when the slice is done. The slices of a bound are combined in
// slice order: the finding of the lowest slice that has one wins and the slices above it are
// stopped and not counted; the run budget left is shared out evenly before the bound starts.
// So the report is a function of the command and `jobs`, never of timing: with one job it is
// exactly the in-process search's; with more, slices do not share pruning, so runs and states
// are sums over the slices (a state reached in two slices counts twice).
//
// Explore runs are tiny (~14,000 a second), so a worker is not started per run: it searches a
// whole slice. Before each run it writes the run's number and deviations into a small shared
// mapping (`ExploreRunMarker`, no system call); if it dies, the parent reads there which run
// killed it, reports that run as a `crash` finding with its exact choice path, and records its
// trace (up to the crash) in a fresh worker.
import DSimCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Explorer {
    /// Explores `request` on `jobs` threads, each slice in a worker when `isolation` is given
    /// (one job in-process runs on the calling thread). `progress` is called serialized.
    public static func run(
        _ request: RunRequest, _ options: ExploreOptions, jobs: Int, isolation: Isolation?,
        build: BuildInfo, progress: ((ExploreProgress) -> Void)? = nil
    ) -> ExploreReport {
        precondition(jobs >= 1, "jobs \(jobs)")
        var report = ExploreReport()
        let pool = ExploreWorkers(count: jobs, isolation: isolation)
        defer { pool.stopAll() }
        for k in 0...options.bound {
            report.lastBound = k
            let count = k == 0 ? 1 : jobs
            let left = options.maxRuns - report.runs
            let bound = ExploreBoundState(count: count, runsBefore: report.runs, bound: k)
            bound.progressHandler = progress
            bound.onFinding = isolation == nil ? nil : { pool.stopAbove($0) }
            let one = { (j: Int) in
                let slice = ExploreSlice(index: j, count: count)
                let runsMax = left / count + (j < left % count ? 1 : 0)
                let r = runOne(
                    request, options, bound: k, slice: slice, runsMax: runsMax, build: build,
                    pool: pool, state: bound)
                bound.finish(j, r)
            }
            if count == 1 {
                one(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: count, execute: one)
            }
            let used = bound.combined()
            report.runs += used.runs
            report.unknowns += used.unknowns
            report.distinctStates = used.distinctStates
            report.pruned = used.pruned
            report.finding = used.finding
            guard !used.isExhausted, report.finding == nil else { return report }
            report.completeBound = k
        }
        return report
    }

    private static func runOne(
        _ request: RunRequest, _ options: ExploreOptions, bound k: Int, slice: ExploreSlice,
        runsMax: Int, build: BuildInfo, pool: ExploreWorkers, state: ExploreBoundState
    ) -> ExploreSliceResult {
        let j = slice.index
        guard pool.isolation != nil else {
            return runSlice(
                request, options, bound: k, slice: slice, runsMax: runsMax, build: build,
                shouldStop: { state.isAbandoned(j) }, progress: { state.progress(j, $0) })
        }
        return pool.runSlice(
            request, options, bound: k, slice: slice, runsMax: runsMax, state: state)
    }

    /// The worker's side of op `explore`: searches the slice the request names, writing a
    /// `{"progress":…}` line every 1,000 runs and returning the result's line.
    static func serveSlice(_ j: JSON, _ request: RunRequest, build: BuildInfo) throws -> String {
        guard let k = j["bound"]?.intValue, let index = j["slice"]?.intValue,
            let count = j["slices"]?.intValue, let runsMax = j["runsMax"]?.intValue,
            let markerPath = j["marker"]?.stringValue, count >= 1, (0..<count).contains(index),
            k >= 0
        else { throw WorkerError.bad("explore needs bound, slice, slices, runsMax, marker") }
        var options = ExploreOptions(bound: k)
        options.pruning = j["pruning"]?.boolValue ?? true
        options.lanes = Set((j["lanes"]?.arrayValue ?? []).compactMap(\.stringValue))
        let marker = try ExploreRunMarker(path: markerPath, create: false)
        // A slice can run for minutes: a worker whose parent is gone (Ctrl-C, a kill) stops
        // at its next progress line rather than searching on for nobody.
        let parent = getppid()
        let result = runSlice(
            request, options, bound: k, slice: ExploreSlice(index: index, count: count),
            runsMax: runsMax, build: build, willRun: { marker.write(run: $0, $1) },
            progress: {
                if getppid() != parent { exit(0) }
                WorkerServer.writeLine(1, sliceJSON($0, key: "progress").serialized)
            })
        return sliceJSON(result, key: "result").serialized
    }

    static func sliceJSON(_ r: ExploreSliceResult, key: String) -> JSON {
        var fields: [(String, JSON)] = [
            ("runs", .int(Int64(r.runs))), ("states", .int(Int64(r.distinctStates))),
            ("pruned", .int(Int64(r.pruned))), ("unknowns", .int(Int64(r.unknowns))),
            ("exhausted", .bool(r.isExhausted)),
        ]
        if let f = r.finding {
            fields += [
                (
                    "deviations",
                    .string(f.deviations.map { "\($0.index):\($0.value)" }.joined(separator: ","))
                ),
                ("values", .string(WorkerSource.text(f.values))), ("verdict", f.verdict.json),
            ]
        }
        return .object([(key, .object(fields))])
    }

    static func sliceResult(_ j: JSON) -> ExploreSliceResult {
        var r = ExploreSliceResult()
        r.runs = j["runs"]?.intValue ?? 0
        r.distinctStates = j["states"]?.intValue ?? 0
        r.pruned = j["pruned"]?.intValue ?? 0
        r.unknowns = j["unknowns"]?.intValue ?? 0
        r.isExhausted = j["exhausted"]?.boolValue ?? false
        if let v = j["verdict"].flatMap(Verdict.init(json:)) {
            let deviations = parseDeviations(j["deviations"]?.stringValue ?? "")
            r.finding = ExploreFinding(
                deviations: deviations, values: WorkerSource.values(j["values"]?.stringValue ?? ""),
                verdict: v, bound: deviations.count)
        }
        return r
    }

    static func parseDeviations(_ text: String) -> [(index: Int, value: UInt64)] {
        text.split(separator: ",").compactMap { pair in
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let i = Int(parts[0]), let v = UInt64(parts[1]) else {
                return nil
            }
            return (i, v)
        }
    }

    /// The decision values of the run with `deviations` (every other decision 0, and 0 after
    /// the last): what `.recorded` needs to re-run an explored run without its explorer.
    public static func values(of deviations: [(index: Int, value: UInt64)]) -> [UInt64] {
        var values = [UInt64](repeating: 0, count: (deviations.last?.index ?? -1) + 1)
        for d in deviations { values[d.index] = d.value }
        return values
    }
}

/// The slices of one bound while they run: their results, and which ones are abandoned
/// because a lower slice found a violation.
final class ExploreBoundState: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [ExploreSliceResult?]
    private var latest: [ExploreSliceResult]
    private var lowestFinding = Int.max
    private let runsBefore: Int
    private let bound: Int
    var progressHandler: ((ExploreProgress) -> Void)?
    /// Called (under the lock) when slice `j` found a violation: the slices above it stop.
    var onFinding: ((Int) -> Void)?

    init(count: Int, runsBefore: Int, bound: Int) {
        results = Array(repeating: nil, count: count)
        latest = Array(repeating: ExploreSliceResult(), count: count)
        self.runsBefore = runsBefore
        self.bound = bound
    }

    /// Slices whose results count: up to the lowest one with a finding (call under the lock).
    private var countedSlices: Int {
        lowestFinding == .max ? results.count : lowestFinding + 1
    }

    /// True when slice `j`'s result no longer counts (a lower slice has a finding).
    func isAbandoned(_ j: Int) -> Bool { lock.withLock { lowestFinding < j } }

    func progress(_ j: Int, _ r: ExploreSliceResult) {
        lock.withLock {
            latest[j] = r
            guard let progressHandler else { return }
            let counted = latest.prefix(countedSlices)
            progressHandler(
                ExploreProgress(
                    runs: runsBefore + counted.reduce(0) { $0 + $1.runs }, bound: bound,
                    distinctStates: counted.reduce(0) { $0 + $1.distinctStates },
                    pruned: counted.reduce(0) { $0 + $1.pruned }))
        }
    }

    func finish(_ j: Int, _ r: ExploreSliceResult) {
        lock.withLock {
            results[j] = r
            latest[j] = r
            if r.finding != nil && j < lowestFinding {
                lowestFinding = j
                onFinding?(j)
            }
        }
    }

    /// The bound's result: the slices up to the lowest one with a finding, summed.
    func combined() -> ExploreSliceResult {
        lock.withLock {
            var out = ExploreSliceResult()
            for r in results.prefix(countedSlices).compactMap({ $0 }) {
                out.runs += r.runs
                out.distinctStates += r.distinctStates
                out.pruned += r.pruned
                out.unknowns += r.unknowns
                out.isExhausted = out.isExhausted || r.isExhausted
                out.finding = r.finding
            }
            return out
        }
    }
}

/// One worker per job, kept from bound to bound (and replaced when it dies).
final class ExploreWorkers: @unchecked Sendable {
    let isolation: Isolation?
    private let lock = NSLock()
    private var workers: [WorkerProcess?]
    private let markers: [String]

    init(count: Int, isolation: Isolation?) {
        self.isolation = isolation
        workers = Array(repeating: nil, count: count)
        markers = (0..<count).map { "/tmp/dsim-explore-\(getpid())-\($0).run" }
    }

    func stopAll() {
        lock.withLock {
            for w in workers { w?.stop() }
            workers = workers.map { _ in nil }
        }
        for m in markers { unlink(m) }
    }

    /// Kills the workers of the slices above `j` (their results will not count).
    func stopAbove(_ j: Int) {
        lock.withLock {
            for i in (j + 1)..<workers.count { workers[i]?.stop() }
        }
    }

    private func worker(_ j: Int) throws -> WorkerProcess {
        try lock.withLock {
            if let w = workers[j], w.isAlive, !w.isBloated { return w }
            workers[j]?.stop()
            let w = try WorkerProcess(
                executable: isolation!.executable, environment: isolation!.environment)
            workers[j] = w
            return w
        }
    }

    /// Slice `slice` in worker `slice.index`; a death is the crash of the run it was in.
    func runSlice(
        _ request: RunRequest, _ options: ExploreOptions, bound k: Int, slice: ExploreSlice,
        runsMax: Int, state: ExploreBoundState
    ) -> ExploreSliceResult {
        let j = slice.index
        var result = ExploreSliceResult()
        guard !state.isAbandoned(j) else { return result }
        let marker: ExploreRunMarker
        let w: WorkerProcess
        do {
            marker = try ExploreRunMarker(path: markers[j], create: true)
            w = try worker(j)
        } catch {
            // No worker: the slice is not searched, so the bound cannot be complete.
            result.isExhausted = true
            result.unknowns = 1
            return result
        }
        let fields =
            WorkerRequest.fields(request) + [
                ("op", .string("explore")), ("bound", .int(Int64(k))),
                ("slice", .int(Int64(j))), ("slices", .int(Int64(slice.count))),
                ("runsMax", .int(Int64(runsMax))), ("marker", .string(markers[j])),
                ("pruning", .bool(options.pruning)),
                (
                    "lanes",
                    .array(Explorer.lanes.filter(options.lanes.contains).map { .string($0) })
                ),
            ]
        var reply: ExploreSliceResult?
        let death = w.exchange(JSON.object(fields).serialized) { line in
            guard let json = try? JSON.parse(line) else { return }
            if let p = json["progress"] {
                state.progress(j, Explorer.sliceResult(p))
            } else if let r = json["result"] {
                reply = Explorer.sliceResult(r)
            }
        }
        if let reply { return reply }
        guard let death, !state.isAbandoned(j) else { return result }
        // The run the worker was in when it died is the finding.
        let (runs, deviations) = marker.read()
        result.runs = runs
        result.finding = ExploreFinding(
            deviations: deviations, values: Explorer.values(of: deviations),
            verdict: .violation(death.violation), bound: deviations.count)
        return result
    }
}

/// A small file mapped into a worker and read by its parent: the number and the deviations of
/// the run the worker is in (written before each run, with plain stores: no system call).
final class ExploreRunMarker {
    /// Deviations a marker holds at most (a bound is at most 16).
    static let deviationsMax = 64
    private static let bytes = (2 + 2 * deviationsMax) * 8
    private let words: UnsafeMutablePointer<Int64>?
    let path: String

    /// Maps `path` (created and zeroed when `create`: the parent's side).
    init(path: String, create: Bool) throws {
        self.path = path
        let fd = open(path, O_RDWR | (create ? O_CREAT | O_TRUNC : 0), 0o600)
        guard fd >= 0 else { throw WorkerError.bad("cannot open \(path)") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(Self.bytes)) == 0 else {
            throw WorkerError.bad("cannot size \(path)")
        }
        if create {
            words = nil
            return
        }
        let p = mmap(nil, Self.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else { throw WorkerError.bad("cannot map \(path)") }
        words = p.bindMemory(to: Int64.self, capacity: Self.bytes / 8)
    }

    deinit {
        if let words { munmap(words, Self.bytes) }
    }

    /// Notes that run `run` (with `deviations`) starts.
    func write(run: Int, _ deviations: [(index: Int, value: UInt64)]) {
        guard let words else { return }
        let n = min(deviations.count, Self.deviationsMax)
        for (i, d) in deviations.prefix(n).enumerated() {
            words[2 + 2 * i] = Int64(d.index)
            words[3 + 2 * i] = Int64(bitPattern: d.value)
        }
        words[1] = Int64(n)
        words[0] = Int64(run)
    }

    /// The last run noted (0 and none if no run started).
    func read() -> (run: Int, deviations: [(index: Int, value: UInt64)]) {
        guard let data = FileManager.default.contents(atPath: path), data.count >= Self.bytes
        else { return (0, []) }
        let w: [Int64] = data.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
        let n = Int(min(max(w[1], 0), Int64(Self.deviationsMax)))
        return (Int(w[0]), (0..<n).map { (Int(w[2 + 2 * $0]), UInt64(bitPattern: w[3 + 2 * $0])) })
    }
}
