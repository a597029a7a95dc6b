// `dsim fuzz`: a campaign of seeds over one system's fuzz scenario (or a spec's), with progress
// on stderr, failing traces re-run with recording on and written to --trace-out, and the one
// command that replays each.
import DSimCore
import Foundation
import Scenarios

enum FuzzCommand {
    static let help = """
        usage: dsim fuzz --system S|all [--spec F] [--scenario X] [--seed N] [--seeds K]
                         [--jobs J] [--plant BUG]... [--trace-out DIR] [--max-traces M] [--first] [--shrink]
                         [--strategy random|pct] [--pct-depth d]

          --system S      system to fuzz, or 'all' for every system's fuzz scenario
          --spec F        a spec file (system, scenario, params, planted) instead of --system
          --scenario X    scenario to run (default: the system's fuzz scenario)
          --seed N        first seed (default 1); seeds N ..< N+K are run
          --seeds K       number of seeds (default 100; 2000 with a planted bug)
          --jobs J        seeds run in parallel (default: number of cores)
          --plant BUG     switch on a planted bug (repeatable; see dsim list --planted)
          --trace-out DIR where failing traces go (default traces/out)
          --max-traces M  write at most M failing traces per failure group (default 3)
          --strategy S    random (default: every decision drawn) or pct: ready events run by
                          random priorities of their node (sans-IO) or task (async), with
                          d-1 change points (PCT)
          --pct-depth d   PCT's bug depth d (default 3)
          --first         stop at the first violation
          --shrink        shrink the smallest trace of each failure group
          --in-process    run seeds in this process, not in worker processes (a trap in the
                          system under test then ends the campaign)
          --results FILE  append one JSON line per seed that does not pass, as found
          --resume FILE   go on with the campaign of a results file (its seeds not finished)
          --shard I/N     run the I-th of N disjoint parts of the seeds (every N-th seed)
          --junit FILE    write JUnit XML: one test case per failure group
        SIGINT/SIGTERM stop the campaign: summary, results and traces so far; exit 1 if it
        found violations, else 130. dsim merge RESULTS... combines shards' results files.
        A run that misses only a timing bound of its original test (test-mr.sh's 120 s) is
        original-bound, not a violation: counted as a rate against the spec's
        "expect": {"original-bound-rate": r}; the campaign fails when the count is well above
        it (at least 2, and P(X >= count) < 0.001 for X ~ Binomial(seeds, r)).
        exit: 0 no violation (original-bound at the expected rate), 1 violations or an
              original-bound rate well above the expected one, 2 unknown verdicts only,
              3 bad usage
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(
            args,
            valued: [
                "system", "spec", "scenario", "seed", "seeds", "jobs", "plant", "trace-out",
                "max-traces", "results", "resume", "shard", "junit", "strategy", "pct-depth",
            ],
            boolean: ["help", "first", "shrink", "in-process"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.isEmpty else {
            throw UsageError("unexpected argument '\(a.positionals[0])'")
        }
        _ = try a.positive("max-traces", 3, max: 100_000)  // bad usage before any run
        if let path = a.value("resume") { return try resume(path, a) }
        let requests = try buildRequests(a).map { try withStrategy($0, a) }
        // Hunting a planted bug searches longer by default: Raft's Figure 8 bug first fails
        // at seed 816.
        let hunting = requests.contains { !$0.planted.isEmpty }
        let (first, count) = try a.seedRange(defaultCount: hunting ? 2000 : 100)
        let jobs = try a.positive(
            "jobs", ProcessInfo.processInfo.activeProcessorCount, max: jobsMax)
        var code = Exit.ok
        for r in requests {
            let c = try campaign(r, first: first, count: count, jobs: jobs, args: a)
            if c == Exit.violation || code == Exit.ok { code = c }
        }
        return code
    }

    /// `--strategy pct [--pct-depth d]`: the PCT scheduler, recorded in the run's parameters
    /// (so the trace header carries it to replay and shrink).
    static func withStrategy(_ r: RunRequest, _ a: Arguments) throws -> RunRequest {
        let strategy = a.value("strategy") ?? "random"
        guard strategy == "random" || strategy == "pct" else {
            throw UsageError("--strategy must be random or pct, not '\(strategy)'")
        }
        guard strategy == "pct" else {
            if a.value("pct-depth") != nil { throw UsageError("--pct-depth needs --strategy pct") }
            return r
        }
        let depth = try a.positive("pct-depth", 3, max: 64)
        var out = r
        guard case .object(var fields) = r.params else { return r }
        fields.removeAll { $0.0 == "strategy" || $0.0 == "pctDepth" }
        fields += [("strategy", .string("pct")), ("pctDepth", .int(Int64(depth)))]
        out.params = .object(fields)
        return out
    }

    static func buildRequests(_ a: Arguments) throws -> [RunRequest] {
        var planted = a.all("plant")
        if let path = a.value("spec") {
            let spec = try Spec.load(path)
            let system = try lookupSystem(spec.system)
            let scenario = try lookupScenario(system, a.value("scenario") ?? spec.scenario)
            planted += spec.planted
            try checkPlanted(system, planted)
            var r = RunRequest(system: system, scenario: scenario, seed: 0)
            r.params = spec.params
            r.planted = planted
            try validate(r, spec: path)
            return [r]
        }
        let systems: [SystemEntry]
        if a.value("system") == "all" {
            guard planted.isEmpty else { throw UsageError("--plant needs one --system") }
            systems = Catalog.systems
        } else {
            systems = [try lookupSystem(a.value("system"))]
        }
        return try systems.map { system in
            try checkPlanted(system, planted)
            var name = a.value("scenario")
            if name == nil, let bug = system.plantedBugs.first(where: { planted.contains($0.name) })
            {
                name = bug.fuzzScenario
            }
            var r = RunRequest(system: system, scenario: try lookupScenario(system, name), seed: 0)
            r.planted = planted
            return r
        }
    }

    static func campaign(
        _ request: RunRequest, first: UInt64, count: Int, jobs: Int, args a: Arguments
    ) throws -> Int32 {
        let o = try options(a, first: first, count: count, jobs: jobs)
        let build = buildInfo
        let planted = request.planted.isEmpty ? "-" : request.planted.joined(separator: ",")
        print(
            "fuzz \(request.system.name)/\(request.scenario.name): seeds \(first)...\(first + UInt64(count - 1)) "
                + (o.shard.of > 1 ? "shard \(o.shard.index)/\(o.shard.of) " : "")
                + "jobs=\(jobs) planted=\(planted) params=\(request.params.serialized) "
                + "commit=\(build.commit) \(build.toolchain) \(build.config)")
        return try FuzzCampaign.run(request, o, resumed: nil)
    }

    /// The campaign options from the command line.
    static func options(_ a: Arguments, first: UInt64, count: Int, jobs: Int) throws
        -> CampaignOptions
    {
        if a.has("shrink") && a.value("system") == "all" {
            throw UsageError("--shrink needs one --system")
        }
        var o = CampaignOptions(
            jobs: jobs, outDir: a.value("trace-out") ?? "traces/out",
            maxTraces: try a.positive("max-traces", 3, max: 100_000), stopAtFirst: a.has("first"),
            shrink: a.has("shrink"), isolation: isolation(a),
            results: a.value("results") ?? a.value("resume"), junit: a.value("junit"),
            first: first, count: count, shard: try shard(a))
        if let path = a.value("spec") {
            o.originalBoundRate = try Spec.load(path).originalBoundRate
        }
        return o
    }

    /// `--shard I/N`: 1 <= I <= N <= 100000.
    static func shard(_ a: Arguments) throws -> (index: Int, of: Int) {
        guard let v = a.value("shard") else { return (1, 1) }
        let parts = v.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, n <= 100_000,
            i >= 1, i <= n
        else { throw UsageError("--shard must be I/N with 1 <= I <= N <= 100000, got '\(v)'") }
        return (i, n)
    }

    /// `--resume FILE`: the campaign its header names, without the seeds it finished.
    static func resume(_ path: String, _ a: Arguments) throws -> Int32 {
        let record = try CampaignRecord.load(path)
        let h = record.header
        var request = try WorkerRequestDecoding.request(h, path: path)
        request.seed = 0
        let first = UInt64(bitPattern: Int64(h["seed"]?.intValue ?? 1))
        let count = h["seeds"]?.intValue ?? 0
        guard count >= 1 else { throw UsageError("\(path): no seed count in its header") }
        var o = try options(
            a, first: first, count: count,
            jobs: try a.positive(
                "jobs", ProcessInfo.processInfo.activeProcessorCount, max: jobsMax))
        let sh = (h["shard"]?.stringValue ?? "1/1").split(separator: "/").compactMap { Int($0) }
        if sh.count == 2 { o.shard = (sh[0], sh[1]) }
        o.originalBoundRate = h["originalBoundRate"]?.doubleValue ?? 0
        print(
            "resume \(path): \(record.finished.count) seeds finished, "
                + "\(record.failures.count) failures so far")
        return try FuzzCampaign.run(request, o, resumed: record)
    }

    static func shrinkReport(
        _ request: RunRequest, path: String, invariant: String, isolation: Isolation?
    ) throws {
        let file = try TraceFile.load(path)
        guard
            let r = ShrinkCommand.shrink(
                request, file.decisions.map { $0.decision }, invariant: invariant,
                signature: FailureSignature.of(file.verdict),
                maxRuns: ShrinkCommand.defaultMaxRuns, budget: 60, isolation: isolation)
        else { return }
        let out = String(path.dropLast(6)) + ".min.jsonl"
        try writeTrace(r.lines, to: out)
        print("  shrunk: \(out) (\(TraceStats(file.lines).lines) -> \(r.lines.count) lines)")
        print("  replay: dsim replay \(out)")
    }

    /// Re-runs a failing seed with recording on, writes its trace, prints how to replay it.
    @discardableResult
    static func report(
        _ request: RunRequest, seed: UInt64, outDir: String, build: BuildInfo,
        isolation: Isolation?
    ) throws -> String {
        var r = request
        r.seed = seed
        let plant = r.planted.isEmpty ? "" : "-" + r.planted.joined(separator: "+")
        let path =
            "\(outDir)/\(r.system.name)-\(r.scenario.name.replacingOccurrences(of: "/", with: "_"))\(plant)-seed\(seed).jsonl"
        // In a fresh worker when isolated: a run that crashes leaves its trace up to the crash.
        let result = try TraceRecording.record(
            r, source: .seed(seed), to: path, isolation: isolation, build: build)
        print("SEED=\(seed) \(describe(result.verdict))")
        print("  trace:  \(path) (\(result.lineCount) lines)")
        print("  replay: dsim replay \(path)   (or: make replay TRACE=\(path))")
        return path
    }
}
