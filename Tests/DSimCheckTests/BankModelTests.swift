import DSimCheck
import XCTest

/// Toy bank histories with known verdicts: each operation's legal and illegal results, and the
/// partition by accounts linked by transfers.
final class BankModelTests: XCTestCase {
    func testWithdrawingTheWholeBalanceSucceeds() throws {
        let funded = line(0, 0, 1, deposit(1, 50), done)
        let exact = [
            funded, line(1, 2, 3, withdraw(1, 50), ok(true)), line(2, 4, 5, balance(1), n(0)),
        ]
        let refusedExact = [funded, line(1, 2, 3, withdraw(1, 50), ok(false))]
        let refusedShort = [funded, line(1, 2, 3, withdraw(1, 51), ok(false))]
        let overdrawn = [funded, line(1, 2, 3, withdraw(1, 51), ok(true))]
        XCTAssertEqual(try check(file("bank", exact)).verdict, .linearizable)
        XCTAssertEqual(try check(file("bank", refusedShort)).verdict, .linearizable)
        let result = try check(file("bank", refusedExact))
        XCTAssertEqual(result.verdict, .illegal)
        let explanation = try XCTUnwrap(result.explanation)
        XCTAssertEqual(explanation.partitionKey, "1")
        XCTAssertEqual(explanation.prefix.map(\.id), [0])
        XCTAssertEqual(explanation.stateAfterPrefix, "{1: 50}")
        XCTAssertEqual(explanation.blocked.map(\.id), [1])
        XCTAssertEqual(explanation.blocked[0].summary, "withdraw(1, 50) -> false")
        XCTAssertEqual(try check(file("bank", overdrawn)).verdict, .illegal)
    }

    func testWithdrawConcurrentWithDepositMayGoEitherWay() throws {
        let both = [line(0, 0, 10, deposit(1, 30), done)]
        for result in [true, false] {
            let text = file("bank", both + [line(1, 0, 10, withdraw(1, 30), ok(result))])
            XCTAssertEqual(try check(text).verdict, .linearizable, "withdraw -> \(result)")
        }
        let after = both + [line(1, 11, 12, withdraw(1, 30), ok(false))]
        XCTAssertEqual(try check(file("bank", after)).verdict, .illegal)
    }

    func testTransferWithOverdrawAlwaysSucceeds() throws {
        let overdrawn = [
            line(0, 0, 1, transfer(1, 2, 40, overdraw: true), ok(true)),
            line(1, 2, 3, balance(1), n(-40)), line(2, 2, 3, balance(2), n(40)),
        ]
        let refusedOverdraw = [line(0, 0, 1, transfer(1, 2, 40, overdraw: true), ok(false))]
        let refused = [
            line(0, 0, 1, transfer(1, 2, 40, overdraw: false), ok(false)),
            line(1, 2, 3, balance(2), n(0)),
        ]
        let wronglyPaid = [line(0, 0, 1, transfer(1, 2, 40, overdraw: false), ok(true))]
        XCTAssertEqual(try check(file("bank", overdrawn)).verdict, .linearizable)
        XCTAssertEqual(try check(file("bank", refused)).verdict, .linearizable)
        let result = try check(file("bank", refusedOverdraw))
        XCTAssertEqual(result.verdict, .illegal)
        XCTAssertEqual(result.explanation?.partitionKey, "1,2", "a transfer links its accounts")
        XCTAssertEqual(try check(file("bank", wronglyPaid)).verdict, .illegal)
    }

    func testTransferOfTheWholeBalanceAndToItself() throws {
        let funded = line(0, 0, 1, deposit(1, 40), done)
        let whole = [funded, line(1, 2, 3, transfer(1, 2, 40, overdraw: false), ok(true))]
        let toItself = [
            funded, line(1, 2, 3, transfer(1, 1, 41, overdraw: false), ok(false)),
            line(2, 4, 5, transfer(1, 1, 40, overdraw: false), ok(true)),
            line(3, 6, 7, balance(1), n(40)),
        ]
        XCTAssertEqual(try check(file("bank", whole)).verdict, .linearizable)
        XCTAssertEqual(try check(file("bank", toItself)).verdict, .linearizable)
    }

    func testDepositAndCompareSeesItsOwnDeposit() throws {
        let first = line(0, 0, 1, deposit(1, 90), done)
        let reached = [first, line(1, 2, 3, depositAndCompare(1, 10, 100), ok(true))]
        let strict = [first, line(1, 2, 3, depositAndCompare(1, 10, 100), ok(false))]
        let short = [first, line(1, 2, 3, depositAndCompare(1, 9, 100), ok(false))]
        XCTAssertEqual(try check(file("bank", reached)).verdict, .linearizable)
        XCTAssertEqual(try check(file("bank", short)).verdict, .linearizable)
        XCTAssertEqual(try check(file("bank", strict)).verdict, .illegal)
    }

    func testComponentsAndUnknownOutputs() throws {
        // Accounts 1 and 2 are linked by a transfer; 3 is its own partition.
        let text = file(
            "bank",
            [
                line(0, 0, 1, deposit(1, 10), done), line(1, 0, 1, deposit(3, 5), done),
                line(2, 2, nil, transfer(1, 2, 10, overdraw: false), unknown),
                line(3, 3, 4, balance(2), n(10)), line(4, 3, 4, balance(3), n(5)),
            ])
        let result = try check(text)
        XCTAssertEqual(result.verdict, .linearizable)
        XCTAssertEqual(result.partitionCount, 2)
    }

    func testHistoryRoundTripsThroughTheFileFormat() throws {
        let text = file(
            "bank",
            [
                line(0, 0, 1, deposit(1, 10), done), line(1, 2, 3, withdraw(1, 5), ok(true)),
                line(2, 4, 5, transfer(1, 2, 5, overdraw: true), ok(true)),
                line(3, 6, 7, depositAndCompare(2, 1, 6), ok(true)),
                line(4, 8, 9, balance(2), n(6)),
            ])
        let history = try HistoryReader.parse(text)
        XCTAssertEqual(history.modelName, "bank")
        let again = try HistoryReader.parse(history.jsonLines())
        XCTAssertEqual(again.jsonLines(), history.jsonLines())
        XCTAssertEqual(try check(text).verdict, .linearizable)
    }
}

// Bank inputs and outputs as JSON text.
private func deposit(_ a: Int, _ x: Int) -> String {
    #"{"op":"deposit","account":\#(a),"amount":\#(x)}"#
}
private func withdraw(_ a: Int, _ x: Int) -> String {
    #"{"op":"withdraw","account":\#(a),"amount":\#(x)}"#
}
private func transfer(_ s: Int, _ r: Int, _ x: Int, overdraw: Bool) -> String {
    #"{"op":"transfer","from":\#(s),"to":\#(r),"amount":\#(x),"overdraw":\#(overdraw)}"#
}
private func depositAndCompare(_ a: Int, _ x: Int, _ t: Int) -> String {
    #"{"op":"depositAndCompare","account":\#(a),"amount":\#(x),"threshold":\#(t)}"#
}
private func balance(_ a: Int) -> String { #"{"op":"getBalance","account":\#(a)}"# }
private func ok(_ flag: Bool) -> String { #"{"ok":\#(flag)}"# }
private func n(_ balance: Int) -> String { #"{"balance":\#(balance)}"# }
