// Writing a run's trace to a file, in a fresh worker process when isolated: the worker writes
// every line as it is made, so a run that crashes leaves its trace up to the last line before
// the crash; the parent then adds a `crash` verdict line (the signal and what the worker said
// on stderr). `dsim replay` of such a trace re-runs it in a worker and expects the same crash.
import DSimCore
import Foundation

/// Records runs to trace files.
public enum TraceRecording {
    /// What a recording gave.
    public struct Outcome {
        /// The verdict (a `crash` violation when the worker died).
        public var verdict: Verdict
        /// Lines in the file, header and verdict included.
        public var lineCount: Int
    }

    /// Runs `request` from `source` with recording on and writes its trace to `path`.
    public static func record(
        _ request: RunRequest, source: ChoiceSource, to path: String, isolation: Isolation?,
        build: BuildInfo, isBuffered: Bool = false,
        exchange: ((String) -> WorkerExchange)? = nil
    ) throws -> Outcome {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true)
        }
        guard let isolation else {
            let r = Runner.run(request, source: source, record: true, build: build)
            guard writeTextFile(path, r.lines.joined(separator: "\n") + "\n") else {
                throw WorkerStartError(description: "cannot write trace to \(path)")
            }
            return Outcome(verdict: r.verdict, lineCount: r.lines.count)
        }
        var fields = WorkerRequest.fields(request)
        fields += [
            ("op", .string("record")), ("path", .string(path)),
            ("source", WorkerSource.encode(source)), ("buffered", .bool(isBuffered)),
        ]
        // A fresh worker, unless the caller lends one of its own (`exchange`).
        let fresh =
            exchange == nil
            ? try WorkerProcess(
                executable: isolation.executable, environment: isolation.environment)
            : nil
        defer { fresh?.stop() }
        let send = exchange ?? { fresh!.exchange($0) }
        switch send(JSON.object(fields).serialized) {
        case .replies(let lines):
            guard let o = lines.first.flatMap(Campaign.parseOutcome) else {
                throw WorkerStartError(description: "worker gave no verdict: \(lines)")
            }
            return Outcome(verdict: o.verdict, lineCount: countLines(path))
        case .died(_, let death):
            let verdict = Verdict.violation(death.violation)
            appendLine(path, verdict.json.serialized)
            return Outcome(verdict: verdict, lineCount: countLines(path))
        }
    }

    static func appendLine(_ path: String, _ line: String) {
        guard let h = FileHandle(forWritingAtPath: path) else { return }
        defer { try? h.close() }
        _ = try? h.seekToEnd()
        h.write(Data((line + "\n").utf8))
    }

    static func countLines(_ path: String) -> Int {
        guard let d = FileManager.default.contents(atPath: path) else { return 0 }
        return d.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }
}
