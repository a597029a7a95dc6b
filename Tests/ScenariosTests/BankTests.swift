// Bank (BU CS350 HW2): the ports pass, fuzz passes, every planted bug is caught by fuzz at its
// pinned first seed, a seed reproduces its trace byte for byte, and the client history check
// (`BankHistory`) catches what the two bank mutants make clients see.
import Bank
import DSimCheck
import DSimCore
import Foundation
import Scenarios
import XCTest

final class BankTests: XCTestCase {
    func run(
        _ scenario: String, seed: UInt64, planted: [String] = [], params: JSON = .object([]),
        record: Bool = false
    ) throws -> RunResult {
        let system = try XCTUnwrap(Catalog.system("bank"))
        var request = RunRequest(
            system: system, scenario: try XCTUnwrap(system.scenario(scenario)), seed: seed)
        request.planted = planted
        request.params = params
        return Runner.run(
            request, source: .seed(seed), record: record, build: BuildInfo(commit: "test"))
    }

    func testEntryListsPortsThenFuzz() throws {
        let names = BankSystem.entry.scenarios.map(\.name)
        XCTAssertEqual(
            names,
            [
                "TestCreateAccountBasic", "TestCreateAccountMany", "TestManyDepositsAndWithdraws",
                "TestFewTransfers", "TestManyTransfers", "TestDepositAndCompare", "TestHiddenBonus",
                "fuzz",
            ])
        XCTAssertEqual(BankSystem.entry.scenarios.filter { $0.portOf != nil }.count, 7)
    }

    func testPortsPass() throws {
        for name in [
            "TestCreateAccountBasic", "TestCreateAccountMany", "TestFewTransfers",
            "TestManyTransfers", "TestDepositAndCompare",
        ] {
            for seed: UInt64 in 1...2 {
                XCTAssertEqual(try run(name, seed: seed).verdict, .ok, "\(name) seed \(seed)")
            }
        }
    }

    /// The two heavy ports at a tenth of their rounds in release (a hundredth in debug): 1M
    /// and 320k operations in full take about 4 s and 1.5 s of CPU in release.
    /// `DSIM_FULL_PORTS=1` runs the original counts.
    func testHeavyPorts() throws {
        let full = ProcessInfo.processInfo.environment["DSIM_FULL_PORTS"] == "1"
        #if DEBUG
            let divisor = 100
        #else
            let divisor = 10
        #endif
        for (name, rounds) in [("TestManyDepositsAndWithdraws", 10_000), ("TestHiddenBonus", 8000)]
        {
            let params =
                full ? JSON.object([]) : .object([("rounds", .int(Int64(rounds / divisor)))])
            for seed: UInt64 in 1...(full ? 1 : 2) {
                let verdict = try run(name, seed: seed, params: params).verdict
                XCTAssertEqual(verdict, .ok, "\(name) seed \(seed)")
            }
        }
    }

    func testFuzzPasses50Seeds() throws {
        for seed: UInt64 in 1...50 {
            XCTAssertEqual(try run("fuzz", seed: seed).verdict, .ok, "fuzz seed \(seed)")
        }
    }

    /// Each planted bug: the first failing fuzz seed and the invariant it breaks.
    func testPlantedBugsCaughtByFuzz() throws {
        let expected: [(bug: String, seed: UInt64, invariant: String)] = [
            ("transfer-caller-order", 16, "deadlock"),
            ("balance-outside-lock", 1, "money-conserved"),
            ("withdraw-no-unlock", 1, "deadlock"),
            ("deposit-compare-not-atomic", 1, "deposit-compare-count"),
            ("deposit-compare-self-lock", 1, "deadlock"),
        ]
        XCTAssertEqual(BankSystem.entry.plantedBugs.map(\.name), expected.map(\.bug))
        for e in expected {
            var first: (UInt64, Violation)?
            for seed: UInt64 in 1...200 {
                if case .violation(let v) = try run("fuzz", seed: seed, planted: [e.bug]).verdict {
                    first = (seed, v)
                    break
                }
            }
            let (seed, v) = try XCTUnwrap(first, "\(e.bug) not found in 200 seeds")
            XCTAssertEqual(seed, e.seed, e.bug)
            XCTAssertEqual(v.invariant, e.invariant, "\(e.bug): \(v)")
        }
    }

    func testSameSeedSameTrace() throws {
        for (name, seed) in [("fuzz", UInt64(7)), ("TestFewTransfers", 3)] {
            let a = try run(name, seed: seed, planted: [], record: true)
            let b = try run(name, seed: seed, planted: [], record: true)
            XCTAssertGreaterThan(a.lines.count, 50)
            XCTAssertEqual(a.lines, b.lines, name)
        }
        let a = try run("fuzz", seed: 16, planted: ["transfer-caller-order"], record: true)
        let b = try run("fuzz", seed: 16, planted: ["transfer-caller-order"], record: true)
        XCTAssertEqual(a.lines, b.lines)
        XCTAssertEqual(a.verdict.name, "violation")
    }

    /// Unknown and duplicate ids are refused with typed errors, logged as observations.
    func testErrorsForUnknownAndDuplicateIDs() throws {
        let trace = TraceRecorder(recording: true)
        let sim = AsyncSimulation(nodes: 1, choices: Choices(.seed(1)), trace: trace)
        let bank = Bank(sim)
        nonisolated(unsafe) var errors: [BankError] = []
        sim.spawn(0, "client") {
            try await bank.createAccount(1)
            do { try await bank.createAccount(1) } catch let e as BankError { errors.append(e) }
            do { try await bank.deposit(2, 5) } catch let e as BankError { errors.append(e) }
            do { _ = try await bank.transfer(1, 3, 5, allowOverdraw: true) } catch let e
                as BankError
            {
                errors.append(e)
            }
        }
        sim.runToQuiescence()
        XCTAssertEqual(errors, [.duplicateAccount(1), .unknownAccount(2), .unknownAccount(3)])
        XCTAssertEqual(trace.lines.filter { $0.contains("bank.error") }.count, 3)
        XCTAssertNil(sim.deadlock())
    }

    /// A history as the mutant `bank-withdraw-exact-refused` makes it: the whole balance
    /// refused. The check names `bank-linearizability` and cites the refusal's `bank.op` line.
    func testHistoryCheckCatchesWithdrawOfWholeBalanceRefused() throws {
        var history = BankHistory()
        let trace = TraceRecorder(recording: true)
        history.recordReturn(
            history.recordCall(.deposit(0, 50), client: 1, line: 10), .ok, line: 11)
        history.recordReturn(
            history.recordCall(.withdraw(0, 50), client: 1, line: 12), .flag(false), line: 13)
        let v = try XCTUnwrap(history.check(trace: trace))
        XCTAssertEqual(v.invariant, "bank-linearizability")
        XCTAssertEqual(v.events, [13])
        XCTAssertTrue(v.message.contains("withdraw(0, 50) -> false"), v.message)
        XCTAssertEqual(trace.lines.count, 0, "an illegal history writes no bank.history line")
    }

    /// The mutant `bank-transfer-ignores-overdraw`: an overdraw transfer refused, while an
    /// earlier one of the whole balance without overdraw went through (legal on its own).
    func testHistoryCheckCatchesOverdrawRefused() throws {
        var history = BankHistory()
        let trace = TraceRecorder(recording: true)
        let ops: [(BankInput, BankOutput)] = [
            (.deposit(1, 30), .ok), (.transfer(1, 2, 30, overdraw: false), .flag(true)),
            (.transfer(2, 1, 40, overdraw: true), .flag(false)),
        ]
        for (i, (input, output)) in ops.enumerated() {
            let id = history.recordCall(input, client: 1, line: 20 + 2 * i)
            history.recordReturn(id, output, line: 21 + 2 * i)
        }
        let v = try XCTUnwrap(history.check(trace: trace))
        XCTAssertEqual(v.invariant, "bank-linearizability")
        XCTAssertEqual(v.events, [25])
        XCTAssertTrue(v.message.contains(#"key "1,2""#), v.message)
    }

    /// A legal history is decided; a budget too small to decide passes, saying so in the trace
    /// (never a false violation).
    func testHistoryCheckLegalAndUndecided() throws {
        var history = BankHistory()
        let deposit = history.recordCall(.deposit(0, 30), client: 9, line: 1)
        history.recordReturn(deposit, .ok, line: 2)
        // Six concurrent withdrawals of 10 from 30: three succeed.
        let ids = (0..<6).map { history.recordCall(.withdraw(0, 10), client: $0, line: 3 + $0) }
        for (c, id) in ids.enumerated() {
            history.recordReturn(id, .flag(c % 2 == 0), line: 10 + c)
        }
        let decided = TraceRecorder(recording: true)
        XCTAssertNil(history.check(trace: decided))
        XCTAssertTrue(decided.lines[0].contains(#""verdict":"linearizable""#), decided.lines[0])
        let starved = TraceRecorder(recording: true)
        starved.checkIterationsMax = 1
        XCTAssertNil(history.check(trace: starved))
        XCTAssertTrue(starved.lines[0].contains(#""verdict":"undecided""#), starved.lines[0])
    }
}
