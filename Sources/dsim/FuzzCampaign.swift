// One fuzz campaign from start to summary: the seeds of this shard (less those a resumed
// results file has finished), run in workers; each seed that fails streamed to the results
// file, its trace recorded at once while its group has fewer than --max-traces; SIGINT or
// SIGTERM stops it within a moment (workers killed, the summary printed, the results file
// closed with the seeds that finished); then one row per failure signature.
import DSimCheck
import DSimCore
import Foundation
import Scenarios
import Synchronization

/// SIGINT / SIGTERM: set by the handler, polled by the campaign's watcher.
let interruptFlag = Atomic<Bool>(false)

/// Installs the handler that turns SIGINT and SIGTERM into a stop of the campaign (a second
/// one ends the process at once).
func installInterruptHandler() {
    let handler: @convention(c) (Int32) -> Void = { sig in
        if interruptFlag.exchange(true, ordering: .relaxed) {
            signal(sig, SIG_DFL)
            raise(sig)
        }
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
}

/// The campaign options beyond the request and its seeds.
struct CampaignOptions {
    var jobs: Int
    var outDir: String
    var maxTraces: Int
    var stopAtFirst: Bool
    var shrink: Bool
    var isolation: Isolation?
    var results: String?
    var junit: String?
    /// What a seed range header says: first seed, count, shard.
    var first: UInt64
    var count: Int
    var shard: (index: Int, of: Int)
    /// The spec's expected rate of `original-bound` runs (`OriginalBoundRate`).
    var originalBoundRate = 0.0
}

enum FuzzCampaign {
    /// The header of the results file.
    static func header(_ r: RunRequest, _ o: CampaignOptions) -> JSON {
        .object(
            WorkerRequest.fields(r).filter { $0.0 != "seed" } + [
                ("seed", .int(Int64(bitPattern: o.first))), ("seeds", .int(Int64(o.count))),
                ("shard", .string("\(o.shard.index)/\(o.shard.of)")),
                ("originalBoundRate", .double(o.originalBoundRate)),
            ])
    }

    /// The seeds of shard I of N: every N-th seed from the I-th (disjoint, deterministic).
    static func seeds(_ o: CampaignOptions) -> [UInt64] {
        stride(from: o.shard.index - 1, to: o.count, by: o.shard.of).map { o.first &+ UInt64($0) }
    }

    static func run(_ request: RunRequest, _ o: CampaignOptions, resumed: CampaignRecord?) throws
        -> Int32
    {
        let build = buildInfo
        let log = try o.results.map { try ResultsLog($0, header: header(request, o)) }
        let done = resumed?.finished ?? []
        let todo = seeds(o).filter { !done.contains($0) }
        var failures = dedupe(resumed?.failures ?? [])
        var traces: [String: Int] = [:]
        for f in failures where f.trace != nil { traces[f.signature, default: 0] += 1 }
        let lock = NSLock()
        let start = wallSeconds()
        var lastReport = start
        installInterruptHandler()
        let outcomes = Campaign.run(
            request, seeds: todo, jobs: o.jobs, build: build, isolation: o.isolation,
            stopAtFirst: o.stopAtFirst, shouldStop: { interruptFlag.load(ordering: .relaxed) },
            progress: { p in
                let now = wallSeconds()
                guard now - lastReport >= 1 || p.done == p.total else { return }
                lastReport = now
                eprint(
                    "  \(p.done)/\(p.total) seeds, "
                        + "\(formatRate(Double(p.done) / max(now - start, 1e-9)))seeds/s, "
                        + "\(p.violations) violations, \(p.unknowns) unknown")
            },
            outcome: { out in
                guard out.verdict != .ok else { return }
                var f = CampaignFailure(
                    seed: out.seed, verdict: out.verdict, lines: out.lineCount, trace: nil)
                // Traces while the group has fewer than --max-traces (first found first).
                let wants = lock.withLock {
                    let n = traces[f.signature, default: 0]
                    if n < o.maxTraces { traces[f.signature] = n + 1 }
                    return n < o.maxTraces
                }
                if wants { f.record(record(request, f, o, build)) }
                lock.withLock { failures.append(f) }
                log?.append(f.json)
            })
        let finished = outcomes.map(\.seed)
        log?.append(.object([("finished", .string(SeedRanges.format(finished)))]))
        let interrupted = interruptFlag.load(ordering: .relaxed)
        let elapsed = wallSeconds() - start
        if !interrupted { failures = try recordSmallest(request, failures, o, build, log) }
        let all = done.count + finished.count
        print(
            (interrupted ? "INTERRUPTED after " : "done: ")
                + "\(finished.count) seeds in \(String(format: "%.2f", elapsed)) s "
                + "(\(formatRate(Double(finished.count) / max(elapsed, 1e-9)))seeds/s)"
                + (resumed != nil ? ", \(all) with the resumed ones" : ""))
        let expected = o.originalBoundRate
        for l in summary(request, seedsRun: all, failures, expected: expected) { print(l) }
        if let path = o.junit { try JUnitReport.write(path, request, seedsRun: all, failures) }
        if o.shrink { try shrinkGroups(request, failures, o) }
        let code = exitCode(failures, seedsRun: all, expected: expected)
        if interrupted { return code == Exit.violation ? code : 130 }
        return code
    }

    /// 1 on a violation or an original-bound rate well above the expected one, else 2 on an
    /// unknown verdict, else 0 (original-bound runs at the expected rate pass).
    static func exitCode(_ failures: [CampaignFailure], seedsRun: Int, expected: Double) -> Int32 {
        if failures.contains(where: \.isViolation) { return Exit.violation }
        if originalBound(failures, seedsRun: seedsRun, expected: expected).isWellAbove {
            return Exit.violation
        }
        return failures.contains { !$0.isOriginalBound } ? Exit.unknown : Exit.ok
    }

    /// The original-bound count of `failures` against the expected rate.
    static func originalBound(_ failures: [CampaignFailure], seedsRun: Int, expected: Double)
        -> OriginalBoundRate
    {
        let k = failures.filter(\.isOriginalBound).count
        return OriginalBoundRate(count: k, seeds: max(seedsRun, k), expected: expected)
    }

    /// One failure per seed, the last line written for it (a smallest-trace recording).
    static func dedupe(_ failures: [CampaignFailure]) -> [CampaignFailure] {
        var bySeed: [UInt64: CampaignFailure] = [:]
        for f in failures { bySeed[f.seed] = f }
        return bySeed.keys.sorted().map { bySeed[$0]! }
    }

    /// The summary: counts, then one row per failure signature (no timings: the same for a
    /// resumed campaign, a merge of shards and one uninterrupted run).
    static func summary(
        _ r: RunRequest, seedsRun: Int, _ failures: [CampaignFailure], expected: Double = 0
    ) -> [String] {
        let v = failures.filter(\.isViolation).count
        let bound = originalBound(failures, seedsRun: seedsRun, expected: expected)
        var head =
            "summary \(r.system.name)/\(r.scenario.name): \(seedsRun) seeds, \(v) violations, "
            + "\(failures.count - v - bound.count) unknown"
        // Missed bounds of the original test: a rate, judged against the spec's expectation.
        if bound.count > 0 || expected > 0 { head += ", " + bound.summary }
        return [head] + FailureGroups(failures).lines(request: runArguments(r))
    }

    static func runArguments(_ r: RunRequest) -> String {
        "--system \(r.system.name) --scenario \(r.scenario.name)"
            + r.planted.map { " --plant \($0)" }.joined()
    }

    /// Records `f`'s trace (in a fresh worker); its path and length, or nil when it cannot be
    /// written.
    static func record(
        _ request: RunRequest, _ f: CampaignFailure, _ o: CampaignOptions, _ build: BuildInfo
    ) -> (path: String, lines: Int)? {
        var r = request
        r.seed = f.seed
        let plant = r.planted.isEmpty ? "" : "-" + r.planted.joined(separator: "+")
        let name = r.scenario.name.replacingOccurrences(of: "/", with: "_")
        let path = "\(o.outDir)/\(r.system.name)-\(name)\(plant)-seed\(f.seed).jsonl"
        guard
            let out = try? TraceRecording.record(
                r, source: .seed(f.seed), to: path, isolation: o.isolation, build: build)
        else { return nil }
        if FailureSignature.of(out.verdict) != f.signature {
            // A worker killed from outside (kill -9, the OOM killer) does not die again.
            eprint(
                "  seed \(f.seed): its re-run gave \(describe(out.verdict)), not the campaign's "
                    + "\(f.signature) (a crash from outside the run?); trace \(path)")
        }
        return (path, out.lineCount)
    }

    /// Each group's smallest run gets a trace too (the summary's replay command).
    static func recordSmallest(
        _ request: RunRequest, _ failures: [CampaignFailure], _ o: CampaignOptions,
        _ build: BuildInfo, _ log: ResultsLog?
    ) throws -> [CampaignFailure] {
        var out = failures
        for g in FailureGroups(failures).groups {
            let smallest = g.failures.min { ($0.lines, $0.seed) < ($1.lines, $1.seed) }!
            guard smallest.trace == nil,
                let i = out.firstIndex(where: { $0.seed == smallest.seed })
            else { continue }
            out[i].record(record(request, smallest, o, build))
            log?.append(out[i].json)
        }
        return out
    }

    /// `--shrink`: the smallest trace of each group, shrunk.
    static func shrinkGroups(
        _ request: RunRequest, _ failures: [CampaignFailure], _ o: CampaignOptions
    ) throws {
        for g in FailureGroups(failures).groups {
            guard let path = g.smallest.trace, case .violation(let v) = g.smallest.verdict else {
                continue
            }
            try FuzzCommand.shrinkReport(
                request, path: path, invariant: v.invariant, isolation: o.isolation)
        }
    }
}

/// JUnit XML for CI systems: one test case per failure group (a failure per violation in it),
/// or one passing case when every seed passed.
enum JUnitReport {
    static func write(
        _ path: String, _ r: RunRequest, seedsRun: Int, _ failures: [CampaignFailure]
    ) throws {
        let groups = FailureGroups(failures).groups
        let suite = "dsim fuzz \(r.system.name)/\(r.scenario.name)"
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites>\n"
        xml +=
            "  <testsuite name=\"\(HTMLText.escape(suite, xml: true))\" tests=\"\(max(1, groups.count))\" "
            + "failures=\(quote(failures.count)) errors=\"0\">\n"
        if groups.isEmpty {
            xml += "    <testcase classname=\(q(suite)) name=\"\(seedsRun) seeds pass\"/>\n"
        }
        for g in groups {
            xml += "    <testcase classname=\(q(suite)) name=\(q(g.signature))>\n"
            for f in g.failures.sorted(by: { $0.seed < $1.seed }) {
                let replay = f.trace.map { "dsim replay \($0)" } ?? "no trace written"
                xml +=
                    "      <failure type=\(q(f.verdict.name)) message=\(q("seed \(f.seed)"))>"
                    + HTMLText.escape("\(describe(f.verdict))\n\(replay)", xml: true)
                    + "</failure>\n"
            }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        guard writeTextFile(path, xml) else { throw UsageError("cannot write \(path)") }
    }

    static func quote(_ n: Int) -> String { "\"\(n)\"" }
    static func q(_ s: String) -> String { "\"" + HTMLText.escape(s, xml: true) + "\"" }

}
