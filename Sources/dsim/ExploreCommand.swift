// `dsim explore`: bounded systematic exploration of one scenario (Scenarios' `Explorer`):
// every run with at most K non-default decisions over the chosen lanes, each world state
// expanded once. Progress on stderr; the last line says what was explored and whether the
// bound is complete; a violation's trace is written like fuzz's, replayable and shrinkable.
import DSimCore
import Foundation
import Scenarios

enum ExploreCommand {
    static let help = """
        usage: dsim explore --system S [--spec F] [--scenario X] [--plant BUG]... --bound K
                            [--lanes L,...] [--max-runs N] [--no-pruning] [--jobs J]
                            [--in-process] [--trace-out DIR]

          --system S      the system (its 'explore' scenario unless --scenario or --spec says)
          --spec F        a spec file (system, scenario, params, planted) instead of --system
          --bound K       the most non-default decisions in a run (0: the all-default run)
          --lanes L,...   lanes whose decisions are enumerated (default all: net, faults,
                          timers, clients, other); the others keep their default
          --max-runs N    stop after N runs, incomplete (default 1000000)
          --no-pruning    run every prefix to its end (no state deduplication)
          --jobs J        search each bound as J slices on J workers (default 1): the runs
                          with one deviation are dealt round robin to the slices, each with a
                          state table of its own, so with J > 1 the counts are sums over the
                          slices (more runs than J = 1: no pruning across slices; a state met
                          in two slices counts twice) and --max-runs is shared out evenly per
                          bound; the same command and J print the same counts on any machine
          --in-process    run the system in this process, not in worker processes (a trap in
                          the system then ends dsim; the counts are the same)
          --trace-out DIR where a failing run's trace goes (default traces/out)
        Bounds are explored in increasing order; each is complete only when every run with
        that many deviations ran (or met an already expanded state).
        A run that kills its worker (a trap, a signal) is a `crash` violation of that run: its
        trace is recorded up to the crash and `dsim replay` reproduces it.
        exit: 0 bound exhausted with no violation, 1 violation, 2 --max-runs ran out first
              (incomplete: never a pass), 3 bad input
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(
            args,
            valued: [
                "system", "spec", "scenario", "plant", "bound", "lanes", "max-runs", "trace-out",
                "jobs",
            ],
            boolean: ["help", "no-pruning", "in-process"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.isEmpty else {
            throw UsageError("unexpected argument '\(a.positionals[0])'")
        }
        let request = try buildRequest(a)
        guard a.value("bound") != nil else { throw UsageError("--bound K is required") }
        let bound = try a.uint("bound", 0)
        guard bound <= 16 else { throw UsageError("--bound \(bound) is out of range 0...16") }
        var options = ExploreOptions(bound: Int(bound))
        options.maxRuns = try a.positive("max-runs", options.maxRuns)
        options.pruning = !a.has("no-pruning")
        let jobs = try a.positive("jobs", 1, max: 256)
        if let lanes = a.value("lanes") {
            let names = lanes.split(separator: ",").map(String.init)
            for n in names where !Explorer.lanes.contains(n) {
                throw UsageError(
                    "unknown lane '\(n)' (known: \(Explorer.lanes.joined(separator: ", ")))")
            }
            options.lanes = Set(names)
        }
        let lanesText = Explorer.lanes.filter(options.lanes.contains).joined(separator: ", ")
        let name = "\(request.system.name)/\(request.scenario.name)"
        eprint(
            "explore \(name) bound=\(bound) lanes=\(lanesText) max-runs=\(options.maxRuns) "
                + "jobs=\(jobs) planted=\(request.planted) params=\(request.params.serialized)")
        let t0 = wallSeconds()
        // A spec that lists knob values is explored once per combination, in order, until a
        // finding or the run budget ends it; the runs add up.
        let isolation = isolation(a)
        let combinations = Knobs.combinations(request)
        var report = ExploreReport()
        var explored = request
        var runs = 0
        for (i, r) in combinations.enumerated() {
            if combinations.count > 1 {
                eprint("  knobs \(i + 1)/\(combinations.count): \(r.params.serialized)")
            }
            var o = options
            o.maxRuns = options.maxRuns - runs
            report = Explorer.run(r, o, jobs: jobs, isolation: isolation, build: buildInfo) { p in
                let s = wallSeconds() - t0
                eprint(
                    "  bound \(p.bound): \(p.runs) runs, \(p.distinctStates) states, "
                        + "\(p.pruned) pruned, \(formatRate(Double(p.runs) / max(s, 1e-9)))runs/s")
            }
            runs += report.runs
            explored = r
            if report.finding != nil || report.completeBound != options.bound { break }
        }
        report.runs = runs
        return try conclude(
            report, explored, options, lanes: lanesText, args: a, isolation: isolation)
    }

    static func buildRequest(_ a: Arguments) throws -> RunRequest {
        var request = try requestFromSpecOrSystem(a) {
            $0.scenario("explore") != nil ? "explore" : nil
        }
        request.planted += a.all("plant")
        try checkPlanted(request.system, request.planted)
        try validate(request, spec: a.value("spec"))
        return request
    }

    /// Prints the finding (writing its trace) or the guarantee, then the completeness line.
    static func conclude(
        _ report: ExploreReport, _ request: RunRequest, _ options: ExploreOptions,
        lanes: String, args a: Arguments, isolation: Isolation?
    ) throws -> Int32 {
        let bound = report.lastBound
        var code = Exit.ok
        if let f = report.finding {
            let dir = a.value("trace-out") ?? "traces/out"
            let bugs = request.planted.map { "-" + $0 }.joined()
            let path =
                "\(dir)/\(request.system.name)-\(request.scenario.name)\(bugs)-explore-k\(f.bound).jsonl"
            // Recorded in a fresh worker when isolated: a crash's trace ends at the crash.
            let r = try TraceRecording.record(
                request, source: .recorded(f.values), to: path, isolation: isolation,
                build: buildInfo)
            let where_ = f.deviations.map { "#\($0.index)=\($0.value)" }.joined(separator: " ")
            print("\(describe(r.verdict))")
            if r.verdict != f.verdict { eprint("  the search saw: \(describe(f.verdict))") }
            print("  found at bound \(f.bound) (deviations: \(where_.isEmpty ? "none" : where_))")
            print("  trace:  \(path) (\(r.lineCount) lines)")
            print("  replay: dsim replay \(path)")
            code = Exit.violation
        } else if report.completeBound == options.bound {
            print(
                "no violation in any run with ≤ \(options.bound) deviations over lanes \(lanes) "
                    + "(in the scenario's exploration window)")
        } else {
            print(
                "incomplete: --max-runs \(options.maxRuns) ran out in bound \(bound) "
                    + "(complete up to bound \(report.completeBound)); not a pass")
            code = Exit.unknown
        }
        if report.unknowns > 0 { print("  \(report.unknowns) runs had an unknown verdict") }
        let complete = report.finding == nil && report.completeBound == options.bound
        print(
            "explored: \(report.runs) runs, \(report.distinctStates) distinct states, "
                + "\(report.pruned) pruned, bound \(bound) \(complete ? "complete" : "incomplete")")
        return code
    }
}
