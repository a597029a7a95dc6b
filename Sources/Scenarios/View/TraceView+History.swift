// The client history of a key/value run for the viewer's history panel: one operation per `op`
// line (the same lines `dsim history` writes out), each linked to the messages its clerk sent
// and received while it was outstanding — the requests that served it and their replies.
import DSimCore

extension TraceView {
    /// The operations of `parsed` (observation `op` lines), by call time then id.
    static func operations(
        _ parsed: [(line: Int, json: JSON)], messages: [Message], cited: Set<Int>
    ) -> [Operation] {
        var byNode: [Int: [Int]] = [:]
        for (i, m) in messages.enumerated() {
            byNode[m.from, default: []].append(i)
            if m.to != m.from { byNode[m.to, default: []].append(i) }
        }
        var out: [Operation] = []
        for (line, j) in parsed where j["ev"]?.stringValue == "op" {
            guard var op = operation(j, line: line) else { continue }
            op.isCited = cited.contains(line)
            if let n = op.node, let list = byNode[n] {
                let end = op.returnedAt ?? Int.max
                op.served = list.filter { k in
                    let m = messages[k]
                    return m.sentAt >= op.calledAt && m.sentAt <= end
                }.map { messages[$0].line }
            }
            out.append(op)
        }
        out.sort { ($0.calledAt, $0.id) < ($1.calledAt, $1.id) }
        return out
    }

    /// One operation from an `op` line (or a history-format line: `id` for `opId`).
    static func operation(_ j: JSON, line: Int) -> Operation? {
        guard let client = j["client"]?.intValue, let call = j["call"]?.intValue else {
            return nil
        }
        let input = j["input"] ?? .null
        let name = input["op"]?.stringValue ?? "?"
        var args: [String] = []
        if let k = input["key"] { args.append(text(k)) }
        if let v = input["value"] { args.append(quoted(v)) }
        if let from = input["from"] { args.append(quoted(from)) }
        if let to = input["to"] { args.append(quoted(to)) }
        return Operation(
            line: line, id: j["opId"]?.intValue ?? j["id"]?.intValue ?? 0, client: client,
            node: j["node"]?.intValue, calledAt: call, returnedAt: j["return"]?.intValue,
            label: "\(name)(\(args.joined(separator: ", ")))",
            output: outputText(j["output"] ?? .null), served: [], isCited: false)
    }

    static func text(_ v: JSON) -> String { v.stringValue ?? v.serialized }

    static func quoted(_ v: JSON) -> String { v.stringValue.map { "\"\($0)\"" } ?? v.serialized }

    /// `"x 0 1 y"` for a get's value, `ok=true`, `unknown`, or empty for `{}`.
    static func outputText(_ out: JSON) -> String {
        if case .null = out { return "" }
        if let v = out["value"] { return quoted(v) }
        if out["unknown"] != nil { return "unknown" }
        if let ok = out["ok"]?.boolValue { return "ok=\(ok)" }
        if case .object(let m) = out, m.isEmpty { return "" }
        return out.serialized
    }
}

extension TraceView {
    /// The view of a history file (DESIGN §6: a `model` header, then one operation per line):
    /// the history panel alone, no diagram.
    public init(historyLines lines: [String]) {
        header = lines.first.flatMap { try? JSON.parse($0) } ?? .object([])
        lineCount = lines.count
        for (index, text) in lines.enumerated().dropFirst() {
            guard let j = try? JSON.parse(text), let op = Self.operation(j, line: index + 1)
            else { continue }
            operations.append(op)
        }
        operations.sort { ($0.calledAt, $0.id) < ($1.calledAt, $1.id) }
    }

    /// True when `firstLine` is a history header rather than a trace header.
    public static func isHistoryHeader(_ firstLine: String) -> Bool {
        guard let h = try? JSON.parse(firstLine) else { return false }
        return h["dsim"]?.stringValue != "trace" && h["model"]?.stringValue != nil
    }
}
