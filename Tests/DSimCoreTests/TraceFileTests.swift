import DSimCore
import XCTest

final class TraceFileTests: XCTestCase {
    let header = #"{"dsim":"trace","scenario":"s","seed":1,"system":"x","version":1}"#

    func testParsesDecisionsAndVerdict() throws {
        let text = [
            header, #"{"dec":"net.delay","of":10,"t":0,"v":3}"#, #"{"ev":"boot","node":0,"t":0}"#,
            #"{"dec":"net.drop","of":1000,"t":5,"v":999}"#,
            #"{"events":[3],"invariant":"x","message":"m","verdict":"violation"}"#,
        ].joined(separator: "\n")
        let f = try TraceFile(text: text, path: "t.jsonl")
        XCTAssertEqual(f.decisions.map(\.line), [2, 4])
        XCTAssertEqual(f.decisions.map(\.decision.value), [3, 999])
        XCTAssertEqual(f.verdict, .violation(Violation("x", "m", events: [3])))
    }

    func testBadFilesAreOneLineErrors() {
        let cases: [(String, String)] = [
            ("", "empty file"),
            ("hello", "not a DSim trace"),
            (#"{"a":1}"#, "not a DSim trace"),
            (header + "\n" + #"{"dec":"x","of":2,"t":0,"v":1}"#, "truncated"),
            (header + "\n" + #"{"dec":"x","of":2,"t":0,"#, "truncated"),
            (header + "\n{oops\n" + #"{"verdict":"ok"}"#, ":2: not JSON"),
            (header + "\n" + #"{"dec":"x","t":0}"# + "\n" + #"{"verdict":"ok"}"#, ":2: decision"),
            (header + "\n" + #"{"what":1}"# + "\n" + #"{"verdict":"ok"}"#, ":2: neither"),
            (header + "\n" + #"{"verdict":"ok"}"# + "\n" + #"{"verdict":"ok"}"#, ":3: line after"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try TraceFile(text: text, path: "f.jsonl")) { e in
                let d = "\(e)"
                XCTAssertTrue(d.contains(expected), "'\(d)' should mention '\(expected)'")
                XCTAssertFalse(d.contains("\n"), "errors are one line")
            }
        }
    }
}
