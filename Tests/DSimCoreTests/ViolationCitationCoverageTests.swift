import Foundation
import XCTest

/// Deliver 1 of issue 20: every violation cites the trace lines that prove it. Greps every
/// place a violation is raised with its invariant name written out (`fail("name", …)`,
/// `Violation("name", …)`, the harnesses' `…Failure("name", …)`) and lists those raised
/// without cited lines (no `events:`, `lines:`, `configs:` or positional `[…]` lines argument,
/// and not through a wrapper that cites). The list must equal `uncited`: the gap is visible
/// here, and a new check that cites nothing fails this test until it cites or is listed.
final class ViolationCitationCoverageTests: XCTestCase {
    /// Raised with no line to cite, and why. Everything else cites.
    static let uncited: [String: String] = [
        "harness-error": "a Swift error of the harness itself, not an observation",
        "crash": "the worker process died: the trace ends there",
        "replay-diverged": "a replay left the recorded path: no line of the run proves it",
        "step-cap": "the run spun past its step budget (every step is the evidence)",
        "tasks-did-not-finish": "helpers still running at the end of a Raft port test",
        "test-took-too-long": "the 120 s virtual test limit",
        "leader":
            "shardctrler TestMulti, before the shutdown: no server claims leadership (an "
            + "absence; the later 'Leader not found' cites the claimer's role line)",
    ]

    /// Calls that raise a violation whose first argument may be its invariant name.
    static let raisers = ["fail(", "Violation(", "sizeFailure(", "livenessFailure("]
    /// Wrappers that always cite lines.
    static let citing = ["sizeFailure(", "livenessFailure(", "agreementFailure("]

    /// One raise site: the invariant's name, where, and whether it cites lines.
    struct Site {
        var name: String
        var place: String
        var cites: Bool
    }

    /// The argument text of the call whose `(` ends at `open` (parentheses balanced; string
    /// contents are counted too, which is fine for the balanced messages the sources use).
    static func arguments(_ text: [Character], from open: Int) -> String {
        var depth = 0
        var i = open
        while i < text.count {
            if text[i] == "(" { depth += 1 }
            if text[i] == ")" {
                depth -= 1
                if depth == 0 { return String(text[(open + 1)..<i]) }
            }
            i += 1
        }
        return String(text[(open + 1)...])
    }

    /// The raise sites of one file.
    static func sites(in code: String, file: String) -> [Site] {
        let text = Array(code)
        var out: [Site] = []
        for raiser in raisers {
            var rest = code.startIndex
            while let r = code.range(of: raiser, range: rest..<code.endIndex) {
                rest = r.upperBound
                let open = code.distance(from: code.startIndex, to: r.upperBound) - 1
                let before =
                    r.lowerBound == code.startIndex ? " " : code[code.index(before: r.lowerBound)]
                if raiser == "fail(" && (before.isLetter || before.isNumber) { continue }
                let args = arguments(text, from: open).trimmingCharacters(
                    in: .whitespacesAndNewlines)
                guard let name = invariantName(args) else { continue }
                let line = code[..<r.lowerBound].filter { $0 == "\n" }.count + 1
                let cites =
                    citing.contains(raiser) || args.contains("events:") || args.contains("lines:")
                    || args.contains("configs:") || positionalLines(args) || positionalLine(args)
                out.append(Site(name: name, place: "\(file):\(line)", cites: cites))
            }
        }
        return out
    }

    /// `"name"` at the start of `args`, when it looks like an invariant name (lowercase words
    /// joined by `-`; messages such as the command line's have spaces and are not raises).
    static func invariantName(_ args: String) -> String? {
        guard args.first == "\"" else { return nil }
        let body = args.dropFirst().prefix { $0 != "\"" }
        guard !body.isEmpty, body.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" })
        else { return nil }
        return String(body)
    }

    /// The Raft monitor's `fail(name, message, [lines])`: a last argument that is an array.
    static func positionalLines(_ args: String) -> Bool {
        guard args.last == "]" else { return false }
        var depth = 0
        var i = args.endIndex
        while i > args.startIndex {
            i = args.index(before: i)
            if args[i] == "]" { depth += 1 }
            if args[i] == "[" {
                depth -= 1
                if depth == 0 {
                    return args[..<i].trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(",")
                }
            }
        }
        return false
    }

    /// MapReduce's task rules' `fail(name, message, line)`: a last argument that is the one
    /// trace line of the event that broke the rule.
    static func positionalLine(_ args: String) -> Bool {
        args.hasSuffix(", line") || args.hasSuffix(",\n            line")
    }

    func testEveryViolationCitesItsLinesExceptTheListedOnes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let sources = root.appendingPathComponent("Sources").path
        guard let e = FileManager.default.enumerator(atPath: sources) else {
            throw XCTSkip("no Sources folder at \(sources)")
        }
        var all: [Site] = []
        while let rel = e.nextObject() as? String {
            guard rel.hasSuffix(".swift") else { continue }
            let code = try String(contentsOfFile: sources + "/" + rel, encoding: .utf8)
            all += Self.sites(in: code, file: rel)
        }
        all.sort { ($0.name, $0.place) < ($1.name, $1.place) }
        let names = Set(all.map(\.name))
        // The scan finds the checks it must: one that cites and one that does not.
        XCTAssertTrue(names.contains("check-same-config"), "scan found \(names.sorted())")
        XCTAssertTrue(names.contains("harness-error"))
        XCTAssertGreaterThan(names.count, 60, "scan found only \(names.sorted())")
        let gaps = all.filter { !$0.cites }
        let listing = gaps.map { "  \($0.name)  \($0.place)" }.joined(separator: "\n")
        print(
            "\(names.count) invariant names raised at \(all.count) places; "
                + "\(gaps.count) places cite no line:\n\(listing)")
        XCTAssertEqual(
            Set(gaps.map(\.name)), Set(Self.uncited.keys),
            "raised without cited lines (cite them, or list them with a reason):\n\(listing)")
    }
}
