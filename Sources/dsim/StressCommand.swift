// `dsim stress`: every matching ported scenario across many seeds, with the table the labs'
// users keep (test, failed, total, time mean ± deviation) — here the time is virtual, and the
// wall time is shown beside it. Failing runs keep their traces; the table is followed by one
// replay command per failing scenario, smallest failing seed first.
import DSimCore
import Foundation
import Scenarios

enum StressCommand {
    static let help = """
        usage: dsim stress [--system S] [--filter REGEX] [--runs N] [--jobs J] [--json]
                           [--trace-out DIR] [--all] [--plant BUG]...

          runs every ported scenario (matching --filter) with seeds 1..N, J at a time
          --all   include scenarios that port no original (campaigns), under their own names
          --json  print the results as JSON instead of the table
          --plant switch on a planted bug (needs --system): its failures show as failed rows
          --in-process  run in this process, not in worker processes (a trap ends it all)
          original-bound: runs that missed only a timing bound of the original test (the
          crash test's 120 s), with their rate and the rate the port expects; not failures
        exit: 0 no failure, 1 any failed run or an original-bound rate well above the
              expected one (dsim fuzz --help), 3 bad usage
        """

    struct Row {
        var system: String
        var scenario: String
        var failed: [UInt64]
        var total: Int
        /// Runs that missed only a timing bound of the original test, against its rate.
        var originalBound: OriginalBoundRate
        var meanSeconds: Double
        var sdSeconds: Double
        var wallSeconds: Double
        var replay: String?
    }

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(
            args, valued: ["system", "filter", "runs", "jobs", "trace-out", "plant"],
            boolean: ["help", "json", "all", "in-process"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        let systems =
            a.value("system") == nil ? Catalog.systems : [try lookupSystem(a.value("system"))]
        var regex: NSRegularExpression?
        if let f = a.value("filter") {
            do { regex = try NSRegularExpression(pattern: f) } catch {
                throw UsageError("--filter is not a valid regular expression: \(f)")
            }
        }
        let runs = try a.positive("runs", 50, max: 10_000_000)
        let jobs = try a.positive(
            "jobs", ProcessInfo.processInfo.activeProcessorCount, max: jobsMax)
        let planted = a.all("plant")
        if !planted.isEmpty {
            guard a.value("system") != nil else { throw UsageError("--plant needs --system") }
            try checkPlanted(systems[0], planted)
        }
        let outDir = a.value("trace-out") ?? "traces/out/stress"
        var rows: [Row] = []
        for system in systems {
            for sc in system.scenarios where a.has("all") || sc.portOf != nil {
                let name = sc.portOf ?? sc.name
                if let r = regex,
                    r.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) == nil
                {
                    continue
                }
                eprint("  stress \(system.name)/\(sc.name): \(runs) runs...")
                rows.append(
                    try stress(
                        system, sc, runs: runs, jobs: jobs, outDir: outDir, planted: planted,
                        isolation: isolation(a))
                )
            }
        }
        guard !rows.isEmpty else { throw UsageError("no scenario matches") }
        if a.has("json") { printJSON(rows) } else { printTable(rows) }
        let bad = rows.contains { !$0.failed.isEmpty || $0.originalBound.isWellAbove }
        return bad ? Exit.violation : Exit.ok
    }

    static func stress(
        _ system: SystemEntry, _ sc: Scenario, runs: Int, jobs: Int, outDir: String,
        planted: [String], isolation: Isolation?
    )
        throws -> Row
    {
        var request = RunRequest(system: system, scenario: sc, seed: 0)
        request.planted = planted
        let t0 = wallSeconds()
        let results = Campaign.run(
            request, first: 1, count: runs, jobs: jobs, build: buildInfo, isolation: isolation)
        let wall = wallSeconds() - t0
        let times = results.map { Double($0.virtualTime) / 1e9 }
        let mean = times.reduce(0, +) / Double(max(times.count, 1))
        let variance =
            times.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(times.count, 1))
        let failed = results.filter { $0.verdict != .ok && $0.verdict.name != "original-bound" }
            .map(\.seed).sorted()
        let missed = results.filter { $0.verdict.name == "original-bound" }.count
        let bound = OriginalBoundRate(
            count: missed, seeds: results.count, expected: sc.originalBoundRate)
        var replay: String?
        if let seed = failed.first {
            var r = request
            r.seed = seed
            let path =
                "\(outDir)/\(system.name)-\(sc.name.replacingOccurrences(of: "/", with: "_"))-seed\(seed).jsonl"
            _ = try TraceRecording.record(
                r, source: .seed(seed), to: path, isolation: isolation, build: buildInfo)
            replay = "dsim replay \(path)"
        }
        return Row(
            system: system.name, scenario: sc.portOf ?? sc.name, failed: failed,
            total: results.count, originalBound: bound,
            meanSeconds: mean, sdSeconds: variance.squareRoot(), wallSeconds: wall, replay: replay)
    }

    static func printTable(_ rows: [Row]) {
        let width = max(30, rows.map(\.scenario.count).max() ?? 0)
        var lastSystem = ""
        for r in rows {
            if r.system != lastSystem {
                lastSystem = r.system
                print("\n\(r.system)")
                print(
                    "  " + "test".padding(toLength: width, withPad: " ", startingAt: 0)
                        + "  failed  total   virtual time (s)    wall (s)  original-bound")
            }
            print(
                "  " + r.scenario.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(
                        format: "  %6d  %5d  %8.2f ± %-8.2f  %8.2f", r.failed.count, r.total,
                        r.meanSeconds, r.sdSeconds, r.wallSeconds)
                    + boundColumn(r.originalBound))
        }
        let failing = rows.filter { !$0.failed.isEmpty }
        print(
            "\n\(rows.count) scenarios, \(rows.map(\.total).reduce(0, +)) runs, \(failing.count) with failures"
        )
        for r in failing {
            print(
                "  \(r.system)/\(r.scenario): failed seeds \(r.failed.prefix(10).map(String.init).joined(separator: ","))"
            )
            if let c = r.replay { print("    \(c)") }
        }
    }

    /// The original-bound column: blank for a port with no original bound and no misses, else
    /// the count, the rate, and the expected rate (`!` when well above it).
    static func boundColumn(_ b: OriginalBoundRate) -> String {
        guard b.count > 0 || b.expected > 0 else { return "" }
        return String(
            format: "  %d (%.1e; expected %.1e)%@", b.count, b.rate, b.expected,
            b.isWellAbove ? " WELL ABOVE" : "")
    }

    static func printJSON(_ rows: [Row]) {
        let items: [JSON] = rows.map { r in
            .object([
                ("system", .string(r.system)), ("scenario", .string(r.scenario)),
                ("failed", .int(Int64(r.failed.count))), ("total", .int(Int64(r.total))),
                ("failedSeeds", .array(r.failed.map { .int(Int64($0)) })),
                ("originalBound", .int(Int64(r.originalBound.count))),
                ("originalBoundRate", .double(r.originalBound.rate)),
                ("originalBoundExpected", .double(r.originalBound.expected)),
                ("virtualSecondsMean", .double(r.meanSeconds)),
                ("virtualSecondsSD", .double(r.sdSeconds)),
                ("wallSeconds", .double(r.wallSeconds)),
                ("replay", r.replay.map { .string($0) } ?? .null),
            ])
        }
        print(JSON.array(items).serialized)
    }
}
