import DSimCheck
import DSimCore
import XCTest

/// The JSONL reader: good files parse, every kind of bad file gives the right typed error with
/// its line number, and no input traps or hangs.
final class HistoryReaderTests: XCTestCase {
    private let header = #"{"model":"register"}"#
    private let good = line(0, 1, 2, write(1), done)

    private func operations(_ lines: String...) -> String {
        ([header] + lines).joined(separator: "\n")
    }

    func testParsesHeaderFieldsAndOperations() throws {
        let text =
            #"{"model":"etcd-register","expected":"illegal","ops":2}"# + "\n\n"
            + line(0, 1, nil, cas(1, 2), unknown) + "\r\n" + line(7, 3, 4, read, value(nil))
        let history = try HistoryReader.parse(text, as: RegisterModel.self)
        XCTAssertEqual(history.modelName, "register")
        XCTAssertEqual(history.header["expected"], .string("illegal"))
        XCTAssertEqual(history.operations.count, 2)
        XCTAssertEqual(
            history.operations[0],
            HistoryOperation(
                id: 0, client: 0, callTime: 1, returnTime: nil,
                input: .cas(from: .int(1), to: .int(2)), output: nil))
        XCTAssertEqual(history.operations[1].output, .value(.null))
        XCTAssertEqual(history.operations[1].id, 7)
    }

    func testJSONLinesRoundTrip() throws {
        var history = SyntheticKVHistory.generate(
            clients: 3, operationsPerClient: 20, keys: 3, durationMax: 9, gapMax: 3, seed: 7)
        history.header["expected"] = .string("linearizable")
        history.operations[5].returnTime = nil
        history.operations[5].output = nil
        history.operations[6].input = .put(key: "quote\"\\\n\u{1}é😀", value: "")
        history.operations[6].output = .ok
        let text = history.jsonLines()
        let again = try HistoryReader.parse(text, as: KVModel.self)
        XCTAssertEqual(again.operations, history.operations)
        XCTAssertEqual(
            again.header, JSONObject(["model": .string("kv"), "expected": .string("linearizable")]))
        XCTAssertEqual(again.jsonLines(), text)
        XCTAssertTrue(text.hasPrefix(#"{"model":"kv","expected":"linearizable"}"# + "\n"))
    }

    func testFileLevelErrors() {
        XCTAssertEqual(parseError(""), .emptyFile)
        XCTAssertEqual(parseError("\n  \n\t\n"), .emptyFile)
        XCTAssertThrowsError(try HistoryReader.read(path: "/nonexistent/h.jsonl")) {
            XCTAssertEqual($0 as? HistoryError, .unreadable(reason: "no such file"))
        }
    }

    func testHeaderErrors() {
        XCTAssertEqual(parseError("[1]"), .notAnObject(line: 1, found: "array"))
        XCTAssertEqual(parseError("\n{}"), .missingField(line: 2, field: "model"))
        XCTAssertEqual(
            parseError(#"{"model":3}"#),
            .wrongType(line: 1, field: "model", expected: "a string", found: "integer"))
        XCTAssertEqual(
            parseError(#"{"model":"queue"}"#),
            .unknownModel(
                line: 1, name: "queue", known: ["kv", "register", "etcd-register", "bank"]))
    }

    func testMissingFieldsAndWrongTypes() {
        let noCall = #"{"id":0,"client":0,"return":2,"input":{"op":"read"},"output":{}}"#
        XCTAssertEqual(parseError(operations(good, noCall)), .missingField(line: 3, field: "call"))
        XCTAssertEqual(
            parseError(
                operations(good.replacingOccurrences(of: #""call":1"#, with: #""call":"1""#))),
            .wrongType(line: 2, field: "call", expected: "an integer", found: "string"))
        XCTAssertEqual(
            parseError(
                operations(good.replacingOccurrences(of: #""call":1"#, with: #""call":1.5"#))),
            .wrongType(line: 2, field: "call", expected: "an integer", found: "number"))
        XCTAssertEqual(
            parseError(operations(good.replacingOccurrences(of: #""id":0"#, with: #""id":true"#))),
            .wrongType(line: 2, field: "id", expected: "an integer", found: "boolean"))
        XCTAssertEqual(
            parseError(
                operations(
                    good.replacingOccurrences(of: #""id":0"#, with: #""id":99999999999999999999"#))),
            .wrongType(line: 2, field: "id", expected: "an integer", found: "number"))
        let noReturn = #"{"id":0,"client":0,"call":1,"input":{"op":"read"},"output":{}}"#
        XCTAssertEqual(parseError(operations(noReturn)), .missingField(line: 2, field: "return"))
        XCTAssertEqual(parseError(operations("5")), .notAnObject(line: 2, found: "integer"))
    }

    func testModelFieldErrors() {
        XCTAssertEqual(
            parseError(operations(line(0, 1, 2, #"{"op":"pop"}"#, done))),
            .invalidValue(
                line: 2, field: "input.op",
                message: "unknown register operation \"pop\" (read, write, cas)"))
        XCTAssertEqual(
            parseError(operations(line(0, 1, 2, read, done))),
            .missingField(line: 2, field: "output.value"))
        XCTAssertEqual(
            parseError(operations(line(0, 1, 2, cas(1, 2), done))),
            .missingField(line: 2, field: "output.ok"))
        XCTAssertEqual(
            parseError(operations(line(0, 1, 2, #"{"op":"write","value":[1]}"#, done))),
            .wrongType(
                line: 2, field: "input.value", expected: "an integer, string, boolean or null",
                found: "array"))
        XCTAssertEqual(
            parseError(operations(line(0, 1, 2, write(1), #"{"unknown":"yes"}"#))),
            .wrongType(line: 2, field: "output.unknown", expected: "a boolean", found: "string"))
        XCTAssertEqual(
            parseError(operations(line(0, 1, 2, write(1), "[]"))),
            .wrongType(line: 2, field: "output", expected: "an object", found: "array"))
        let kv = #"{"model":"kv"}"# + "\n"
        XCTAssertEqual(
            parseError(kv + line(0, 1, 2, #"{"op":"get","key":1}"#, got("a"))),
            .wrongType(line: 2, field: "input.key", expected: "a string", found: "integer"))
        XCTAssertEqual(
            parseError(kv + line(0, 1, 2, get("k"), done)),
            .missingField(line: 2, field: "output.value"))
        XCTAssertEqual(
            parseError(kv + line(0, 1, 2, #"{"op":"append","key":"k"}"#, done)),
            .missingField(line: 2, field: "input.value"))
    }

    func testOrderingErrors() {
        XCTAssertEqual(
            parseError(operations(line(3, 5, 4, write(1), done))),
            .returnBeforeCall(line: 2, id: 3, call: 5, returnTime: 4))
        XCTAssertEqual(
            parseError(operations(good, "", line(0, 3, 4, read, value(1)))),
            .duplicateID(line: 4, id: 0, firstLine: 2))
    }

    func testGarbledAndTruncatedLines() {
        XCTAssertEqual(
            parseError(operations(good, #"{"id":0,"#)),
            .syntax(line: 3, column: 9, message: "unexpected end of line (truncated JSON?)"))
        XCTAssertEqual(
            parseError(operations(#"{"id":0,"client":0,"call":1,"return":2,"input":{"op":"re"#)),
            .syntax(line: 2, column: 57, message: "unterminated string (truncated JSON?)"))
        XCTAssertEqual(
            parseError(operations(good + " x")),
            .syntax(line: 2, column: 86, message: "unexpected text after the JSON value"))
        XCTAssertEqual(
            parseError(operations("{'id':0}")),
            .syntax(line: 2, column: 2, message: "expected a quoted member name"))
        XCTAssertEqual(
            parseError(operations(#"{"id":0,"id":1}"#)),
            .syntax(line: 2, column: 9, message: "duplicate member \"id\""))
        let deep = String(repeating: "[", count: 100_000)
        XCTAssertEqual(
            parseError(operations(deep)),
            .syntax(line: 2, column: 65, message: "nesting deeper than 64"))
        var invalidUTF8 = Array(operations(#"{"x":"ab"}"#).utf8)
        invalidUTF8[invalidUTF8.count - 3] = 0xFF
        XCTAssertEqual(
            parseError(bytes: invalidUTF8),
            .syntax(line: 2, column: 6, message: "string is not valid UTF-8"))
    }

    /// Every prefix of a valid file, and many random byte corruptions of it, either parse or
    /// throw a `HistoryError` — never trap.
    func testTruncationsAndCorruptionsNeverTrap() {
        let text = Array(
            file(
                "kv",
                [
                    line(0, 1, 5, put("k", "a\\n\\u00e9"), done),
                    line(1, 2, nil, get("k"), unknown),
                    line(2, 3, 4, append("k", "b"), done), line(3, 6, 7, get("k"), got("ab")),
                ]
            ).utf8)
        var failures = 0
        for length in 0...text.count where parseError(bytes: Array(text[0..<length])) != nil {
            failures += 1
        }
        XCTAssertGreaterThan(failures, text.count / 2)
        var random = SplitMix64(seed: 42)
        let alphabet = Array(#"{}[]":,0123456789-.eE\ntfnul"x"#.utf8)
        for _ in 0..<2_000 {
            var mutated = text
            for _ in 0..<(1 + random.next(below: 3)) {
                mutated[random.next(below: mutated.count)] =
                    alphabet[random.next(below: alphabet.count)]
            }
            _ = parseError(bytes: mutated)
        }
    }
}
