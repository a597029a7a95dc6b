import DSimCheck
// `dsim bench`: throughput in release — the kernel (sans-IO messages/s beside a bare event
// loop, async job runs/s), the linearizability checker, every system's ported tests together
// (wall time) and its fuzz scenario (seeds/s).
import DSimCore
import Foundation
import Scenarios

enum BenchCommand {
    static let help = """
        usage: dsim bench [--system S] [--seeds K] [--skip-kernel] [--skip-checker]

          prints throughput figures; build with -c release (make bench does)
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(
            args, valued: ["system", "seeds"], boolean: ["help", "skip-kernel", "skip-checker"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        let build = buildInfo
        print("bench: commit=\(build.commit) \(build.toolchain) \(build.config)")
        if build.config != "release" {
            print("bench: WARNING: debug build; numbers are 10-30x low")
        }
        if !a.has("skip-kernel") && a.value("system") == nil {
            for l in KernelBench.run() { print(l) }
        }
        if !a.has("skip-checker") && a.value("system") == nil {
            for l in CheckerBench.run() { print(l) }  // the repository's histories/porcupine
        }
        let systems =
            a.value("system") == nil ? Catalog.systems : [try lookupSystem(a.value("system"))]
        let seeds = try a.positive("seeds", 200)
        for s in systems { benchSystem(s, seeds: seeds, build: build) }
        if a.value("system") == nil || a.value("system") == "raft" { try benchExplore(build) }
        return Exit.ok
    }

    /// `dsim explore` on specs/raft/explore-3.json at bound 2 (runs/s and distinct states/s),
    /// next to fuzz's seeds/s of the same scenario and parameters.
    static func benchExplore(_ build: BuildInfo) throws {
        let raft = try lookupSystem("raft")
        var request = RunRequest(
            system: raft, scenario: try lookupScenario(raft, "explore"), seed: 0)
        request.params = try Spec.load("specs/raft/explore-3.json").params
        let t0 = wallSeconds()
        let report = Explorer.run(request, ExploreOptions(bound: 2), build: build)
        let dt = wallSeconds() - t0
        print(
            String(
                format:
                    "raft: explore explore-3 bound 2 %.2f s: %d runs (%.0f runs/s), %d states of "
                    + "bound 2 (%.0f states/s), %d pruned (1 thread)",
                dt, report.runs, Double(report.runs) / dt, report.distinctStates,
                Double(report.distinctStates) / dt, report.pruned))
        // The same search with the system in a worker process (crash isolation, the default).
        let t2 = wallSeconds()
        let isolated = Explorer.run(
            request, ExploreOptions(bound: 2), jobs: 1,
            isolation: Isolation(executable: selfExecutable), build: build)
        let it = wallSeconds() - t2
        print(
            String(
                format:
                    "raft: explore explore-3 bound 2 isolated %.2f s: %d runs (%.0f runs/s, "
                    + "%.0f%% of in-process)",
                it, isolated.runs, Double(isolated.runs) / it,
                100 * (Double(isolated.runs) / it) / (Double(report.runs) / dt)))
        let t1 = wallSeconds()
        let seeds = 2000
        for seed in 1...UInt64(seeds) {
            var r = request
            r.seed = seed
            _ = Runner.run(r, source: .seed(seed), record: false, build: build)
        }
        let ft = wallSeconds() - t1
        print(
            String(
                format: "raft: fuzz explore-3 %d seeds %.2f s: %.0f runs/s (1 thread)", seeds, ft,
                Double(seeds) / ft))
    }

    static func benchSystem(_ s: SystemEntry, seeds: Int, build: BuildInfo) {
        let ports = s.scenarios.filter { $0.portOf != nil }
        var failed = 0
        let t0 = wallSeconds()
        for p in ports {
            let r = Runner.run(
                RunRequest(system: s, scenario: p, seed: 1), source: .seed(1), record: false,
                build: build)
            if r.verdict != .ok { failed += 1 }
        }
        let portTime = wallSeconds() - t0
        print(
            String(
                format: "%@: %d ports together %.2f s wall (%d failed)", s.name, ports.count,
                portTime, failed))
        guard let fuzz = s.scenario(s.fuzzScenario) else { return }
        let t1 = wallSeconds()
        var lines = 0
        for seed in 1...UInt64(seeds) {
            let r = Runner.run(
                RunRequest(system: s, scenario: fuzz, seed: seed), source: .seed(seed),
                record: false, build: build)
            lines += r.lineCount
        }
        let dt = wallSeconds() - t1
        print(
            String(
                format: "%@: fuzz %d seeds %.2f s: %.1f seeds/s, %.0f trace events/s (1 thread)",
                s.name, seeds, dt, Double(seeds) / dt, Double(lines) / dt))
        benchClientOps(s, fuzz, build: build)
    }

    /// Client operations per second, for systems whose traces record them (`op` events): the
    /// fuzz scenario over 20 seeds with recording on (so a little slower than fuzzing).
    static func benchClientOps(_ s: SystemEntry, _ fuzz: Scenario, build: BuildInfo) {
        let t0 = wallSeconds()
        var ops = 0
        for seed in UInt64(1)...20 {
            let r = Runner.run(
                RunRequest(system: s, scenario: fuzz, seed: seed), source: .seed(seed),
                record: true,
                build: build)
            ops += r.lines.filter { $0.contains("\"ev\":\"op\"") }.count
        }
        guard ops > 0 else { return }
        let dt = wallSeconds() - t0
        print(
            String(
                format:
                    "%@: %d client operations in 20 fuzz seeds, %.0f ops/s (recording, 1 thread)",
                s.name, ops, Double(ops) / dt))
    }
}
