// What a campaign found, as data that outlives it: one JSON line per seed that did not pass,
// streamed to `--results FILE` as it is found (and flushed), a header naming the campaign, and
// a closing line with the seeds that finished. `--resume FILE` reads it back and runs only
// the seeds left; `dsim merge` combines the files of shards. The summary — one row per failure
// signature — is computed from these lines alone, so an interrupted-then-resumed campaign, the
// merge of its shards and an uninterrupted run print the same one.
//
//   {"campaign":{"system":"raft","scenario":"fuzz","params":{},"planted":[],"seed":1,
//                "seeds":2000,"shard":"1/4"}}
//   {"seed":17,"verdict":"violation","invariant":"…","message":"…","signature":"…",
//    "lines":706,"trace":"traces/out/raft-fuzz-seed17.jsonl"}
//   {"finished":"1-17,19-400"}
import DSimCore
import Foundation
import Scenarios

/// One seed that did not pass.
struct CampaignFailure {
    var seed: UInt64
    var verdict: Verdict
    var lines: Int
    var trace: String?

    var signature: String { FailureSignature.of(verdict) ?? "ok" }
    var isViolation: Bool { if case .violation = verdict { return true } else { return false } }
    /// A missed bound of the original test (counted as a rate, not as a violation).
    var isOriginalBound: Bool {
        if case .originalBound = verdict { return true } else { return false }
    }

    var json: JSON {
        var invariant = JSON.null
        var message = ""
        switch verdict {
        case .violation(let v), .originalBound(let v):
            invariant = .string(v.invariant)
            message = v.message
        case .unknown(let why): message = why
        case .ok: break
        }
        return .object([
            ("seed", .int(Int64(bitPattern: seed))), ("verdict", .string(verdict.name)),
            ("invariant", invariant), ("message", .string(message)),
            ("signature", .string(signature)), ("lines", .int(Int64(lines))),
            ("trace", trace.map { .string($0) } ?? .null),
        ])
    }

    /// Takes the trace just written for it; a crashed run, counted at 0 lines by the
    /// campaign (its worker died before saying), gets the length of its trace.
    mutating func record(_ written: (path: String, lines: Int)?) {
        guard let written else { return }
        trace = written.path
        if lines == 0 { lines = written.lines }
    }

    init(seed: UInt64, verdict: Verdict, lines: Int, trace: String?) {
        self.seed = seed
        self.verdict = verdict
        self.lines = lines
        self.trace = trace
    }

    init?(_ j: JSON) {
        guard let s = j["seed"]?.intValue, let name = j["verdict"]?.stringValue else { return nil }
        seed = UInt64(bitPattern: Int64(s))
        let message = j["message"]?.stringValue ?? ""
        switch name {
        case "violation":
            verdict = .violation(Violation(j["invariant"]?.stringValue ?? "?", message))
        case "unknown": verdict = .unknown(message)
        case "original-bound":
            verdict = .originalBound(Violation(j["invariant"]?.stringValue ?? "?", message))
        default: return nil
        }
        lines = j["lines"]?.intValue ?? 0
        trace = j["trace"]?.stringValue
    }
}

/// The results file of one campaign, written line by line.
final class ResultsLog {
    let path: String
    private let handle: FileHandle
    private let lock = NSLock()

    /// Opens `path` for appending (creating it), writing `header` first when it is new.
    init(_ path: String, header: JSON) throws {
        self.path = path
        let isNew = !FileManager.default.fileExists(atPath: path)
        if isNew {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw UsageError("cannot create results file \(path)")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw UsageError("cannot write results file \(path)")
        }
        handle = h
        _ = try? handle.seekToEnd()
        if isNew { append(.object([("campaign", header)])) }
    }

    deinit { try? handle.close() }

    /// Appends one line and flushes it to the file.
    func append(_ j: JSON) {
        lock.withLock {
            handle.write(Data((j.serialized + "\n").utf8))
            try? handle.synchronize()
        }
    }
}

/// A results file read back.
struct CampaignRecord {
    var header: JSON
    var failures: [CampaignFailure] = []
    var finished = Set<UInt64>()

    static func load(_ path: String) throws -> CampaignRecord {
        guard let text = readTextFile(path) else { throw UsageError("cannot read \(path)") }
        var record: CampaignRecord?
        for (n, line) in text.split(separator: "\n").enumerated() {
            guard let j = try? JSON.parse(String(line)) else {
                // A line cut short by a kill is the last one; anything else is not ours.
                if n == text.split(separator: "\n").count - 1 { break }
                throw UsageError("\(path):\(n + 1): not a results line")
            }
            if let h = j["campaign"] {
                if record == nil { record = CampaignRecord(header: h) }
            } else if let f = j["finished"]?.stringValue {
                record?.finished.formUnion(try SeedRanges.parse(f, path: path))
            } else if let failure = CampaignFailure(j) {
                record?.failures.append(failure)
            }
        }
        guard let r = record else { throw UsageError("\(path): no campaign header line") }
        return r
    }
}

/// Sets of seeds as text: `1-17,19,21-400`.
enum SeedRanges {
    static func format(_ seeds: [UInt64]) -> String {
        var parts: [String] = []
        var i = 0
        let s = seeds.sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] &+ 1 { j += 1 }
            parts.append(i == j ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    static func parse(_ text: String, path: String) throws -> Set<UInt64> {
        var out = Set<UInt64>()
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-").compactMap { UInt64($0) }
            guard ends.count == 1 || ends.count == 2, ends.first! <= ends.last!,
                ends.last! - ends.first! < 100_000_000
            else { throw UsageError("\(path): bad seed range '\(part)'") }
            out.formUnion(ends.first!...ends.last!)
        }
        return out
    }
}

/// Violations and unknowns grouped by signature: the summary every campaign command prints.
struct FailureGroups {
    struct Group {
        var signature: String
        var failures: [CampaignFailure]
        var first: CampaignFailure { failures.min { $0.seed < $1.seed }! }
        /// The smallest run with a trace (by lines, then seed), else the smallest run.
        var smallest: CampaignFailure {
            let key = { (f: CampaignFailure) in (f.trace == nil ? 1 : 0, f.lines, f.seed) }
            return failures.min { key($0) < key($1) }!
        }
    }

    var groups: [Group]

    init(_ failures: [CampaignFailure]) {
        var bySignature: [String: [CampaignFailure]] = [:]
        for f in failures { bySignature[f.signature, default: []].append(f) }
        groups = bySignature.map { Group(signature: $0.key, failures: $0.value) }.sorted {
            ($1.failures.count, $0.first.seed) < ($0.failures.count, $1.first.seed)
        }
    }

    /// One row per group: count, first seed, smallest trace and how to replay it.
    func lines(request: String) -> [String] {
        guard !groups.isEmpty else { return [] }
        var out = ["failure groups (\(groups.count)):"]
        for g in groups {
            let s = g.smallest
            out.append(
                String(format: "  %5dx  ", g.failures.count) + g.signature)
            out.append(
                "          first seed \(g.first.seed), smallest seed \(s.seed) (\(s.lines) lines)")
            if let t = s.trace {
                out.append("          replay: dsim replay \(t)")
            } else {
                out.append("          run:    dsim run \(request) --seed \(s.seed) --trace t.jsonl")
            }
        }
        return out
    }
}

/// The run request a results file's header names.
enum WorkerRequestDecoding {
    static func request(_ h: JSON, path: String) throws -> RunRequest {
        let system = try lookupSystem(h["system"]?.stringValue)
        var r = RunRequest(
            system: system, scenario: try lookupScenario(system, h["scenario"]?.stringValue),
            seed: 0)
        r.params = h["params"] ?? .object([])
        r.planted = (h["planted"]?.arrayValue ?? []).compactMap(\.stringValue)
        try checkPlanted(system, r.planted)
        try validate(r, spec: path)
        return r
    }
}
