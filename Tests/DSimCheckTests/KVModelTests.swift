import DSimCheck
import XCTest

/// Toy key/value histories with known verdicts.
final class KVModelTests: XCTestCase {
    func testGetSeesPrecedingPut() throws {
        let fresh = [line(0, 0, 2, put("x", "a"), done), line(1, 3, 4, get("x"), got("a"))]
        let stale = [line(0, 0, 2, put("x", "a"), done), line(1, 3, 4, get("x"), got(""))]
        XCTAssertEqual(try check(file("kv", fresh)).verdict, .linearizable)
        XCTAssertEqual(try check(file("kv", stale)).verdict, .illegal)
    }

    func testConcurrentAppendsInEitherOrderButNotLost() throws {
        let appends = [
            line(0, 0, 10, append("x", "a"), done), line(1, 0, 10, append("x", "b"), done),
        ]
        for (seen, verdict) in [
            ("ba", LinearizabilityVerdict.linearizable), ("ab", .linearizable), ("a", .illegal),
        ] {
            let text = file("kv", appends + [line(2, 11, 12, get("x"), got(seen))])
            XCTAssertEqual(try check(text).verdict, verdict, "get -> \(seen)")
        }
    }

    func testPartitionsAreIndependentAndExplanationNamesTheKey() throws {
        let text = file(
            "kv",
            [
                line(0, 0, 1, put("x", "1"), done), line(1, 0, 1, put("y", "2"), done),
                line(2, 2, 3, get("y"), got("2")), line(3, 2, 3, get("x"), got("2")),
            ])
        let result = try check(text)
        XCTAssertEqual(result.verdict, .illegal)
        XCTAssertEqual(result.partitionCount, 2)
        let explanation = try XCTUnwrap(result.explanation)
        XCTAssertEqual(explanation.partitionKey, "x")
        XCTAssertEqual(explanation.partitionOperationCount, 2)
        XCTAssertEqual(explanation.prefix.map(\.id), [0])
        XCTAssertEqual(explanation.prefix.first?.stateAfter, #""1""#)
        XCTAssertEqual(explanation.blocked.map(\.id), [3])
        XCTAssertEqual(explanation.blocked.first?.summary, #"get("x") -> "2""#)
    }

    func testFirstIllegalKeyIsReported() throws {
        let text = file(
            "kv",
            [
                line(0, 0, 1, get("b"), got("?")), line(1, 0, 1, get("a"), got("?")),
                line(2, 0, 1, get("c"), got("")),
            ])
        XCTAssertEqual(try check(text).explanation?.partitionKey, "a")
    }

    func testPendingAppendMayTakeEffectLate() throws {
        let pending = line(0, 0, nil, append("x", "a"), unknown)
        let late = [pending, line(1, 1, 2, get("x"), got("")), line(2, 3, 4, get("x"), got("a"))]
        let undone = [pending, line(1, 1, 2, get("x"), got("a")), line(2, 3, 4, get("x"), got(""))]
        XCTAssertEqual(try check(file("kv", late)).verdict, .linearizable)
        XCTAssertEqual(try check(file("kv", undone)).verdict, .illegal)
    }

    func testUnknownGetAcceptsAnything() throws {
        let text = file(
            "kv", [line(0, 0, 1, put("x", "1"), done), line(1, 2, 3, get("x"), unknown)])
        XCTAssertEqual(try check(text).verdict, .linearizable)
    }

    func testLongestPrefixPassesDeadEndsAndNamesTheLastBlockedOperation() throws {
        // get -> "b" is impossible before put(b); after put(a), put(b), get -> "b" nothing can
        // place get -> "a", called after get -> "b" returned.
        let text = file(
            "kv",
            [
                line(0, 0, 1, put("x", "a"), done), line(1, 2, 10, put("x", "b"), done),
                line(2, 2, 3, get("x"), got("b")), line(3, 4, 5, get("x"), got("a")),
            ])
        let result = try check(text)
        XCTAssertEqual(result.verdict, .illegal)
        let explanation = try XCTUnwrap(result.explanation)
        XCTAssertEqual(explanation.prefix.map(\.id), [0, 1, 2])
        XCTAssertEqual(explanation.blocked.map(\.id), [3])
        XCTAssertEqual(explanation.stateAfterPrefix, #""b""#)
        XCTAssertEqual(explanation.deadline?.id, 3)
    }

    func testBuiltInCodeAndTextExplanation() {
        var history = KVHistory()
        let putA = history.recordCall(client: 0, input: .put(key: "k", value: "a"), time: 0)
        history.recordReturn(putA, output: .ok, time: 1)
        let getA = history.recordCall(client: 1, input: .get(key: "k"), time: 2)
        history.recordReturn(getA, output: .value("z"), time: 3)
        let result = history.check()
        XCTAssertEqual(result.verdict, .illegal)
        XCTAssertEqual(
            result.explanation?.text(indent: ""),
            """
            key "k" (2 operations) is not linearizable; longest linearizable prefix (1), in order:
                #0 client 0 [0, 1] put("k", "a")  => "a"
              state after the prefix: "a"
              operation 1 returned at 3, so one of these must come next; each is impossible in that state:
                #1 client 1 [2, 3] get("k") -> "z"
            """)
    }
}
