// `dsim replay TRACE`: re-executes a trace by feeding its decisions back, compares every line
// the run writes with the file, prints a readable timeline, and exits with the run's verdict —
// or 4, naming the first line that differs, when the run no longer matches the trace (the code
// changed, or the file was edited). For a trace made from a seed, each recorded decision is
// also checked against the seed, so an edited decision is named at its own line.
import DSimCore
import Scenarios

enum ReplayCommand {
    static let help = """
        usage: dsim replay TRACE [--format text|jsonl] [--decisions] [--columns] [--quiet]

          re-execute TRACE and print its timeline (text) or its lines (jsonl)
          --decisions  also show every decision in the text timeline
          --columns    the text timeline with one column per node (dslogs-style; width
                       from $COLUMNS, else 160)
          --quiet      print only the outcome
          --in-process replay in this process (by default a child process replays, so a run
                       that crashes is reported, and compared with a crash the trace recorded)
        exit: 0 the run passed, 1 the same violation reproduced, 2 unknown,
              3 bad input (unreadable, garbled, truncated or foreign file), 4 diverged
        """

    static func run(_ args: [String]) throws -> Int32 {
        if let code = try ReplayInWorker.delegate(args) { return code }  // crash isolation
        let a = try Arguments(
            args, valued: ["format"],
            boolean: ["help", "decisions", "quiet", "in-process", "columns"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.count == 1 else { throw UsageError("expected exactly one TRACE file") }
        let format = a.value("format") ?? "text"
        guard format == "text" || format == "jsonl" else {
            throw UsageError("--format must be text or jsonl")
        }
        let file = try TraceFile.load(a.positionals[0])
        let request = try requestFrom(file)
        let fromSeed = file.header["source"]?.stringValue == "seed"
        let result = Runner.run(
            request, source: .recorded(file.decisions.map { $0.decision.value }), record: true,
            build: buildInfo, verifySeed: fromSeed ? request.seed : nil,
            expectLabels: file.decisions.map { $0.decision.label }, stream: ReplayInWorker.stream)
        if !a.has("quiet") {
            if format == "jsonl" {
                for l in result.lines { print(l) }
            } else if a.has("columns") {
                for l in Timeline.renderColumns(result.lines, width: terminalColumns()) { print(l) }
            } else {
                for l in Timeline.render(result.lines, decisions: a.has("decisions")) { print(l) }
            }
        }
        if let (line, why) = divergence(file, result) {
            print("replay DIVERGED at \(file.path):\(line): \(why)")
            return Exit.diverged
        }
        print("replay matches the trace (\(result.lines.count) lines): \(describe(result.verdict))")
        return exitCode(result.verdict)
    }

    static func requestFrom(_ file: TraceFile) throws -> RunRequest {
        let h = file.header
        let system = try lookupSystem(h["system"]?.stringValue)
        let scenario = try lookupScenario(system, h["scenario"]?.stringValue ?? "")
        var r = RunRequest(
            system: system, scenario: scenario,
            seed: UInt64(bitPattern: Int64(h["seed"]?.intValue ?? 0)))
        r.params = h["params"] ?? .object([])
        r.planted = (h["planted"]?.arrayValue ?? []).compactMap { $0.stringValue }
        try checkPlanted(system, r.planted)
        try validate(r, spec: file.path)
        return r
    }

    /// The first line where the re-run differs from the file, with a reason.
    static func divergence(_ file: TraceFile, _ result: RunResult) -> (Int, String)? {
        var first: (Int, String)?
        if let m = result.firstLabelMismatch, m.index < file.decisions.count {
            first = (
                file.decisions[m.index].line,
                "the run asks for \(m.asked) where the trace recorded \(m.recorded)"
            )
        }
        if let m = result.firstMismatch, m.index < file.decisions.count,
            first.map({ file.decisions[m.index].line < $0.0 }) ?? true
        {
            let d = file.decisions[m.index]
            first = (
                d.line,
                "decision \(d.decision.label) is \(m.recorded) in the trace but the seed gives \(m.expected)"
            )
        }
        let n = max(file.lines.count, result.lines.count)
        for i in 1..<max(n, 1) {
            let want = i < file.lines.count ? file.lines[i] : "(end of trace)"
            let got = i < result.lines.count ? result.lines[i] : "(end of run)"
            if want != got {
                if let f = first, f.0 <= i + 1 { return f }
                return (i + 1, "trace has \(clip(want)) but the run gives \(clip(got))")
            }
        }
        return first
    }

    static func clip(_ s: String) -> String { s.count > 160 ? String(s.prefix(157)) + "..." : s }
}
