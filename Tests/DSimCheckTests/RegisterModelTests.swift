import DSimCheck
import XCTest

/// Toy register histories with known verdicts.
final class RegisterModelTests: XCTestCase {
    func testReadOverlappingWriteSeesNewValue() throws {
        let text = file(
            "register", [line(0, 0, 10, write(1), done), line(1, 5, 15, read, value(1))])
        XCTAssertEqual(try check(text).verdict, .linearizable)
    }

    func testReadAfterWriteReturnedCannotSeeInitialValue() throws {
        let text = file(
            "register", [line(0, 0, 5, write(1), done), line(1, 6, 10, read, value(nil))])
        let result = try check(text)
        XCTAssertEqual(result.verdict, .illegal)
        let explanation = try XCTUnwrap(result.explanation)
        XCTAssertNil(explanation.partitionKey)
        XCTAssertEqual(explanation.prefix.map(\.id), [0])
        XCTAssertEqual(explanation.stateAfterPrefix, "1")
        XCTAssertEqual(explanation.blocked.map(\.id), [1])
        XCTAssertNil(explanation.blocked[0].stateAfter, "blocked operations carry no state")
        XCTAssertEqual(explanation.deadline?.id, 1)
    }

    func testStaleReadIsIllegal() throws {
        let text = file(
            "register",
            [
                line(0, 0, 2, write(1), done), line(1, 3, 5, write(2), done),
                line(2, 6, 8, read, value(1)),
            ])
        XCTAssertEqual(try check(text).verdict, .illegal)
    }

    func testConcurrentWritesThenReadsMustAgree() throws {
        let writes = [line(0, 0, 10, write(1), done), line(1, 0, 10, write(2), done)]
        let agree = writes + [line(2, 11, 12, read, value(2)), line(3, 13, 14, read, value(2))]
        let flip = writes + [line(2, 11, 12, read, value(1)), line(3, 13, 14, read, value(2))]
        XCTAssertEqual(try check(file("register", agree)).verdict, .linearizable)
        let result = try check(file("register", flip))
        XCTAssertEqual(result.verdict, .illegal)
        XCTAssertEqual(result.explanation?.prefix.count, 3, "both writes (2 then 1) and read 1")
    }

    func testCompareAndSwap() throws {
        let first = line(0, 0, 1, write(1), done)
        let swapped = [first, line(1, 2, 3, cas(1, 2), casOK(true)), line(2, 4, 5, read, value(2))]
        let wrongFailure = [first, line(1, 2, 3, cas(1, 2), casOK(false))]
        let rightFailure = [
            first, line(1, 2, 3, cas(3, 4), casOK(false)), line(2, 4, 5, read, value(1)),
        ]
        let wrongSuccess = [first, line(1, 2, 3, cas(3, 4), casOK(true))]
        XCTAssertEqual(try check(file("register", swapped)).verdict, .linearizable)
        XCTAssertEqual(try check(file("register", wrongFailure)).verdict, .illegal)
        XCTAssertEqual(try check(file("register", rightFailure)).verdict, .linearizable)
        XCTAssertEqual(try check(file("register", wrongSuccess)).verdict, .illegal)
    }

    func testPendingWriteMayOrMayNotTakeEffect() throws {
        let pending = line(0, 2, nil, write(5), unknown)
        let seen = [pending, line(1, 3, 4, read, value(5))]
        let notSeen = [pending, line(1, 3, 4, read, value(nil))]
        let seenThenUnseen = seen + [line(2, 5, 6, read, value(nil))]
        XCTAssertEqual(try check(file("register", seen)).verdict, .linearizable)
        XCTAssertEqual(try check(file("register", notSeen)).verdict, .linearizable)
        let result = try check(file("register", seenThenUnseen))
        XCTAssertEqual(result.verdict, .illegal)
        XCTAssertEqual(result.explanation?.prefix.map(\.id), [0, 1])
        XCTAssertEqual(result.explanation?.deadline?.id, 2)
    }

    func testUnknownOutputsAcceptAnyResultButStillApply() throws {
        let unknownWrite = [line(0, 0, 2, write(3), unknown), line(1, 3, 4, read, value(3))]
        let unknownRead = [line(0, 0, 2, write(3), done), line(1, 3, 4, read, unknown)]
        let base = [line(0, 0, 1, write(1), done), line(1, 2, 3, cas(1, 2), unknown)]
        XCTAssertEqual(try check(file("register", unknownWrite)).verdict, .linearizable)
        XCTAssertEqual(try check(file("register", unknownRead)).verdict, .linearizable)
        let swappedRead = base + [line(2, 4, 5, read, value(2))]
        let unswappedRead = base + [line(2, 4, 5, read, value(1))]
        XCTAssertEqual(try check(file("register", swappedRead)).verdict, .linearizable)
        XCTAssertEqual(try check(file("register", unswappedRead)).verdict, .illegal)
    }

    func testCallsSortBeforeReturnsAtEqualTimes() throws {
        // The read is called at 5, when the write returns: the intervals overlap (closed), so
        // the read may come first and see null. One tick later it may not.
        let touching = [line(0, 0, 5, write(1), done), line(1, 5, 6, read, value(nil))]
        let after = [line(0, 0, 5, write(1), done), line(1, 6, 7, read, value(nil))]
        XCTAssertEqual(try check(file("register", touching)).verdict, .linearizable)
        XCTAssertEqual(try check(file("register", after)).verdict, .illegal)
        // Same with the read returning at 3 and the write called at 3: the write may go first.
        let readFirst = [line(0, 0, 3, read, value(1)), line(1, 3, 4, write(1), done)]
        XCTAssertEqual(try check(file("register", readFirst)).verdict, .linearizable)
    }

    func testStringAndBooleanValuesAndAlias() throws {
        let text = file(
            "etcd-register",
            [
                line(0, 0, 1, #"{"op":"write","value":"a"}"#, done),
                line(1, 2, 3, #"{"op":"cas","from":"a","to":true}"#, casOK(true)),
                line(2, 4, 5, read, #"{"value":true}"#),
            ])
        XCTAssertEqual(try check(text).verdict, .linearizable)
    }

    func testEmptyHistoryIsLinearizable() throws {
        let result = try check(file("register", []))
        XCTAssertEqual(result.verdict, .linearizable)
        XCTAssertEqual(result.operationCount, 0)
    }

    func testBuiltInCode() {
        var history = RegisterHistory()
        let writeOne = history.recordCall(client: 0, input: .write(.int(1)), time: 0)
        let readOne = history.recordCall(client: 1, input: .read, time: 1)
        history.recordReturn(writeOne, output: .ok, time: 2)
        history.recordReturn(readOne, output: .value(.int(1)), time: 3)
        XCTAssertEqual(history.check().verdict, .linearizable)
        history.operations[readOne].output = .value(.int(7))
        XCTAssertEqual(history.check().verdict, .illegal)
    }
}
