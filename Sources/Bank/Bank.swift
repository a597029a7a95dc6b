// The bank of BU CS350 HW2 as an async process: one bank lock guarding the account map and one
// SimMutex per account guarding its balance. Every operation on an account holds that account's
// lock for the whole read-modify-write and spends `opCostNs` of virtual time inside it, so the
// original's time bounds ("finish in 10 s") are checked in virtual time. Transfer takes both
// account locks in a global order (lower id first), which rules out the AB/BA deadlock.
//
// The account map is read without taking the bank lock: in the simulation a synchronous map read
// is atomic (nothing else runs until the next await), which is what Go's RLock gives readers;
// CreateAccount takes the bank lock to serialise writers. The map is only ever looked up by key
// or listed in sorted order, so hash order never reaches a decision.
import DSimCore

/// One account: its balance and the lock that guards it.
public final class Account {
    /// The balance. Invariant: only read or written while `lock` is held (unless a bug is planted).
    public internal(set) var balance: Int
    /// Guards `balance`.
    public let lock: SimMutex

    init(balance: Int, lock: SimMutex) {
        self.balance = balance
        self.lock = lock
    }
}

/// A bank shared by many simulated client tasks.
public final class Bank {
    let sim: AsyncSimulation
    let bankLock: SimMutex
    var accounts: [Int: Account] = [:]
    /// Virtual time each operation spends inside its critical section.
    public let opCostNs: VirtualTime
    /// Planted bugs (none by default).
    public let bugs: BankBugs

    /// A bank with no accounts.
    public init(
        _ sim: AsyncSimulation, opCostNs: VirtualTime = 2 * Duration.microsecond,
        bugs: BankBugs = BankBugs()
    ) {
        precondition(opCostNs >= 0, "opCostNs(\(opCostNs)) < 0")
        self.sim = sim
        self.bankLock = SimMutex(sim, name: "bank")
        self.opCostNs = opCostNs
        self.bugs = bugs
    }

    /// Number of accounts.
    public var accountCount: Int { accounts.count }

    /// Every account id, ascending.
    public var accountIDs: [Int] { accounts.keys.sorted() }

    /// The balance of `id` read without locking (for checkers, after the run); nil if unknown.
    public func peekBalance(_ id: Int) -> Int? { accounts[id]?.balance }

    /// Creates account `id` with balance 0. Throws `BankError.duplicateAccount` if it exists.
    public func createAccount(_ id: Int) async throws {
        try await bankLock.lock()
        defer { bankLock.unlock() }
        guard accounts[id] == nil else { throw logged(.duplicateAccount(id)) }
        accounts[id] = Account(balance: 0, lock: SimMutex(sim, name: "account \(id)"))
        try await work()
    }

    /// Adds `amount` to `id`.
    public func deposit(_ id: Int, _ amount: Int) async throws {
        precondition(amount >= 0, "deposit of \(amount) < 0 to \(id)")
        let a = try account(id)
        if bugs.balanceOutsideLock {
            let before = a.balance
            try await sim.yield()
            try await a.lock.lock()
            a.balance = before + amount
        } else {
            try await a.lock.lock()
            a.balance += amount
        }
        try await work()
        a.lock.unlock()
    }

    /// Takes `amount` from `id`; false (and no change) if the balance is smaller.
    public func withdraw(_ id: Int, _ amount: Int) async throws -> Bool {
        precondition(amount >= 0, "withdraw of \(amount) < 0 from \(id)")
        let a = try account(id)
        var before = a.balance
        if bugs.balanceOutsideLock { try await sim.yield() }
        try await a.lock.lock()
        if !bugs.balanceOutsideLock { before = a.balance }
        try await work()
        guard before >= amount else {
            if !bugs.withdrawNoUnlock { a.lock.unlock() }
            return false
        }
        a.balance = before - amount
        a.lock.unlock()
        return true
    }

    /// Deposits `amount` into `id` and reports whether the new balance is at least `threshold`,
    /// atomically: no other operation on `id` comes between the deposit and the comparison.
    public func depositAndCompare(_ id: Int, _ amount: Int, _ threshold: Int) async throws -> Bool {
        precondition(amount >= 0, "depositAndCompare of \(amount) < 0 to \(id)")
        if bugs.depositCompareNotAtomic {
            try await deposit(id, amount)
            try await sim.yield()
            return try await getBalance(id) >= threshold
        }
        let a = try account(id)
        try await a.lock.lock()
        defer { a.lock.unlock() }
        if bugs.depositCompareSelfLock {
            try await deposit(id, amount)
        } else {
            a.balance += amount
        }
        try await work()
        return a.balance >= threshold
    }

    /// The balance of `id`.
    public func getBalance(_ id: Int) async throws -> Int {
        let a = try account(id)
        try await a.lock.lock()
        defer { a.lock.unlock() }
        try await work()
        return a.balance
    }

    /// The account `id`, or a logged `unknownAccount` error.
    func account(_ id: Int) throws -> Account {
        guard let a = accounts[id] else { throw logged(.unknownAccount(id)) }
        return a
    }

    /// The virtual cost of an operation, spent inside its critical section.
    func work() async throws {
        if opCostNs > 0 { try await sim.sleep(opCostNs) }
    }

    /// Logs `error` as a `bank.error` observation and returns it.
    func logged(_ error: BankError) -> BankError {
        sim.trace.observe(
            "bank.error", node: sim.currentNode,
            [("error", .string(error.description)), ("id", .int(Int64(error.accountID)))])
        return error
    }
}
