// The timeline in one column per node, as the 6.5840 staff's `dslogs` prints a lab's logs: a
// row per observation, written in the column of the node it happened on, so what each node did
// reads downwards and an exchange reads across. World events (partition, heal, setup) get a
// column of their own, first. The violation's cited rows are marked `>>`.
//
//      line     time        │ n0                      │ n1                      │ n2
//      L12    0.300000s     │ candidate t1            │                         │
//      L15    0.300000s     │                         │ ← n0 RequestVote term=1 │
//   >> L213   1.000001s     │ commit index=1          │                         │
import DSimCore

extension Timeline {
    /// Renders `lines` (line 1 the header) with a column per node, `width` characters wide in
    /// all (columns are at least 16 wide; text longer than its column is cut with `…`).
    public static func renderColumns(_ lines: [String], width: Int = 160) -> [String] {
        var cited = Set<Int>()
        var events: [(line: Int, json: JSON)] = []
        var verdict: JSON?
        var lanes = Set<Int>()
        for (index, text) in lines.enumerated().dropFirst() {
            guard let j = try? JSON.parse(text) else { continue }
            if j["ev"] != nil {
                events.append((index + 1, j))
                lanes.insert(j["node"]?.intValue ?? -1)
            } else if j["verdict"] != nil {
                verdict = j
                for e in j["events"]?.arrayValue ?? [] { if let n = e.intValue { cited.insert(n) } }
            }
        }
        let order = lanes.sorted()
        let left = 22
        let column = max(16, (width - left) / max(1, order.count) - 3)
        var out: [String] = []
        if let h = lines.first.flatMap({ try? JSON.parse($0) }) { out.append(headerLine(h)) }
        let names = order.map { $0 < 0 ? "world" : "n\($0)" }
        out.append(row(pad("   line", 10) + pad("time", 12), names, column))
        for (line, e) in events {
            let lane = order.firstIndex(of: e["node"]?.intValue ?? -1) ?? 0
            var cells = Array(repeating: "", count: order.count)
            cells[lane] = columnText(e)
            let mark = cited.contains(line) ? ">> " : "   "
            let t = formatTime(VirtualTime(e["t"]?.intValue ?? 0))
            out.append(row(pad(mark + "L\(line)", 10) + pad(t, 12), cells, column))
        }
        if let v = verdict { out.append(contentsOf: verdictLines(v).flatMap { wrap($0, width) }) }
        return out
    }

    /// `text` cut into rows of at most `width` characters (a long violation message), the
    /// continuation rows indented.
    static func wrap(_ text: String, _ width: Int) -> [String] {
        guard text.count > width, width > 8 else { return [text] }
        var rows = [String(text.prefix(width))]
        var rest = text.dropFirst(width)
        while !rest.isEmpty {
            rows.append("    " + rest.prefix(width - 4))
            rest = rest.dropFirst(width - 4)
        }
        return rows
    }

    /// One row: the left part, then each cell cut or padded to `column`.
    static func row(_ left: String, _ cells: [String], _ column: Int) -> String {
        var s = left
        for c in cells {
            let cut = c.count > column ? String(c.prefix(column - 1)) + "…" : c
            s += "│ " + pad(cut, column) + " "
        }
        while s.last == " " { s.removeLast() }
        return s
    }

    /// An event's text in its node's column: `← n0 RequestVote term=1` for a receive,
    /// `→ n2 ✗ AppendEntries …` for a drop, `leader t3` for a role, else `ev key=value …`.
    static func columnText(_ e: JSON) -> String {
        let ev = e["ev"]?.stringValue ?? "?"
        var skip: Set<String> = ["ev", "t", "node"]
        var head = ev
        switch ev {
        case "recv":
            head = "← n\(e["from"]?.intValue ?? -1) \(e["msg"]?.stringValue ?? "?")"
            skip.formUnion(["from", "msg"])
        case "drop":
            head = "→ n\(e["to"]?.intValue ?? -1) ✗ \(e["msg"]?.stringValue ?? "?")"
            skip.formUnion(["to", "msg"])
        case "role":
            head = "\(e["role"]?.stringValue ?? "?") t\(e["term"]?.intValue ?? -1)"
            skip.formUnion(["role", "term"])
        default: break
        }
        var fields: [String] = []
        if case .object(let members) = e {
            for (k, v) in members.sorted(by: { $0.0 < $1.0 }) where !skip.contains(k) {
                fields.append("\(k)=\(short(v))")
            }
        }
        return ([head] + fields).joined(separator: " ")
    }
}
