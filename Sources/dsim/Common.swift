// Helpers shared by the commands: finding systems, scenarios and planted bugs (unknown names
// are usage errors that list the known ones), the build's commit, wall-clock timing for
// progress lines (never used by a simulated path), and writing traces.
import DSimCore
import Foundation
import Scenarios

func lookupSystem(_ name: String?) throws -> SystemEntry {
    let known = Catalog.systems.map(\.name).joined(separator: ", ")
    guard let name else { throw UsageError("--system is required (known: \(known))") }
    guard let s = Catalog.system(name) else {
        throw UsageError("unknown system '\(name)' (known: \(known))")
    }
    return s
}

func lookupScenario(_ system: SystemEntry, _ name: String?) throws -> Scenario {
    let wanted = name ?? system.fuzzScenario
    guard let s = system.scenario(wanted) else {
        let known = system.scenarios.map(\.name).joined(separator: ", ")
        throw UsageError("unknown scenario '\(wanted)' for \(system.name) (known: \(known))")
    }
    return s
}

/// The request `--spec F` names (its system, scenario unless `--scenario` says, params and
/// planted bugs), or `--system S` with `--scenario X` (default: `fallback` of the system, else
/// its fuzz scenario). Seed 0; the caller sets it.
func requestFromSpecOrSystem(
    _ a: Arguments, fallback: (SystemEntry) -> String? = { _ in nil }
) throws -> RunRequest {
    if let path = a.value("spec") {
        let spec = try Spec.load(path)
        let system = try lookupSystem(spec.system)
        var request = RunRequest(
            system: system,
            scenario: try lookupScenario(system, a.value("scenario") ?? spec.scenario), seed: 0)
        request.params = spec.params
        request.planted = spec.planted
        return request
    }
    let system = try lookupSystem(a.value("system"))
    return RunRequest(
        system: system,
        scenario: try lookupScenario(system, a.value("scenario") ?? fallback(system)), seed: 0)
}

func checkPlanted(_ system: SystemEntry, _ names: [String]) throws {
    for n in names where !system.plantedBugs.contains(where: { $0.name == n }) {
        let known = system.plantedBugs.map(\.name).joined(separator: ", ")
        throw UsageError("unknown planted bug '\(n)' for \(system.name) (known: \(known))")
    }
}

/// The most parallel jobs a command accepts.
let jobsMax = 256

/// Checks `request`'s parameters against what its scenario declares (bad input: one line,
/// naming the file when there is one, the key, the value and the allowed range).
func validate(_ request: RunRequest, spec path: String?) throws {
    do {
        try request.scenario.validate(params: request.params)
    } catch let e as ParameterError {
        throw UsageError((path.map { $0 + ": " } ?? "") + e.description)
    }
}

/// The short commit of the working directory's repository, or `unknown`.
let currentCommit: String = {
    // A worker takes its parent's answer: the same, and no git process per worker.
    if let c = getenv("DSIM_COMMIT") { return String(cString: c) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "rev-parse", "--short", "HEAD"]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return "unknown" }
    p.waitUntilExit()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    return p.terminationStatus == 0 && !text.isEmpty ? text : "unknown"
}()

var buildInfo: BuildInfo { BuildInfo(commit: currentCommit) }

/// Wall-clock seconds since some fixed point, for progress and timings only.
func wallSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

func eprint(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

func writeTrace(_ lines: [String], to path: String) throws {
    guard writeTextFile(path, lines.joined(separator: "\n") + "\n") else {
        throw UsageError("cannot write trace to \(path)")
    }
}

func describe(_ v: Verdict) -> String {
    switch v {
    case .ok: return "ok"
    case .violation(let x): return "VIOLATION \(x.invariant): \(x.message)"
    case .unknown(let why): return "UNKNOWN \(why)"
    case .originalBound(let x): return "ORIGINAL-BOUND \(x.invariant): \(x.message)"
    }
}

func exitCode(_ v: Verdict) -> Int32 {
    switch v {
    case .ok: return Exit.ok
    case .violation: return Exit.violation
    case .unknown: return Exit.unknown
    // One run (`run`, `replay`): the original test would have failed on it.
    case .originalBound: return Exit.violation
    }
}

func formatRate(_ n: Double) -> String {
    if n >= 1e6 { return String(format: "%.2f M", n / 1e6) }
    if n >= 1e3 { return String(format: "%.1f k", n / 1e3) }
    return String(format: "%.1f ", n)
}
