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

          --system S      system to fuzz, or 'all' for every system's fuzz scenario
          --spec F        a spec file (system, scenario, params, planted) instead of --system
          --scenario X    scenario to run (default: the system's fuzz scenario)
          --seed N        first seed (default 1); seeds N ..< N+K are run
          --seeds K       number of seeds (default 100; 2000 with a planted bug)
          --jobs J        seeds run in parallel (default: number of cores)
          --plant BUG     switch on a planted bug (repeatable; see dsim list --planted)
          --trace-out DIR where failing traces go (default traces/out)
          --max-traces M  write at most M failing traces (default 3)
          --first         stop at the first violation
          --shrink        shrink each failing trace written and print both paths
          --in-process    run seeds in this process, not in worker processes (a trap in the
                          system under test then ends the campaign)
        exit: 0 no violation, 1 violations, 2 unknown verdicts only, 3 bad usage
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(
            args,
            valued: [
                "system", "spec", "scenario", "seed", "seeds", "jobs", "plant", "trace-out",
                "max-traces",
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
        let requests = try buildRequests(a)
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
        let build = buildInfo
        let planted = request.planted.isEmpty ? "-" : request.planted.joined(separator: ",")
        print(
            "fuzz \(request.system.name)/\(request.scenario.name): seeds \(first)...\(first + UInt64(count - 1)) "
                + "jobs=\(jobs) planted=\(planted) params=\(request.params.serialized) "
                + "commit=\(build.commit) \(build.toolchain) \(build.config)")
        let start = wallSeconds()
        var lastReport = start
        let isolated = isolation(a)
        let results = Campaign.run(
            request, first: first, count: count, jobs: jobs, build: build, isolation: isolated,
            stopAtFirst: a.has("first")
        ) { p in
            let now = wallSeconds()
            if now - lastReport >= 1 || p.done == p.total {
                lastReport = now
                let rate = Double(p.done) / max(now - start, 1e-9)
                eprint(
                    "  \(p.done)/\(p.total) seeds, \(formatRate(rate))seeds/s, "
                        + "\(p.violations) violations, \(p.unknowns) unknown")
            }
        }
        let elapsed = wallSeconds() - start
        let failing = results.filter {
            if case .violation = $0.verdict { return true } else { return false }
        }
        let unknown = results.filter {
            if case .unknown = $0.verdict { return true } else { return false }
        }
        let outDir = a.value("trace-out") ?? "traces/out"
        let maxTraces = try a.positive("max-traces", 3, max: 100_000)
        for f in failing.prefix(maxTraces) + unknown.prefix(1) {
            let path = try report(
                request, seed: f.seed, outDir: outDir, build: build, isolation: isolated)
            if a.has("shrink"), case .violation(let v) = f.verdict {
                try shrinkReport(request, path: path, invariant: v.invariant, isolation: isolated)
            }
        }
        print(
            "done: \(results.count) seeds in \(String(format: "%.2f", elapsed)) s "
                + "(\(formatRate(Double(results.count) / max(elapsed, 1e-9)))seeds/s): "
                + "\(failing.count) violations, \(unknown.count) unknown")
        if !failing.isEmpty { return Exit.violation }
        return unknown.isEmpty ? Exit.ok : Exit.unknown
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
