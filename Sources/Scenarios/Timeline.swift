// A readable timeline of a trace: virtual time, node, event; message arrows between nodes;
// role and term changes as they are written; the verdict, with the events it cites marked.
//
//      0.512s  n2 ← n0   RequestVote term=2 lastLogIndex=0
//   >> 1.020s  n1        role leader term=3           (cited by the violation: line 212)
//      1.020s  n0 → n3 ✗ dropped AppendEntries term=3
import DSimCore

/// Formats trace lines for people.
public enum Timeline {
    /// Renders `lines` (line 1 = header). Decisions are shown only with `decisions`.
    public static func render(_ lines: [String], decisions: Bool = false) -> [String] {
        var cited = Set<Int>()
        if let last = lines.last, let v = try? JSON.parse(last),
            let events = v["events"]?.arrayValue
        {
            for e in events { if let n = e.intValue { cited.insert(n) } }
        }
        var out: [String] = []
        for (index, text) in lines.enumerated() {
            guard let obj = try? JSON.parse(text) else {
                out.append("?? \(text)")
                continue
            }
            let number = index + 1
            if number == 1 {
                out.append(headerLine(obj))
            } else if let label = obj["dec"]?.stringValue {
                if decisions {
                    let t = formatTime(VirtualTime(obj["t"]?.intValue ?? 0))
                    let v = obj["v"]?.intValue ?? 0
                    let of = obj["of"]?.intValue ?? 0
                    out.append(
                        pad("   \(t)", 12) + "  ·  decide \(label) = \(v) of \(of)   [L\(number)]")
                }
            } else if obj["verdict"] != nil {
                out.append(contentsOf: verdictLines(obj))
            } else {
                let mark = cited.contains(number) ? ">> " : "   "
                out.append(mark + eventLine(obj, number: number))
            }
        }
        return out
    }

    static func headerLine(_ h: JSON) -> String {
        let system = h["system"]?.stringValue ?? "?"
        let scenario = h["scenario"]?.stringValue ?? "?"
        let seed = h["seed"]?.intValue.map(String.init) ?? "?"
        let planted = (h["planted"]?.arrayValue ?? []).compactMap { $0.stringValue }
        let plant = planted.isEmpty ? "" : " planted=\(planted.joined(separator: ","))"
        let port = h["portOf"]?.stringValue.map { " (port of \($0))" } ?? ""
        return "trace of \(system)/\(scenario)\(port) seed=\(seed)\(plant) "
            + "commit=\(h["commit"]?.stringValue ?? "?") \(h["config"]?.stringValue ?? "")"
    }

    static let fixedKeys: Set<String> = ["ev", "t", "node", "from", "to", "msg"]

    static func eventLine(_ e: JSON, number: Int) -> String {
        let t = formatTime(VirtualTime(e["t"]?.intValue ?? 0))
        let ev = e["ev"]?.stringValue ?? "?"
        let node = e["node"]?.intValue.map { "n\($0)" } ?? "--"
        var head: String
        switch ev {
        case "recv":
            let from = e["from"]?.intValue.map { "n\($0)" } ?? "?"
            head = "\(node) ← \(from)  \(e["msg"]?.stringValue ?? "")"
        case "drop":
            let to = e["to"]?.intValue.map { "n\($0)" } ?? "?"
            head = "\(node) → \(to) ✗ dropped \(e["msg"]?.stringValue ?? "")"
        default:
            head = pad(node, 8) + ev
        }
        var fields: [String] = []
        if case .object(let members) = e {
            for (k, v) in members.sorted(by: { $0.0 < $1.0 }) where !fixedKeys.contains(k) {
                fields.append("\(k)=\(short(v))")
            }
        }
        return pad(t, 9) + "  " + head + (fields.isEmpty ? "" : " " + fields.joined(separator: " "))
            + "   [L\(number)]"
    }

    static func verdictLines(_ v: JSON) -> [String] {
        switch v["verdict"]?.stringValue {
        case "ok": return ["VERDICT ok"]
        case "violation":
            let events = (v["events"]?.arrayValue ?? []).compactMap { $0.intValue }
            return [
                "VIOLATION \(v["invariant"]?.stringValue ?? "?"): \(v["message"]?.stringValue ?? "")",
                "  proved by lines: " + events.map { "L\($0)" }.joined(separator: ", "),
            ]
        case "original-bound":
            return [
                "ORIGINAL-BOUND \(v["invariant"]?.stringValue ?? "?"): "
                    + (v["message"]?.stringValue ?? "")
                    + " (a timing bound of the original test, not a safety or liveness violation)"
            ]
        default: return ["VERDICT unknown: \(v["message"]?.stringValue ?? "")"]
        }
    }

    static func short(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s
        default:
            let s = v.serialized
            return s.count > 60 ? String(s.prefix(57)) + "..." : s
        }
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }
}
