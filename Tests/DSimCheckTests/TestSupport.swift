import DSimCheck
import XCTest

/// One history line: `{"id":..,"client":..,"call":..,"return":..,"input":..,"output":..}`.
/// The client defaults to the id (every operation its own client).
func line(
    _ id: Int, _ call: Int, _ returnTime: Int?, _ input: String, _ output: String,
    client: Int? = nil
) -> String {
    let returnText = returnTime.map(String.init) ?? "null"
    return #"{"id":\#(id),"client":\#(client ?? id),"call":\#(call),"return":\#(returnText),"#
        + #""input":\#(input),"output":\#(output)}"#
}

/// A whole history file: header naming `model`, then `lines`.
func file(_ model: String, _ lines: [String]) -> String {
    ([#"{"model":"\#(model)"}"#] + lines).joined(separator: "\n") + "\n"
}

/// Parses and checks a history file's text (sequentially, no time limit).
func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> CheckResult
{
    let history = try HistoryReader.parse(text)
    let sequential = history.check(options: CheckOptions(timeoutSeconds: nil, isParallel: false))
    let parallel = history.check(options: CheckOptions(timeoutSeconds: nil, isParallel: true))
    XCTAssertEqual(
        sequential, parallel, "parallel and sequential checks differ", file: file, line: line)
    return sequential
}

/// The error `HistoryReader.parse` throws for `text`, or nil if it parses.
func parseError(_ text: String) -> HistoryError? {
    parseError(bytes: Array(text.utf8))
}

/// The error `HistoryReader.parse` throws for `bytes`, or nil if they parse.
func parseError(bytes: [UInt8]) -> HistoryError? {
    do {
        _ = try HistoryReader.parse(bytes: bytes)
        return nil
    } catch let error as HistoryError {
        return error
    } catch {
        XCTFail("unexpected error type: \(error)")
        return nil
    }
}

// Register inputs and outputs as JSON text.
let read = #"{"op":"read"}"#
func write(_ value: Int) -> String { #"{"op":"write","value":\#(value)}"# }
func cas(_ from: Int, _ to: Int) -> String { #"{"op":"cas","from":\#(from),"to":\#(to)}"# }
func value(_ value: Int?) -> String { #"{"value":\#(value.map(String.init) ?? "null")}"# }
func casOK(_ isSwapped: Bool) -> String { #"{"ok":\#(isSwapped)}"# }
let done = "{}"
let unknown = #"{"unknown":true}"#

// Key/value inputs and outputs as JSON text.
func get(_ key: String) -> String { #"{"op":"get","key":"\#(key)"}"# }
func put(_ key: String, _ value: String) -> String {
    #"{"op":"put","key":"\#(key)","value":"\#(value)"}"#
}
func append(_ key: String, _ value: String) -> String {
    #"{"op":"append","key":"\#(key)","value":"\#(value)"}"#
}
func got(_ value: String) -> String { #"{"value":"\#(value)"}"# }
