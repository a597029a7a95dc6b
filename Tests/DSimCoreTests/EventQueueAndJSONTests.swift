import DSimCore
import XCTest

final class EventQueueAndJSONTests: XCTestCase {
    func testQueueOrdersByTimeThenInsertion() {
        var q = EventQueue<Int>()
        var r = Xoshiro256(seed: 7)
        var expected: [(VirtualTime, Int)] = []
        for i in 0..<2000 {
            let t = VirtualTime(r.below(50))
            q.push(i, at: t)
            expected.append((t, i))
        }
        expected.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var got: [(VirtualTime, Int)] = []
        while let (t, v) = q.pop() { got.append((t, v)) }
        XCTAssertEqual(got.map(\.1), expected.map(\.1))
    }

    func testWriterSortsKeysAndRoundTrips() throws {
        let v = JSON.object([
            ("z", .int(-3)), ("a", .string("q\"\n\u{1}é")), ("m", .array([.bool(true), .null])),
            ("d", .double(2.5)),
        ])
        XCTAssertEqual(v.serialized, #"{"a":"q\"\n\u0001é","d":2.5,"m":[true,null],"z":-3}"#)
        XCTAssertEqual(try JSON.parse(v.serialized), v)
    }

    func testParserRejectsBadInputWithoutCrashing() {
        let bad = [
            "", "{", "{\"a\"", "{\"a\":}", "[1,]", "tru", "\"abc", "{\"a\":1}x", "01x", "-",
            "\"\\u12\"", "\"\\ud800\"", String(repeating: "[", count: 500), "{1:2}", "nul",
        ]
        for text in bad {
            XCTAssertThrowsError(try JSON.parse(text), "accepted: \(text)")
        }
    }

    func testParserSurvivesRandomBytes() {
        var r = Xoshiro256(seed: 11)
        let alphabet = Array("{}[]\",:0123456789.-eEtrufalsn \\u\"abc")
        for _ in 0..<3000 {
            let n = Int(r.below(30))
            let s = String((0..<n).map { _ in alphabet[Int(r.below(UInt64(alphabet.count)))] })
            _ = try? JSON.parse(s)
        }
    }

    func testFormatTime() {
        XCTAssertEqual(formatTime(1_250 * Duration.millisecond), "1.250s")
        XCTAssertEqual(formatTime(7 * Duration.millisecond), "0.007s")
    }
}
