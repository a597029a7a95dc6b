// The worker side of crash isolation. A campaign (or a shrink, a replay, an exploration) runs
// the system under test in child processes — the same `dsim` binary re-executed as
// `dsim __worker` — so that a trap, a signal or running out of memory in the system ends one
// child, not the campaign. The parent and a worker talk in JSON lines over the worker's stdin
// and stdout:
//
//   request  {"op":"runs","system":"raft","scenario":"fuzz","params":{},"planted":[],
//             "seeds":[17,18,19]}
//   replies  {"seed":17,"verdict":{…},"lines":…,"events":…,"steps":…,"vt":…}   one per seed,
//            …                                                                    written as
//            {"end":true}                                                         each ends
//
//   request  {"op":"record", …the run…, "seed":17, "path":"out/x.jsonl"}
//            runs the seed with recording on, writing the header and then every line to
//            `path` as it is made (one write each: a crash leaves every line before it);
//   request  {"op":"candidate", …the run…, "source":{…}, "lineCap":…, "stepCap":…,
//             "checkIterationsMax":…}        one shrink candidate (`WorkerSource`)
//   request  {"op":"explore", …the run…, "bound":2, "slice":0, "slices":2, "runsMax":…,
//             "marker":"/tmp/…", "pruning":true, "lanes":[…]}   one slice of an exploration
//            (`Explorer+Campaign`): {"progress":{…}} lines, then {"result":{…}}
//
// A reply is written the moment its run ends, so when a worker dies the parent knows exactly
// which seed of a batch it was running: the first one without a reply.
import DSimCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Serves worker requests on stdin/stdout until stdin closes.
public enum WorkerServer {
    /// Test hook: a worker whose environment names a seed in `testOnly_killAtSeed` kills
    /// itself with SIGKILL when it starts that seed (how the tests prove a `kill -9` is
    /// reported as a crash of the seed being run).
    public static let testOnly_killAtSeed = "DSIM_TEST_KILL_WORKER_AT_SEED"

    /// Reads requests from fd 0 and answers on fd 1 until end of input; returns the exit code.
    public static func serve(build: BuildInfo) -> Int32 {
        // The parent decides when a worker stops: a Ctrl-C at the terminal reaches the whole
        // process group, and the parent must get to print its summary first.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let killAt = getenv(testOnly_killAtSeed).flatMap { UInt64(String(cString: $0)) }
        var reader = LineReader(fd: 0)
        while let line = reader.next() {
            guard let request = try? JSON.parse(line) else {
                writeLine(1, #"{"error":"not JSON"}"#)
                return 3
            }
            do {
                try handle(request, build: build, killAt: killAt)
            } catch {
                writeLine(1, JSON.object([("error", .string("\(error)"))]).serialized)
            }
            writeLine(1, #"{"end":true}"#)
        }
        return 0
    }

    static func handle(_ j: JSON, build: BuildInfo, killAt: UInt64?) throws {
        let request = try WorkerRequest.runRequest(j)
        switch j["op"]?.stringValue {
        case "runs":
            for s in j["seeds"]?.arrayValue ?? [] {
                guard let n = s.intValue else { continue }
                var r = request
                r.seed = UInt64(bitPattern: Int64(n))
                if r.seed == killAt { kill(getpid(), SIGKILL) }
                let result = Runner.run(r, source: .seed(r.seed), record: false, build: build)
                writeLine(1, reply(seed: r.seed, result).serialized)
            }
        case "record":
            guard let path = j["path"]?.stringValue, let n = j["seed"]?.intValue else {
                throw WorkerError.bad("record needs seed and path")
            }
            var r = request
            r.seed = UInt64(bitPattern: Int64(n))
            let source = try j["source"].map(WorkerSource.decode) ?? .seed(r.seed)
            let result = try recordStreaming(
                r, source: source, to: path, build: build,
                isBuffered: j["buffered"]?.boolValue ?? false)
            writeLine(1, reply(seed: r.seed, result).serialized)
        case "candidate":
            guard let s = j["source"] else { throw WorkerError.bad("candidate needs source") }
            let result = Runner.run(
                request, source: try WorkerSource.decode(s), record: false, build: build,
                lineCap: j["lineCap"]?.intValue ?? .max, stepCap: j["stepCap"]?.intValue ?? .max,
                checkIterationsMax: j["checkIterationsMax"]?.intValue)
            writeLine(1, reply(seed: request.seed, result).serialized)
        case "explore":
            writeLine(1, try Explorer.serveSlice(j, request, build: build))
        default:
            throw WorkerError.bad("unknown op")
        }
    }

    /// Runs with recording on, each line written to `path` as it is made — or, `isBuffered`
    /// (a run not expected to crash: a shrink's re-recordings), 256 KB at a time, which costs
    /// a tenth of the system time of a write per line.
    static func recordStreaming(
        _ r: RunRequest, source: ChoiceSource, to path: String, build: BuildInfo,
        isBuffered: Bool = false
    ) throws -> RunResult {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WorkerError.bad("cannot write \(path)") }
        defer { close(fd) }
        guard isBuffered else {
            return Runner.run(
                r, source: source, record: true, build: build,
                verifySeed: nil, stream: { writeLine(fd, $0) })
        }
        var buffer = ""
        let result = Runner.run(
            r, source: source, record: true, build: build, verifySeed: nil,
            stream: { line in
                buffer += line
                buffer += "\n"
                if buffer.utf8.count >= 1 << 18 {
                    writeAll(fd, buffer)
                    buffer = ""
                }
            })
        writeAll(fd, buffer)
        return result
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        guard !text.isEmpty else { return }
        writeLine(fd, String(text.dropLast()))
    }

    static func reply(seed: UInt64, _ r: RunResult) -> JSON {
        .object([
            ("seed", .int(Int64(bitPattern: seed))), ("verdict", r.verdict.json),
            ("lines", .int(Int64(r.lineCount))), ("events", .int(Int64(r.eventCount))),
            ("steps", .int(Int64(r.steps))), ("vt", .int(Int64(r.virtualTime))),
            ("peak", .int(Int64(r.peakEventsPerSecond))),
        ])
    }

    /// Writes `line` and a newline with as few `write` calls as it takes (no buffer to lose).
    public static func writeLine(_ fd: Int32, _ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(10)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            done += n
        }
    }
}

/// A malformed worker request (a bug of the parent, reported as an error reply).
enum WorkerError: Error {
    /// What was wrong.
    case bad(String)
}

/// The run part of a request: which system and scenario, with what parameters and bugs.
public enum WorkerRequest {
    /// The request's fields for `request` (its seed too).
    public static func fields(_ request: RunRequest) -> [(String, JSON)] {
        [
            ("system", .string(request.system.name)),
            ("scenario", .string(request.scenario.name)), ("params", request.params),
            ("planted", .array(request.planted.map { .string($0) })),
            ("seed", .int(Int64(bitPattern: request.seed))),
        ]
    }

    static func runRequest(_ j: JSON) throws -> RunRequest {
        guard let system = Catalog.system(j["system"]?.stringValue ?? ""),
            let scenario = system.scenario(j["scenario"]?.stringValue ?? "")
        else { throw WorkerError.bad("unknown system or scenario") }
        var r = RunRequest(
            system: system, scenario: scenario,
            seed: UInt64(bitPattern: Int64(j["seed"]?.intValue ?? 0)))
        r.params = j["params"] ?? .object([])
        r.planted = (j["planted"]?.arrayValue ?? []).compactMap(\.stringValue)
        return r
    }
}

/// A `ChoiceSource` on the wire. Decision lists are comma-separated text, not JSON arrays:
/// a shrink sends one per candidate, and text of digits is several times cheaper to parse.
public enum WorkerSource {
    /// `source` as JSON.
    public static func encode(_ source: ChoiceSource) -> JSON {
        switch source {
        case .seed(let s): return .object([("seed", .int(Int64(bitPattern: s)))])
        case .recorded(let d): return .object([("recorded", .string(text(d)))])
        case .recordedThenSeed(let d, let s):
            return .object([
                ("recorded", .string(text(d))), ("then", .int(Int64(bitPattern: s))),
            ])
        case .lanes(let l): return .object([("lanes", lanes(l))])
        case .lanesThenSeed(let l, let s):
            return .object([("lanes", lanes(l)), ("then", .int(Int64(bitPattern: s)))])
        }
    }

    /// The source `j` encodes.
    public static func decode(_ j: JSON) throws -> ChoiceSource {
        let then = j["then"]?.intValue.map { UInt64(bitPattern: Int64($0)) }
        if let s = j["seed"]?.intValue { return .seed(UInt64(bitPattern: Int64(s))) }
        if let r = j["recorded"]?.stringValue {
            let d = values(r)
            return then.map { .recordedThenSeed(d, then: $0) } ?? .recorded(d)
        }
        if case .object(let members)? = j["lanes"] {
            var l: [String: [UInt64]] = [:]
            for (k, v) in members { l[k] = values(v.stringValue ?? "") }
            return then.map { .lanesThenSeed(l, then: $0) } ?? .lanes(l)
        }
        throw WorkerError.bad("unknown source")
    }

    static func lanes(_ l: [String: [UInt64]]) -> JSON {
        .object(l.keys.sorted().map { ($0, .string(text(l[$0]!))) })
    }

    static func text(_ d: [UInt64]) -> String { d.map(String.init).joined(separator: ",") }

    static func values(_ s: String) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(s.utf8.count / 2)
        var v: UInt64 = 0
        var any = false
        for b in s.utf8 {
            if b == 44 {
                out.append(v)
                v = 0
                any = false
            } else {
                v = v &* 10 &+ UInt64(b &- 48)
                any = true
            }
        }
        if any { out.append(v) }
        return out
    }
}

/// Lines read from a file descriptor, with our own buffer (no Foundation, no threads).
public struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var isAtEnd = false

    /// A reader of `fd`.
    public init(fd: Int32) { self.fd = fd }

    /// The next line without its newline; nil at end of input (a last line without a newline
    /// is dropped: it was cut short).
    public mutating func next() -> String? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 10) {
                let line = String(decoding: buffer[start..<nl], as: UTF8.self)
                start = nl + 1
                if start > 1 << 16 {
                    buffer.removeFirst(start)
                    start = 0
                }
                return line
            }
            if isAtEnd { return nil }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                isAtEnd = true
                continue
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
