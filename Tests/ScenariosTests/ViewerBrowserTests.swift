import DSimCore
import Foundation
import Scenarios
import XCTest

/// The `dsim view` page in a real browser: headless Chromium loads the page of a regression
/// trace of every system and the test reads the rendered DOM (--dump-dom) and a screenshot.
/// Checked: the page finished drawing; no JavaScript error or console.error (the page catches
/// them into #js-errors); one arrow element per message line of the trace; the violation shown
/// with its invariant name and every cited event row marked; a kvraft page's history panel has
/// one bar per operation; the screenshot is not blank. A hostile trace and history (values that
/// close the script element, an <img onerror>, quotes) must run nothing and show the text as
/// written. Skipped, saying why, only when no Chromium is installed.
final class ViewerBrowserTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// One regression trace per system; raft's is the acceptance trace.
    static let traces = [
        "raft/commit-previous-term", "kvraft/stale-read", "shardctrler/stale-query",
        "shardkv/serve-before-arrival", "mapreduce/early-reissue", "weather/count-late-answers",
        "bank/balance-outside-lock",
    ]

    static func chromium() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
            .split(separator: ":").map(String.init)
        for dir in dirs + ["/usr/bin", "/snap/bin"] {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let path = dir + "/" + name
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    /// What the browser gave for one page.
    struct Rendered {
        var dom: String
        var screenshotBytes: Int
    }

    func browser() throws -> String {
        guard let path = Self.chromium() else {
            print("ViewerBrowserTests: skipped: no chromium on PATH (.ci/run installs it)")
            throw XCTSkip("no chromium on PATH: the browser tests need headless Chromium")
        }
        return path
    }

    /// Loads `html` in headless Chromium; returns the DOM after load and the screenshot size.
    func render(_ html: String, name: String, hash: String = "") throws -> Rendered {
        let dir = NSTemporaryDirectory() + "dsim-view-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let page = dir + "/\(name).html"
        let shot = dir + "/\(name).png"
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: shot)
        let dom = try runBrowser(
            [
                "--user-data-dir=\(dir)/profile-\(name)", "--window-size=1280,900",
                "--screenshot=\(shot)", "--dump-dom", "file://\(page)\(hash)",
            ])
        let size = (try? FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0
        return Rendered(dom: dom, screenshotBytes: size)
    }

    func runBrowser(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try browser())
        p.arguments =
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--virtual-time-budget=3000",
            ] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The screenshot of an empty page at the same size: what "blank" weighs.
    func blankScreenshotBytes() throws -> Int {
        let r = try render("<!DOCTYPE html><html><body></body></html>", name: "blank")
        return r.screenshotBytes
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    static func attribute(_ name: String, of id: String, in dom: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        let tagEnd = dom[start.upperBound...].firstIndex(of: ">") ?? dom.endIndex
        let tag = dom[start.upperBound..<tagEnd]
        guard let a = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[a.upperBound...].prefix { $0 != "\"" })
    }

    /// Checks every page that draws without errors; returns nothing, fails in place.
    func checkDrawn(
        _ r: Rendered, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(
            Self.attribute("data-ready", of: "status", in: r.dom), "1", "\(what): page not drawn",
            file: file, line: line)
        XCTAssertEqual(
            Self.attribute("data-count", of: "js-errors", in: r.dom), "0",
            "\(what): JavaScript errors: \(Self.errors(r.dom))", file: file, line: line)
    }

    static func errors(_ dom: String) -> String {
        guard let s = dom.range(of: "id=\"js-errors\""), let e = dom.range(of: "</pre>") else {
            return "?"
        }
        return String(dom[s.upperBound..<e.lowerBound].prefix(600))
    }

    func testRegressionTracePagesOfEverySystem() throws {
        _ = try browser()
        let blank = try blankScreenshotBytes()
        XCTAssertGreaterThan(blank, 0, "no screenshot of an empty page")
        var pages: [(String, TraceFile)] = []
        for name in Self.traces {
            pages.append(
                (
                    name,
                    try TraceFile.load(
                        Self.root.appendingPathComponent("traces/regressions/\(name).jsonl").path)
                ))
        }
        let htmls = pages.map { ViewPage.html(TraceView(lines: $0.1.lines)) }
        let rendered = try renderAll(
            htmls, names: pages.map { $0.0.replacingOccurrences(of: "/", with: "-") })
        for (i, (name, file)) in pages.enumerated() {
            guard let r = rendered[i] else {
                XCTFail("\(name): the browser did not run")
                continue
            }
            checkDrawn(r, name)
            checkContent(r, name, file)
            XCTAssertGreaterThan(
                r.screenshotBytes, blank * 3, "\(name): the screenshot looks blank")
        }
    }

    /// A liveness violation of every system that has one (a majority lost for good: see
    /// `LivenessCitationTests`): the page draws, shows the invariant, and marks every cited
    /// row — the heal or last fault, the last leader and progress, the calls that never
    /// returned and the `waited` line with what they waited on.
    func testLivenessViolationPagesMarkTheirCitedLines() throws {
        _ = try browser()
        var files: [(String, TraceFile)] = []
        for (system, params) in LivenessCitationTests.runs {
            let r = try LivenessCitationTests.run(system, params)
            let text = r.lines.joined(separator: "\n") + "\n"
            files.append(("liveness-" + system, try TraceFile(text: text, path: system)))
        }
        let rendered = try renderAll(
            files.map { ViewPage.html(TraceView(lines: $0.1.lines)) }, names: files.map(\.0))
        for (i, (name, file)) in files.enumerated() {
            guard let r = rendered[i] else {
                XCTFail("\(name): the browser did not run")
                continue
            }
            checkDrawn(r, name)
            guard case .violation(let v) = file.verdict else { continue }
            XCTAssertGreaterThanOrEqual(v.events.count, 3, "\(name): \(v.events)")
            if Self.attribute("data-virtual", of: "status", in: r.dom) == "1" {
                // Over the page's limit only the rows near the first cited one are drawn:
                // those marked must be cited ones, and the banner links every cited line.
                let marked = Self.count("class=\"cited\"", in: r.dom)
                XCTAssertGreaterThan(marked, 0, "\(name): no cited row drawn")
                let drawn = v.events.filter {
                    r.dom.contains("class=\"cited\" data-line=\"\($0)\"")
                }
                XCTAssertEqual(drawn.count, marked, "\(name): a marked row is not cited")
                XCTAssertTrue(drawn.contains(v.events.first!), "\(name): not opened at the first")
                for l in v.events {
                    XCTAssertTrue(r.dom.contains(">L\(l)<"), "\(name): line \(l) not linked")
                }
            } else {
                checkContent(r, name, file)
            }
            XCTAssertTrue(r.dom.contains("waited on (line "), "\(name): the report is not shown")
        }
    }

    /// Renders the pages as many at a time as the machine has cores.
    func renderAll(_ htmls: [String], names: [String], hash: String = "") throws -> [Rendered?] {
        _ = try browser()
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var items: [Rendered?]
            init(_ n: Int) { items = Array(repeating: nil, count: n) }
        }
        let results = Results(htmls.count)
        DispatchQueue.concurrentPerform(iterations: htmls.count) { i in
            let r = try? self.render(htmls[i], name: names[i], hash: hash)
            results.lock.lock()
            results.items[i] = r
            results.lock.unlock()
        }
        return results.items
    }

    /// Every control driven once (#selftest: zoom, each filter, a time window, selecting
    /// events, messages and operations, scrolling, go to violation) without an error.
    /// The big page is a kvraft run of about 4,000 rows, over the page's limit for drawing
    /// everything at once, so the windowed drawing is driven too.
    func testEveryControlRunsWithoutErrors() throws {
        _ = try browser()
        var pages: [(String, [String])] = []
        for name in ["kvraft/stale-read", "shardkv/serve-before-arrival"] {
            let file = try TraceFile.load(
                Self.root.appendingPathComponent("traces/regressions/\(name).jsonl").path)
            pages.append((name, file.lines))
        }
        let kvraft = try XCTUnwrap(Catalog.system("kvraft"))
        let request = RunRequest(
            system: kvraft, scenario: try XCTUnwrap(kvraft.scenario("fuzz")), seed: 3)
        let big = Runner.run(request, source: .seed(3), record: true, build: BuildInfo(commit: "t"))
        pages.append(("kvraft fuzz seed 3", big.lines))
        let views = pages.map { TraceView(lines: $0.1) }
        XCTAssertGreaterThan(views[2].events.count, 2_500, "the big page is not big")
        let rendered = try renderAll(
            views.map { ViewPage.html($0) }, names: ["self-1", "self-2", "self-3"],
            hash: "#selftest")
        for (i, (name, _)) in pages.enumerated() {
            guard let r = rendered[i] else {
                XCTFail("\(name): the browser did not run")
                continue
            }
            checkDrawn(r, name)
            let steps = Int(Self.attribute("data-selftest", of: "status", in: r.dom) ?? "") ?? 0
            XCTAssertGreaterThan(steps, 40, "\(name): the self-test did not run to its end")
        }
        XCTAssertEqual(
            rendered[2].flatMap { Self.attribute("data-virtual", of: "status", in: $0.dom) }, "1")
    }

    func checkContent(_ r: Rendered, _ name: String, _ file: TraceFile) {
        var messages = 0
        var events = Set<Int>()
        var ops = 0
        for (index, text) in file.lines.enumerated().dropFirst() {
            guard let j = try? JSON.parse(text), let ev = j["ev"]?.stringValue else { continue }
            events.insert(index + 1)
            if ev == "recv" || ev == "drop" { messages += 1 }
            if ev == "op" { ops += 1 }
        }
        XCTAssertEqual(Self.count("class=\"arrow", in: r.dom), messages, "\(name): arrows")
        guard case .violation(let v) = file.verdict else { return XCTFail("\(name): no violation") }
        XCTAssertTrue(
            r.dom.contains("<div id=\"verdict\" class=\"violation\">"),
            "\(name): violation banner")
        XCTAssertTrue(
            r.dom.contains("<span class=\"invariant\">\(v.invariant)</span>"),
            "\(name): invariant \(v.invariant) not shown")
        let citedRows = v.events.filter { events.contains($0) }
        XCTAssertEqual(Self.count("class=\"cited\"", in: r.dom), citedRows.count, "\(name)")
        for l in citedRows {
            XCTAssertTrue(
                r.dom.contains("class=\"cited\" data-line=\"\(l)\""),
                "\(name): line \(l) not marked")
        }
        if ops > 0 {
            XCTAssertFalse(r.dom.contains("<section id=\"history\" hidden"), "\(name): no history")
            XCTAssertEqual(Self.count("<rect x=", in: historyPart(r.dom)), ops, "\(name): op bars")
            if v.invariant == "linearizability" {
                XCTAssertGreaterThan(Self.count("op-bad", in: r.dom), 0, "\(name): illegal op")
            }
        }
    }

    func historyPart(_ dom: String) -> String {
        guard let s = dom.range(of: "id=\"history-svg\""), let e = dom.range(of: "id=\"main\"")
        else { return "" }
        return String(dom[s.upperBound..<e.lowerBound])
    }
}

/// A trace is untrusted input: the page must never run what it carries.
extension ViewerBrowserTests {
    /// Each payload would mark the page (an attribute on <html>, the title) if it ran.
    static let closeScript =
        "</script><script>document.documentElement.setAttribute('data-pwned','script');"
        + "document.title='PWNED'</script>"
    static let imgOnerror =
        "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"
    static let quotes = "it's \"quoted\" & <b>bold</b>\u{2028}next"

    static func string(_ s: String) -> String { JSON.string(s).serialized }

    static var hostileTrace: String {
        let (a, b, c) = (string(closeScript), string(imgOnerror), string(quotes))
        let both = string(closeScript + " " + quotes)
        return [
            "{\"dsim\":\"trace\",\"version\":1,\"system\":\"kvraft\",\"scenario\":\(a),\"seed\":0}",
            "{\"ev\":\"role\",\"node\":0,\"role\":\(b),\"t\":0,\"term\":1}",
            "{\"ev\":\"recv\",\"from\":1,\"msg\":\(a),\"node\":0,\"t\":5,\"x\":\(c)}",
            "{\"ev\":\"drop\",\"msg\":\(b),\"node\":0,\"t\":6,\"to\":1}",
            "{\"call\":1,\"client\":0,\"ev\":\"op\",\"input\":{\"key\":\(c),\"op\":\"append\","
                + "\"value\":\(a)},\"node\":1,\"opId\":0,\"output\":{},\"return\":7,\"t\":7}",
            "{\"call\":8,\"client\":1,\"ev\":\"op\",\"input\":{\"key\":\(c),\"op\":\"get\"},"
                + "\"node\":1,\"opId\":1,\"output\":{\"value\":\(b)},\"return\":9,\"t\":9}",
            "{\"events\":[3,6],\"invariant\":\(b),\"message\":\(both),\"verdict\":\"violation\"}",
        ].joined(separator: "\n") + "\n"
    }

    static var hostileHistory: String {
        let (a, b, c) = (string(closeScript), string(imgOnerror), string(quotes))
        return [
            "{\"model\":\"kv\"}",
            "{\"call\":0,\"client\":0,\"id\":0,\"input\":{\"key\":\(c),\"op\":\"put\","
                + "\"value\":\(a)},\"output\":{},\"return\":3}",
            "{\"call\":1,\"client\":1,\"id\":1,\"input\":{\"key\":\(c),\"op\":\"get\"},"
                + "\"output\":{\"value\":\(b)},\"return\":null}",
        ].joined(separator: "\n") + "\n"
    }

    /// `s` as a text node serializes it (HTML escapes <, > and &; quotes stay).
    static func asText(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    func checkNothingRan(_ r: Rendered, _ what: String) {
        checkDrawn(r, what)
        XCTAssertFalse(r.dom.contains("data-pwned=\""), "\(what): an injected script ran")
        XCTAssertFalse(r.dom.contains("<title>PWNED"), "\(what): an injected script ran")
        XCTAssertFalse(r.dom.contains("<img"), "\(what): markup from the trace became an element")
        XCTAssertFalse(
            r.dom.contains("<b>bold"), "\(what): markup from the trace became an element")
    }

    func testHostileTraceAndHistoryRunNothingAndShowTheirText() throws {
        let file = try TraceFile(text: Self.hostileTrace, path: "hostile.jsonl")
        let traceView = TraceView(lines: file.lines)
        XCTAssertEqual(traceView.messages.count, 2)
        XCTAssertEqual(traceView.operations.count, 2)
        let historyLines = Self.hostileHistory.split(separator: "\n").map(String.init)
        XCTAssertTrue(TraceView.isHistoryHeader(historyLines[0]))
        let pages = [
            ViewPage.html(traceView), ViewPage.html(TraceView(historyLines: historyLines)),
        ]
        for page in pages {
            XCTAssertFalse(page.contains("</script><script>document"), "raw payload in the page")
        }
        let rendered = try renderAll(pages, names: ["hostile-trace", "hostile-history"])
        guard let trace = rendered[0], let history = rendered[1] else {
            return XCTFail("the browser did not run")
        }
        checkNothingRan(trace, "trace")
        checkNothingRan(history, "history")
        // Shown as written: the verdict banner holds the invariant and message as text.
        XCTAssertTrue(
            trace.dom.contains("<span class=\"invariant\">\(Self.asText(Self.imgOnerror))</span>"))
        XCTAssertTrue(trace.dom.contains(Self.asText(Self.closeScript + " " + Self.quotes)))
        XCTAssertTrue(trace.dom.contains(Self.asText("dsim view: kvraft/" + Self.closeScript)))
        XCTAssertEqual(Self.count("class=\"arrow", in: trace.dom), 2)
        // The history's bars carry each operation in full in their <title>.
        for dom in [trace.dom, history.dom] {
            XCTAssertTrue(dom.contains(Self.asText("(\(Self.quotes), \"\(Self.closeScript)\")")))
            XCTAssertTrue(dom.contains(Self.asText("\u{2192} \"\(Self.imgOnerror)\"")))
        }
    }
}
