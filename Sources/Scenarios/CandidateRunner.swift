// Runs one run after another of the same request — a shrink's candidates — either in this
// process or in a worker process (`WorkerServer`'s `candidate` and `record` requests). In a
// worker, a candidate that traps ends only the worker: it comes back as a `crash` violation
// (the shrinker keeps it when the crash has the input's signature), and its size is measured
// by recording it, in a fresh worker, up to the crash. The worker is replaced every
// `runsPerWorker` runs or once it holds more than `WorkerProcess.residentBytesMax`, so
// whatever a run leaves behind in memory is given back (a weather shrink peaked at 3.3 GB in
// one process: each candidate's parked tasks keep its simulation alive).
import DSimCore
import Foundation

/// Runs the candidates of one request.
public final class CandidateRunner {
    /// Candidate runs a worker serves before it is replaced (a worker is replaced sooner once
    /// it holds more than `WorkerProcess.residentBytesMax`).
    public static let runsPerWorker = 50_000
    let request: RunRequest
    let build: BuildInfo
    /// Where candidates run (nil: in this process).
    public let isolation: Isolation?
    private var worker: WorkerProcess?
    private var served = 0
    /// Record every candidate (streamed by the worker): set when most candidates crash (a
    /// shrink of a crash), so that a crashing candidate is measured by the one run, not by a
    /// second, recorded one.
    public var recordsEveryCandidate = false
    private let scratch = "/tmp/dsim-candidate-\(getpid()).jsonl"

    /// Candidates of `request`, in workers when `isolation` is given.
    public init(_ request: RunRequest, build: BuildInfo, isolation: Isolation?) {
        self.request = request
        self.build = build
        self.isolation = isolation
    }

    deinit { unlink(scratch) }

    /// One candidate, not recorded: its verdict and sizes (`lines` empty).
    public func run(
        _ source: ChoiceSource, lineCap: Int, stepCap: Int, checkIterationsMax: Int?
    ) -> RunResult {
        guard isolation != nil else {
            return Runner.run(
                request, source: source, record: false, build: build, lineCap: lineCap,
                stepCap: stepCap, checkIterationsMax: checkIterationsMax)
        }
        if recordsEveryCandidate {
            var r = record(source)
            r.steps = r.lineCount
            r.lines = []
            return r
        }
        var fields =
            WorkerRequest.fields(request) + [
                ("op", .string("candidate")), ("source", WorkerSource.encode(source)),
                ("lineCap", .int(Int64(min(lineCap, Int(Int64.max))))),
                ("stepCap", .int(Int64(min(stepCap, Int(Int64.max))))),
            ]
        if let c = checkIterationsMax { fields.append(("checkIterationsMax", .int(Int64(c)))) }
        switch exchange(JSON.object(fields).serialized) {
        case .replies(let lines):
            guard let j = lines.first.flatMap({ try? JSON.parse($0) }),
                let v = j["verdict"].flatMap(Verdict.init(json:))
            else {
                return RunResult(
                    verdict: .unknown("no reply"), lines: [], decisions: 0, lineCount: 0)
            }
            return RunResult(
                verdict: v, lines: [], decisions: 0, lineCount: j["lines"]?.intValue ?? 0,
                eventCount: j["events"]?.intValue ?? 0, steps: j["steps"]?.intValue ?? 0,
                virtualTime: VirtualTime(j["vt"]?.intValue ?? 0))
        case .died:
            // Measured by its recording (which dies the same way): lines up to the crash.
            var r = record(source)
            r.steps = r.lineCount
            r.lines = []
            return r
        }
    }

    /// One run recorded: every line (a crash's trace ends with its `crash` verdict line).
    public func record(_ source: ChoiceSource) -> RunResult {
        guard let isolation else {
            return Runner.run(request, source: source, record: true, build: build)
        }
        let outcome: TraceRecording.Outcome
        do {
            outcome = try TraceRecording.record(
                request, source: source, to: scratch, isolation: isolation, build: build,
                isBuffered: !recordsEveryCandidate, exchange: { self.exchange($0) })
        } catch {
            return RunResult(verdict: .unknown("\(error)"), lines: [], decisions: 0, lineCount: 0)
        }
        let lines = (readTextFile(scratch) ?? "").split(separator: "\n").map(String.init)
        let events = lines.reduce(0) { $0 + ($1.hasPrefix("{\"ev\"") ? 1 : 0) }
        return RunResult(
            verdict: outcome.verdict, lines: lines,
            decisions: lines.reduce(0) { $0 + ($1.hasPrefix("{\"dec\"") ? 1 : 0) },
            lineCount: max(0, lines.count - 1), eventCount: events)
    }

    private func exchange(_ line: String) -> WorkerExchange {
        if worker == nil || !worker!.isAlive || served >= Self.runsPerWorker
            || (served % 16 == 0 && worker!.isBloated)
        {
            worker?.stop()
            served = 0
            do {
                worker = try WorkerProcess(
                    executable: isolation!.executable, environment: isolation!.environment)
            } catch {
                return .died([], WorkerDeath(signal: nil, status: 127, stderr: ["\(error)"]))
            }
        }
        served += 1
        return worker!.exchange(line)
    }
}
