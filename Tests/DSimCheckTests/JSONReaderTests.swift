import DSimCheck
import XCTest

/// The line-level JSON reader and writer.
final class JSONReaderTests: XCTestCase {
    func testValuesKeepTheirKinds() throws {
        let value = try JSONReader.parse(
            #" {"a":1,"b":-0,"c":1.5,"d":2e3,"e":true,"f":false,"g":null,"h":[],"i":{},"j":"s"} "#)
        guard case .object(let object) = value else { return XCTFail("not an object: \(value)") }
        XCTAssertEqual(object.keys, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])
        XCTAssertEqual(
            object.values,
            [
                .int(1), .int(0), .double(1.5), .double(2000), .bool(true), .bool(false), .null,
                .array([]), .object(JSONObject()), .string("s"),
            ])
        XCTAssertEqual(try JSONReader.parse("9223372036854775807"), .int(Int.max))
        XCTAssertEqual(try JSONReader.parse("-9223372036854775808"), .int(Int.min))
        XCTAssertEqual(try JSONReader.parse("9223372036854775808"), .double(9223372036854775808))
    }

    func testStringEscapes() throws {
        XCTAssertEqual(
            try JSONReader.parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#),
            .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀"))
        XCTAssertEqual(try JSONReader.parse(#""é😀""#), .string("é😀"))
        for bad in [#""\ud83d""#, #""\x""#, #""\u12""#, "\"a\u{1}\"", #""abc"#] {
            XCTAssertThrowsError(try JSONReader.parse(bad), bad)
        }
    }

    func testRejectsMalformedNumbersAndLiterals() {
        for bad in [
            "01", "-", "1.", ".5", "1e", "+1", "tru", "nul", "1e999", "[1,]", "{\"a\"}", "",
        ] {
            XCTAssertThrowsError(try JSONReader.parse(bad), bad)
        }
    }

    func testWriterRoundTrips() throws {
        let value = JSONValue.object(
            JSONObject([
                "s": .string("q\"\\\n\u{1f}é"), "n": .int(-3), "d": .double(0.25),
                "a": .array([.null, .bool(true)]),
            ]))
        let text = JSONWriter.string(value)
        XCTAssertEqual(text, #"{"s":"q\"\\\n\u001fé","n":-3,"d":0.25,"a":[null,true]}"#)
        XCTAssertEqual(try JSONReader.parse(text), value)
    }
}
