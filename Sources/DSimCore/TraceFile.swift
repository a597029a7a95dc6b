// Reading a trace file back: the header, the decisions (to feed a replay), the observation
// lines (to compare against), and the verdict. Bad input — an empty file, a garbled or
// truncated line, a file that is not a DSim trace — is a `TraceFileError` naming the file and
// line, never a crash.

/// Why a trace file cannot be used.
public enum TraceFileError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadable(path: String)
    /// The file is empty.
    case empty(path: String)
    /// A line is not valid JSON.
    case garbled(path: String, line: Int, reason: String)
    /// Line 1 is not a DSim trace header.
    case foreign(path: String, reason: String)
    /// A line is JSON but not a decision, observation or verdict.
    case badLine(path: String, line: Int, reason: String)
    /// The last line is not a verdict: the file was cut short.
    case truncated(path: String, line: Int)

    /// One line: `file:line: reason`.
    public var description: String {
        switch self {
        case .unreadable(let p): return "\(p): cannot read file"
        case .empty(let p): return "\(p): empty file, not a DSim trace"
        case .garbled(let p, let l, let r): return "\(p):\(l): not JSON (\(r))"
        case .foreign(let p, let r): return "\(p):1: not a DSim trace (\(r))"
        case .badLine(let p, let l, let r): return "\(p):\(l): \(r)"
        case .truncated(let p, let l):
            return "\(p):\(l): trace is truncated (no verdict line at the end)"
        }
    }
}

/// A parsed trace file.
public struct TraceFile {
    /// The file's path, for messages.
    public var path: String
    /// Line 1.
    public var header: JSON
    /// Every line's text, in order (index 0 is line 1).
    public var lines: [String]
    /// The decision values in order, with their line numbers.
    public var decisions: [(line: Int, decision: Decision)]
    /// The final verdict.
    public var verdict: Verdict

    /// Parses trace text; `path` is used in error messages.
    public init(text: String, path: String) throws {
        self.path = path
        var raw = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = raw.last, last.isEmpty { raw.removeLast() }
        guard !raw.isEmpty else { throw TraceFileError.empty(path: path) }
        lines = raw
        let head: JSON
        do { head = try JSON.parse(raw[0]) } catch let e as JSONParseError {
            throw TraceFileError.foreign(path: path, reason: e.description)
        }
        guard head["dsim"]?.stringValue == "trace" else {
            throw TraceFileError.foreign(path: path, reason: "no \"dsim\":\"trace\" header")
        }
        guard head["version"]?.intValue == 1 else {
            throw TraceFileError.foreign(path: path, reason: "unsupported trace version")
        }
        header = head
        decisions = []
        var found: Verdict?
        for (index, text) in raw.enumerated().dropFirst() {
            let number = index + 1
            let obj: JSON
            do { obj = try JSON.parse(text) } catch let e as JSONParseError {
                if index == raw.count - 1 {
                    throw TraceFileError.truncated(path: path, line: number)
                }
                throw TraceFileError.garbled(path: path, line: number, reason: e.description)
            }
            if found != nil {
                throw TraceFileError.badLine(
                    path: path, line: number, reason: "line after the verdict")
            }
            if let label = obj["dec"]?.stringValue {
                guard let of = obj["of"]?.intValue, let v = obj["v"]?.intValue, of >= 1, v >= 0
                else {
                    throw TraceFileError.badLine(
                        path: path, line: number, reason: "decision needs integer \"of\" and \"v\"")
                }
                decisions.append(
                    (number, Decision(label: label, bound: UInt64(of), value: UInt64(v))))
            } else if obj["ev"]?.stringValue != nil {
                continue
            } else if obj["verdict"] != nil {
                guard let v = Verdict(json: obj) else {
                    throw TraceFileError.badLine(path: path, line: number, reason: "bad verdict")
                }
                found = v
            } else {
                throw TraceFileError.badLine(
                    path: path, line: number, reason: "neither decision, event nor verdict")
            }
        }
        guard let v = found else { throw TraceFileError.truncated(path: path, line: raw.count) }
        verdict = v
    }

    /// Reads and parses the file at `path`.
    public static func load(_ path: String) throws -> TraceFile {
        guard let text = readTextFile(path) else { throw TraceFileError.unreadable(path: path) }
        return try TraceFile(text: text, path: path)
    }
}
