import DSimCheck
import Foundation
import XCTest

/// `check-history --html`: the page shows every operation as a bar in its client's row, marks
/// the prefix and the blocked operations, inserts every string from the history as text, and
/// opens in headless Chromium without a console error.
final class HistoryPageTests: XCTestCase {
    /// Values no page may turn into markup.
    static let hostile = [
        "</script><script>document.title='pwned'</script>",
        "<img src=x onerror=\"document.title='pwned'\">",
        #"quotes " and ' and &amp;"#,
    ]

    /// An illegal kv history whose values and key are hostile: a get reads the first value
    /// after the second was appended.
    private var hostileHistory: String {
        let key = "k<b>\"'"
        var history = KVHistory()
        let operations: [(client: Int, call: Int, returnTime: Int, KVInput, KVOutput)] = [
            (1, 0, 1, .append(key: key, value: Self.hostile[0]), .ok),
            (2, 2, 3, .append(key: key, value: Self.hostile[1]), .ok),
            (1, 4, 5, .get(key: key), .value(Self.hostile[0])),
            (3, 4, 9, .get(key: key), .value(Self.hostile[2])),
        ]
        for (client, call, returnTime, input, output) in operations {
            let index = history.recordCall(client: client, input: input, time: call)
            history.recordReturn(index, output: output, time: returnTime)
        }
        return history.jsonLines()
    }

    private func page(_ text: String) throws -> (html: String, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "history-page-\(ProcessInfo.processInfo.processIdentifier)-\(name.hashValue)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let historyPath = directory.appendingPathComponent("h.jsonl").path
        try text.write(toFile: historyPath, atomically: true, encoding: .utf8)
        let htmlPath = directory.appendingPathComponent("h.html").path
        var out: [String] = []
        let status = CheckHistoryCommand.run(
            [historyPath, "--html", htmlPath], output: { out.append($0) }, errorOutput: { _ in })
        XCTAssertEqual(status, 1, out.joined(separator: "\n"))
        return (try String(contentsOfFile: htmlPath, encoding: .utf8), htmlPath)
    }

    func testHostileValuesAreEscapedAndRolesMarked() throws {
        let (html, _) = try page(hostileHistory)
        XCTAssertFalse(html.contains("<script"), "the page has no script at all")
        XCTAssertFalse(html.contains("<img"))
        XCTAssertFalse(html.contains("<b>"))
        XCTAssertTrue(html.contains("&lt;/script&gt;&lt;script&gt;document.title=&#39;pwned"))
        // Summaries quote values as JSON does (a `"` inside becomes `\"`).
        XCTAssertTrue(html.contains(#"quotes \&quot; and &#39; and &amp;amp;"#))
        XCTAssertEqual(html.components(separatedBy: "class=\"op ").count - 1, 4)
        XCTAssertEqual(html.components(separatedBy: "class=\"lane\"").count - 1, 3)
        XCTAssertTrue(html.contains("class=\"op prefix\""))
        XCTAssertTrue(html.contains("class=\"op blocked\""))
        XCTAssertTrue(html.contains("Cannot come next"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "no network")
    }

    func testLinearizablePageMarksEveryOperation() throws {
        let text = file(
            "kv", [line(0, 0, 2, put("x", "a"), done), line(1, 3, 4, get("x"), got("a"))])
        let history = try HistoryReader.parse(text)
        let result = history.check(options: CheckOptions(timeoutSeconds: nil))
        let html = history.htmlPage(result: result, title: "t.jsonl")
        XCTAssertEqual(html.components(separatedBy: "class=\"op linearized").count - 1, 2)
        XCTAssertFalse(html.contains("Cannot come next"))
    }

    /// The page in headless Chromium: the DOM it builds shows the hostile text as written, no
    /// element came from a value, the title was not changed, and the console stayed quiet.
    func testChromiumRendersTheHostileTextAsWritten() throws {
        guard let chromium = Self.chromium else {
            throw XCTSkip("chromium is not installed: the browser check is skipped")
        }
        let (_, path) = try page(hostileHistory)
        let run = try Self.run(
            chromium,
            [
                "--headless=new", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr",
                "--v=0", "--user-data-dir=" + path + ".profile", "--dump-dom",
                URL(fileURLWithPath: path).absoluteString,
            ])
        XCTAssertEqual(run.status, 0, run.errors)
        let dom = run.output
        XCTAssertTrue(dom.contains(#"&lt;img src=x onerror=\"document.title='pwned'\"&gt;"#), dom)
        XCTAssertTrue(dom.contains("&lt;/script&gt;&lt;script&gt;"), dom)
        XCTAssertFalse(dom.contains("<img"), dom)
        XCTAssertTrue(dom.contains("<title>h.jsonl — illegal</title>"), dom)
        XCTAssertEqual(dom.components(separatedBy: "class=\"op ").count - 1, 4)
        let consoleLines = run.errors.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Refused")
        }
        XCTAssertEqual(consoleLines, [], run.errors)
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs `path` with `arguments`; its standard error goes through a file, so neither
    /// stream can fill and block the browser while the other is read.
    private static func run(_ path: String, _ arguments: [String]) throws
        -> (status: Int32, output: String, errors: String)
    {
        let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chromium-\(ProcessInfo.processInfo.processIdentifier).stderr"
        ).path
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), errors)
    }
}

/// The one markup escape (history page, view, JUnit XML).
final class HTMLTextTests: XCTestCase {
    func testEscapesMarkupAndQuotesAndKeepsTheRest() {
        XCTAssertEqual(
            HTMLText.escape(#"<a href="x">'&'</a> é"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; é")
        XCTAssertEqual(HTMLText.escape("a\u{1}b\tc\nd"), "a\u{1}b\tc\nd")
    }

    func testXMLTurnsForbiddenControlCharactersIntoSpaces() {
        XCTAssertEqual(HTMLText.escape("a\u{1}b\u{1F}c\td\ne\rf<", xml: true), "a b c\td\ne\rf&lt;")
    }
}
