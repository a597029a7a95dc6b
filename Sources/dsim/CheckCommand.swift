// `dsim check`: the bounded invariant campaign CI runs — every spec under specs/ (or the ones
// named) for its `checkSeeds` seeds (or --seeds), one line per spec, the replay command for any
// failure, exit 1 on any violation.
import DSimCore
import Foundation
import Scenarios

enum CheckCommand {
    static let help = """
        usage: dsim check [SPEC...] [--seeds K] [--jobs J] [--trace-out DIR] [--in-process]

          run every spec under specs/ (or the given spec files) for its checkSeeds seeds
          a run that misses only a timing bound of its original test is original-bound: a
          spec fails on it only when its rate is well above the spec's expected rate (see
          dsim fuzz --help)
        exit: 0 no violation, 1 any violation or an original-bound rate well above the
              expected one, 2 unknown verdicts only, 3 bad spec
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(
            args, valued: ["seeds", "jobs", "trace-out"], boolean: ["help", "in-process"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        let paths = a.positionals.isEmpty ? allSpecs("specs") : a.positionals
        guard !paths.isEmpty else { throw UsageError("no spec files found under specs/") }
        let specs = try paths.map { try Spec.load($0) }
        let jobs = try a.positive(
            "jobs", ProcessInfo.processInfo.activeProcessorCount, max: jobsMax)
        var violations = 0
        var unknowns = 0
        var wellAbove = 0
        let start = wallSeconds()
        for spec in specs {
            let system = try lookupSystem(spec.system)
            try checkPlanted(system, spec.planted)
            var r = RunRequest(
                system: system, scenario: try lookupScenario(system, spec.scenario), seed: 0)
            r.params = spec.params
            r.planted = spec.planted
            try validate(r, spec: spec.path)
            let seeds = try a.positive("seeds", spec.checkSeeds)
            let t0 = wallSeconds()
            let results = Campaign.run(
                r, first: 1, count: seeds, jobs: jobs, build: buildInfo, isolation: isolation(a))
            let bad = results.filter { $0.verdict != .ok }
            let failures = bad.map {
                CampaignFailure(seed: $0.seed, verdict: $0.verdict, lines: $0.lineCount, trace: nil)
            }
            let bound = FuzzCampaign.originalBound(
                failures, seedsRun: seeds, expected: spec.originalBoundRate)
            let failed = bad.count - bound.count
            print(
                spec.path.padding(toLength: max(44, spec.path.count), withPad: " ", startingAt: 0)
                    + String(format: " %5d seeds %7.2f s  ", seeds, wallSeconds() - t0)
                    + (failed == 0 ? "ok" : "\(failed) FAILED")
                    + (bound.count > 0 || spec.originalBoundRate > 0 ? "; " + bound.summary : ""))
            if bound.isWellAbove { wellAbove += 1 }
            // The same grouping as dsim fuzz: one row per failure signature, with a trace of
            // each group's smallest run.
            var o = try FuzzCommand.options(a, first: 1, count: seeds, jobs: jobs)
            o.outDir = a.value("trace-out") ?? "traces/out"
            let traced = try FuzzCampaign.recordSmallest(r, failures, o, buildInfo, nil)
            for l in FailureGroups(traced).lines(request: FuzzCampaign.runArguments(r)) {
                print("  " + l)
            }
            for b in bad {
                switch b.verdict {
                case .violation: violations += 1
                case .unknown: unknowns += 1
                case .ok, .originalBound: break
                }
            }
        }
        print(
            String(
                format: "check: %d specs in %.1f s: %d violations, %d unknown, "
                    + "%d original-bound rates well above the expected", specs.count,
                wallSeconds() - start, violations, unknowns, wellAbove))
        if violations > 0 || wellAbove > 0 { return Exit.violation }
        return unknowns > 0 ? Exit.unknown : Exit.ok
    }

    /// Every `.json` file under `dir`, sorted (so the campaign's order never depends on the
    /// file system's).
    static func allSpecs(_ dir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            if p.hasSuffix(".json") { out.append(dir + "/" + p) }
        }
        return out.sorted()
    }
}
