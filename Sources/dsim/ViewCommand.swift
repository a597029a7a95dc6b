// `dsim view TRACE [-o OUT.html]`: one self-contained HTML page of a run — a space-time diagram
// with one lane per node, message arrows, role and term bands, crashes and partitions, the
// violation and the lines it cites, and for a key/value run its client history. The page is
// drawn from the file alone (nothing is re-executed), so a trace from another build still
// shows. A history file (DESIGN §6) gets the history panel alone.
import DSimCore
import Foundation
import Scenarios

enum ViewCommand {
    static let help = """
        usage: dsim view TRACE [-o OUT.html]

          writes an HTML page of TRACE (or of a history file): no network, no external file;
          open it in any browser. Default output: TRACE's name with .html, in this folder.
        exit: 0 written, 3 bad input (unreadable, garbled or foreign file, unwritable output)
        """

    static func run(_ args: [String]) throws -> Int32 {
        let translated = args.map { $0 == "-o" ? "--out" : $0 }
        let a = try Arguments(translated, valued: ["out"], boolean: ["help"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.count == 1 else { throw UsageError("expected exactly one TRACE file") }
        let path = a.positionals[0]
        guard let text = readTextFile(path) else { throw TraceFileError.unreadable(path: path) }
        let first = text.prefix { $0 != "\n" }
        let view: TraceView
        if TraceView.isHistoryHeader(String(first)) {
            let lines = text.split(separator: "\n").map(String.init)
            view = TraceView(historyLines: lines)
            guard !view.operations.isEmpty else {
                throw UsageError("\(path): a history header but no operations")
            }
        } else {
            view = TraceView(lines: try TraceFile(text: text, path: path).lines)
        }
        let out = a.value("out") ?? defaultOutput(path)
        guard writeTextFile(out, ViewPage.html(view)) else {
            throw UsageError("cannot write \(out)")
        }
        print(
            "wrote \(out): \(view.events.count) events, \(view.messages.count) messages, "
                + "\(view.operations.count) operations")
        return Exit.ok
    }

    /// `dir/name.jsonl` -> `name.html` in the current folder.
    static func defaultOutput(_ path: String) -> String {
        var name = path.split(separator: "/").last.map(String.init) ?? "trace"
        if name.hasSuffix(".jsonl") { name.removeLast(".jsonl".count) }
        return name + ".html"
    }
}

/// `dsim replay --columns`: the terminal's width from $COLUMNS (shells export it on request), else 160.
func terminalColumns() -> Int {
    guard let v = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(v), n >= 40 else {
        return 160
    }
    return n
}
