// The bank's client history and its check (issue 16): every operation a client makes on an
// account goes into a `History<BankModel>` with its call and its return, timed by trace line
// numbers (the `bank.call` and `bank.op` lines, numbered even when nothing is recorded), which
// order events exactly as the run did: an operation whose `bank.op` line comes before another's
// `bank.call` line returned before the other was called. After every other check passed, the
// history is checked with the linearizability checker and `BankModel` (partitioned by accounts
// linked by transfers; a partition the model accepts in return order needs no search:
// `ReturnOrderWitness`). Illegal is a `bank-linearizability` violation citing the lines of the
// operations that cannot be placed. The check's budget is counted work, never seconds: search
// iterations per partition, and a history longer than `operationsMax` is not searched.
// When the budget runs out the run passes with a `bank.history` line saying the history was
// not decided: never a false violation, never a hang.
import Bank
import DSimCheck
import DSimCore

/// A bank run's client history, the trace lines of its operations (indexed by id), and its
/// check. `package` so a test can check a history it wrote (a mutant's) the way a run does.
package struct BankHistory {
    /// Search iterations each partition (accounts linked by transfers) may spend when the run
    /// sets no smaller budget (`TraceRecorder.checkIterationsMax`, a shrink's).
    package static let checkIterationsDefault = 1 << 20
    /// Bytes the search may hold, all partitions together (counted, so deterministic).
    static let checkCacheBytesMax = 256 << 20
    /// Operations a history may hold and still be checked: the heavy ports make hundreds of
    /// thousands, which would cost memory to record and could not be decided in the budget.
    package static let operationsMax = 100_000

    /// The operations recorded so far.
    package private(set) var history = History<BankModel>()
    /// Per operation: its `bank.call` line.
    private var callLines: [TraceLine] = []
    /// Per operation: its `bank.op` line, 0 while pending.
    private var returnLines: [TraceLine] = []
    /// Operations called after the history reached `operationsMax` (not recorded).
    private var droppedCount = 0

    /// An empty history.
    package init() {}

    /// Records the call of `input` by `client`, logged at `line`; returns its id, or nil when
    /// the history is full (it will not be checked).
    package mutating func recordCall(_ input: BankInput, client: Int, line: TraceLine) -> Int? {
        guard history.operations.count < Self.operationsMax else {
            droppedCount += 1
            return nil
        }
        let id = history.recordCall(client: client, input: input, time: line)
        callLines.append(line)
        returnLines.append(0)
        return id
    }

    /// Records the return of operation `id` (nil: not recorded) with `output`, logged at `line`.
    package mutating func recordReturn(_ id: Int?, _ output: BankOutput, line: TraceLine) {
        guard let id else { return }
        history.recordReturn(id, output: output, time: line)
        returnLines[id] = line
    }

    /// Checks the history; a `bank-linearizability` violation if it is illegal, nil otherwise.
    /// Writes a `bank.history` line saying whether it was decided, and adds the check's work to
    /// `trace.steps` (so a shrink's step budget bounds it too).
    package func check(trace: TraceRecorder) -> Violation? {
        let operations = history.operations.count
        guard droppedCount == 0 else {
            Self.undecided(
                trace, operations,
                "history not checked: more than \(Self.operationsMax) operations"
                    + " (\(droppedCount) more)")
            return nil
        }
        let options = CheckOptions(
            timeoutSeconds: nil, isParallel: false, cacheBytesMax: Self.checkCacheBytesMax,
            iterationsMax: trace.checkIterationsMax ?? Self.checkIterationsDefault)
        let result = history.check(options: options)
        trace.steps &+= result.configurationCount
        switch result.verdict {
        case .linearizable:
            trace.observe(
                "bank.history", node: nil,
                [
                    ("verdict", .string("linearizable")), ("ops", .int(Int64(operations))),
                    ("partitions", .int(Int64(result.partitionCount))),
                    ("inReturnOrder", .int(Int64(result.directPartitionCount))),
                    ("configurations", .int(Int64(result.configurationCount))),
                ])
            return nil
        case .unknown:
            Self.undecided(trace, operations, result.unknownReason ?? "?")
            return nil
        case .illegal:
            return illegal(result)
        }
    }

    /// Logs that the history of `operations` operations was not decided, and why.
    private static func undecided(_ trace: TraceRecorder, _ operations: Int, _ reason: String) {
        trace.observe(
            "bank.history", node: nil,
            [
                ("verdict", .string("undecided")), ("ops", .int(Int64(operations))),
                ("reason", .string(reason)),
            ])
    }

    /// The violation of an illegal history: the explanation, citing the `bank.op` line (or the
    /// `bank.call` line, if it never returned) of each operation that cannot be placed.
    private func illegal(_ result: CheckResult) -> Violation {
        let e = result.explanation!
        let ids = Set(e.blocked.map(\.id) + (e.deadline.map { [$0.id] } ?? [])).sorted()
        let lines = ids.map { id in returnLines[id] > 0 ? returnLines[id] : callLines[id] }
        let message =
            "the clients' results fit no sequential bank (\(result.operationCount) operations;"
            + " times are trace lines):\n" + e.text()
        return Violation("bank-linearizability", message, events: lines.sorted())
    }
}

extension BankHarness {
    /// Records the call of `input`, logged at `line`; returns its id (nil if not recorded).
    func recordCall(_ input: BankInput, line: TraceLine) -> Int? {
        clientHistory.recordCall(input, client: sim.currentNode ?? 0, line: line)
    }

    /// Records the return of operation `id` with `output`, logged at `line`.
    func recordReturn(_ id: Int?, _ output: BankOutput, line: TraceLine) {
        clientHistory.recordReturn(id, output, line: line)
    }

    /// Checks the client history (`BankHistory.check`).
    func checkHistory() -> Violation? { clientHistory.check(trace: ctx.trace) }
}
