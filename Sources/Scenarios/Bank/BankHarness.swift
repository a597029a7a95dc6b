// The bank's tester: client operations go through this harness, which keeps the tester's tally
// (the balance every account must end with, from the results the bank returned), logs each
// operation as an observation, and after the run checks the invariants every bank run must keep:
//   - no deadlock in the interleaving that ran (`sim.deadlock()` names who waits on what);
//   - money conserved: the sum of balances equals deposits minus successful withdrawals;
//   - each balance equals the tally;
//   - unknown and duplicate ids are refused with the right `BankError`;
//   - the original's time bound, in virtual time;
//   - every result a client saw fits a sequential bank (`BankHarness+History.swift`).
// The first violation stops the run (`sim.violation`).
import Bank
import DSimCheck
import DSimCore

/// One bank run: a simulation, a bank, and the tester's bookkeeping.
final class BankHarness: @unchecked Sendable {
    let ctx: RunContext
    let sim: AsyncSimulation
    let bank: Bank
    /// Expected balance per account id (looked up by key; listed only sorted).
    var tally: [Int: Int] = [:]
    var deposited = 0
    var withdrawn = 0
    /// Trace line of the last operation on each account, for violations.
    var lastLine: [Int: TraceLine] = [:]
    let start: VirtualTime
    var finishedAt: VirtualTime = 0
    var clientsRunning = 0
    /// Accounts clients may pick (fuzz), in creation order.
    var live: [Int] = []
    /// Per-port counters (e.g. false results per account).
    var counts: [Int] = []
    /// Every client operation on an account, with its call and return lines.
    var clientHistory = BankHistory()

    /// Clients are spread over this many client nodes (1...clientNodes); the bank is on node 0.
    /// Spreading keeps each node's list of pending waits short when thousands of clients block.
    let clientNodes: Int
    var clientsSpawned = 0

    /// A harness over a simulation of the bank's node and `clientNodes` client nodes; planted
    /// bugs come from `ctx`.
    init(_ ctx: RunContext, opCostNs: VirtualTime = 2 * Duration.microsecond, clientNodes: Int = 64)
    {
        precondition(clientNodes >= 1, "clientNodes(\(clientNodes)) < 1")
        self.ctx = ctx
        self.clientNodes = clientNodes
        sim = AsyncSimulation(nodes: 1 + clientNodes, choices: ctx.choices, trace: ctx.trace)
        var bugs = BankBugs()
        bugs.transferCallerOrder = ctx.isPlanted("transfer-caller-order")
        bugs.balanceOutsideLock = ctx.isPlanted("balance-outside-lock")
        bugs.withdrawNoUnlock = ctx.isPlanted("withdraw-no-unlock")
        bugs.depositCompareNotAtomic = ctx.isPlanted("deposit-compare-not-atomic")
        bugs.depositCompareSelfLock = ctx.isPlanted("deposit-compare-self-lock")
        bank = Bank(sim, opCostNs: opCostNs, bugs: bugs)
        start = sim.now
    }

    /// Spawns a client task; its finishing time counts toward the time bound. `group`, if
    /// given, is also told when it finishes (a tester waiting for the operations it started).
    func client(
        _ name: String, group: SimWaitGroup? = nil,
        _ body: @escaping @Sendable () async throws -> Void
    ) {
        clientsRunning += 1
        group?.add(1)
        let node = 1 + clientsSpawned % clientNodes
        clientsSpawned += 1
        if clientsSpawned % 1024 == 0 { sim.compactTasks() }
        sim.spawn(node, name) { [self] in
            try await body()
            clientsRunning -= 1
            finishedAt = max(finishedAt, sim.now)
            group?.done()
        }
    }

    /// The original's CreateAccounts: ids 0..<count created by concurrent clients; returns
    /// when all are done.
    func createAccounts(_ count: Int) async throws {
        let group = SimWaitGroup(sim)
        for id in 0..<count { client("create \(id)", group: group) { try await self.create(id) } }
        try await group.wait()
    }

    /// The tester's own GetBalance (the originals read it to size a withdrawal).
    func balance(_ id: Int) async throws -> Int {
        try await getBalance(id) ?? 0
    }

    /// Stops the run with `v` (the first violation wins).
    func fail(_ v: Violation) {
        if sim.violation == nil { sim.violation = v }
    }

    /// Logs the start of an operation (so one that never returns still shows in the trace);
    /// returns its line.
    @discardableResult
    func logCall(_ op: String, _ id: Int, _ amount: Int, to: Int? = nil) -> TraceLine {
        return ctx.trace.observe(
            "bank.call", node: sim.currentNode,
            [
                ("op", .string(op)), ("id", .int(Int64(id))), ("amount", .int(Int64(amount))),
                ("to", to.map { .int(Int64($0)) } ?? .null),
            ])
    }

    /// Logs a completed operation and returns its line.
    @discardableResult
    func logOp(_ op: String, _ id: Int, _ amount: Int, ok: Bool, to: Int? = nil) -> TraceLine {
        let line = ctx.trace.observe(
            "bank.op", node: sim.currentNode,
            [
                ("op", .string(op)), ("id", .int(Int64(id))), ("amount", .int(Int64(amount))),
                ("to", to.map { .int(Int64($0)) } ?? .null), ("ok", .bool(ok)),
            ])
        lastLine[id] = line
        if let r = to { lastLine[r] = line }
        return line
    }

    /// Runs `op`, turning an unexpected `BankError` into a violation (and a nil result).
    func expectSuccess<T>(_ what: String, _ op: () async throws -> T) async throws -> T? {
        do { return try await op() } catch let e as BankError {
            let line = ctx.trace.observe(
                "bank.unexpected", node: sim.currentNode, [("error", .string("\(e)"))])
            fail(Violation("unexpected-error", "\(what) failed: \(e)", events: [line]))
            return nil
        }
    }

    /// Runs `op`, which must fail with exactly `expected`.
    func expectError(_ expected: BankError, _ what: String, _ op: () async throws -> Void)
        async throws
    {
        let invariant =
            if case .unknownAccount = expected { "unknown-id-error" } else { "duplicate-id-error" }
        do {
            try await op()
            let line = ctx.trace.observe(
                "bank.noerror", node: sim.currentNode, [("op", .string(what))])
            fail(Violation(invariant, "\(what) succeeded; expected \(expected)", events: [line]))
        } catch let e as BankError {
            let line = ctx.trace.observe(
                "bank.refused", node: sim.currentNode, [("error", .string("\(e)"))])
            if e != expected {
                fail(
                    Violation(invariant, "\(what) threw \(e); expected \(expected)", events: [line])
                )
            }
        }
    }
}

// Operations as a client sees them: call the bank, then update the tally from the result.
extension BankHarness {
    func create(_ id: Int) async throws {
        logCall("create", id, 0)
        guard try await expectSuccess("create \(id)", { try await bank.createAccount(id) }) != nil
        else { return }
        tally[id] = 0
        logOp("create", id, 0, ok: true)
    }

    func deposit(_ id: Int, _ amount: Int) async throws {
        let call = recordCall(.deposit(id, amount), line: logCall("deposit", id, amount))
        guard
            try await expectSuccess("deposit \(id)", { try await bank.deposit(id, amount) }) != nil
        else { return }
        tally[id, default: 0] += amount
        deposited += amount
        recordReturn(call, .ok, line: logOp("deposit", id, amount, ok: true))
    }

    @discardableResult
    func withdraw(_ id: Int, _ amount: Int) async throws -> Bool {
        let call = recordCall(.withdraw(id, amount), line: logCall("withdraw", id, amount))
        let ok = try await expectSuccess("withdraw \(id)") { try await bank.withdraw(id, amount) }
        guard let ok else { return false }
        if ok {
            tally[id, default: 0] -= amount
            withdrawn += amount
        }
        recordReturn(call, .flag(ok), line: logOp("withdraw", id, amount, ok: ok))
        return ok
    }

    @discardableResult
    func transfer(_ s: Int, _ r: Int, _ amount: Int, overdraw: Bool) async throws -> Bool {
        let call = recordCall(
            .transfer(s, r, amount, overdraw: overdraw),
            line: logCall("transfer", s, amount, to: r))
        let ok = try await expectSuccess("transfer \(s)->\(r)") {
            try await bank.transfer(s, r, amount, allowOverdraw: overdraw)
        }
        guard let ok else { return false }
        if ok {
            tally[s, default: 0] -= amount
            tally[r, default: 0] += amount
        }
        recordReturn(call, .flag(ok), line: logOp("transfer", s, amount, ok: ok, to: r))
        return ok
    }

    @discardableResult
    func depositAndCompare(_ id: Int, _ amount: Int, _ threshold: Int) async throws -> Bool {
        let call = recordCall(
            .depositAndCompare(id, amount, threshold),
            line: logCall("depositAndCompare", id, amount))
        let ok = try await expectSuccess("depositAndCompare \(id)") {
            try await bank.depositAndCompare(id, amount, threshold)
        }
        guard let ok else { return false }
        tally[id, default: 0] += amount
        deposited += amount
        recordReturn(call, .flag(ok), line: logOp("depositAndCompare", id, amount, ok: ok))
        return ok
    }

    /// GetBalance; its `bank.op` line logs the balance read as `amount`.
    func getBalance(_ id: Int) async throws -> Int? {
        let call = recordCall(.getBalance(id), line: logCall("getBalance", id, 0))
        let balance = try await expectSuccess("getBalance \(id)") {
            try await bank.getBalance(id)
        }
        guard let balance else { return nil }
        recordReturn(call, .balance(balance), line: logOp("getBalance", id, balance, ok: true))
        return balance
    }
}
