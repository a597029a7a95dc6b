// The page `dsim view` writes: one self-contained HTML file (no network, no external script or
// font) holding the trace's data as JSON and the script that draws it.
//
// A trace is untrusted input: people share them. Its strings reach the page only as JSON
// inside <script type="application/json">, with `<`, `>`, `&`, U+2028 and U+2029 written as
// \u escapes (so no value can close the script element or start markup), and the page's
// script inserts every string with `textContent`, never as markup. The page catches its own
// errors (window.onerror, console.error) into #js-errors, which the browser tests read, and
// writes #status data-ready="1" with its arrow count and render time when drawn.
import DSimCore

/// Writes the viewer's HTML page.
public enum ViewPage {
    /// The page for `view`.
    public static func html(_ view: TraceView) -> String {
        let data = embeddable(payload(view).serialized)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>dsim view</title>
            <script>\(errorCatcher)</script>
            <style>\(style)</style>
            </head>
            <body>
            \(body)
            <script type="application/json" id="trace-data">\(data)</script>
            <script>\(script)</script>
            </body>
            </html>

            """
    }

    /// JSON text made safe inside a script element: `<`, `>`, `&`, U+2028 and U+2029 occur only
    /// inside JSON strings, where their \u escapes mean the same.
    public static func embeddable(_ json: String) -> String {
        var out = ""
        out.reserveCapacity(json.utf8.count + json.utf8.count / 16)
        for u in json.unicodeScalars {
            switch u.value {
            case 0x3C: out += "\\u003c"
            case 0x3E: out += "\\u003e"
            case 0x26: out += "\\u0026"
            case 0x2028: out += "\\u2028"
            case 0x2029: out += "\\u2029"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// The data the script draws.
    static func payload(_ v: TraceView) -> JSON {
        let clerks = Set(v.operations.compactMap { $0.node })
        var kinds = Set<String>()
        for m in v.messages { kinds.insert(m.kind) }
        return .object([
            ("header", v.header), ("lines", int(v.lineCount)), ("decisions", int(v.decisionCount)),
            ("title", .string(title(v.header))),
            (
                "nodes",
                .array(
                    v.nodes.map { n in
                        .object([("id", int(n)), ("clerk", .bool(clerks.contains(n)))])
                    })
            ),
            ("kinds", .array(kinds.sorted().map { .string($0) })),
            ("events", .array(v.events.map(eventJSON))),
            ("msgs", .array(v.messages.map(messageJSON))),
            ("spans", .array(v.spans.map(spanJSON))),
            ("ops", .array(v.operations.map(operationJSON))),
            ("verdict", v.verdict ?? .null), ("cited", .array(v.cited.map(int))),
            ("illegalAt", v.illegalAt.map(int) ?? .null),
            ("illegalOp", v.illegalOperation.map(int) ?? .null),
        ])
    }

    static func int(_ i: Int) -> JSON { .int(Int64(i)) }

    static func optional(_ i: Int?) -> JSON { i.map(int) ?? .null }

    static func title(_ h: JSON) -> String {
        let system = h["system"]?.stringValue ?? "?"
        let scenario = h["scenario"]?.stringValue ?? "?"
        let seed = h["seed"]?.intValue.map(String.init) ?? "?"
        let planted = (h["planted"]?.arrayValue ?? []).compactMap { $0.stringValue }
        let plant = planted.isEmpty ? "" : " planted=" + planted.joined(separator: ",")
        return "\(system)/\(scenario) seed=\(seed)\(plant)"
    }

    static func eventJSON(_ e: TraceView.Event) -> JSON {
        .object([
            ("l", int(e.line)), ("t", int(e.t)), ("n", optional(e.node)), ("e", .string(e.ev)),
            ("r", .string(e.raw)), ("c", optional(e.cause)),
        ])
    }

    static func messageJSON(_ m: TraceView.Message) -> JSON {
        .object([
            ("f", int(m.from)), ("d", int(m.to)), ("ts", int(m.sentAt)),
            ("tr", optional(m.receivedAt)), ("l", int(m.line)), ("a", int(m.sentAfterLine)),
            ("k", .string(m.kind)), ("dup", .bool(m.isDuplicate)),
            ("x", .bool(m.isSendTimeKnown)), ("c", optional(m.cause)), ("q", optional(m.answers)),
        ])
    }

    static func spanJSON(_ s: TraceView.Span) -> JSON {
        .object([
            ("k", .string(s.kind)), ("n", optional(s.node)), ("a", int(s.from)),
            ("b", optional(s.to)), ("s", .string(s.label)),
        ])
    }

    static func operationJSON(_ o: TraceView.Operation) -> JSON {
        .object([
            ("l", int(o.line)), ("id", int(o.id)), ("c", int(o.client)), ("n", optional(o.node)),
            ("call", int(o.calledAt)), ("ret", optional(o.returnedAt)), ("s", .string(o.label)),
            ("o", .string(o.output)), ("sv", .array(o.served.map(int))), ("bad", .bool(o.isCited)),
        ])
    }
}
