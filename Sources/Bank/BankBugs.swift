// Planted bugs of the bank: each reproduces a mistake of the HW2 skeleton or a classic
// student bug, so the checks can be shown to find it (lab-tests.md §10).

/// Bugs that can be planted in the bank, to prove the checks find them. All off by default.
public struct BankBugs: Equatable, Sendable {
    /// Transfer locks sender then receiver (the skeleton's AB/BA deadlock).
    public var transferCallerOrder = false
    /// Deposit and Withdraw read the balance before taking the account lock (lost update).
    public var balanceOutsideLock = false
    /// Withdraw returns on insufficient funds without unlocking (the skeleton's bug).
    public var withdrawNoUnlock = false
    /// DepositAndCompare deposits, releases the lock, then reads the balance (not atomic).
    public var depositCompareNotAtomic = false
    /// DepositAndCompare holds the account lock and calls Deposit, which locks it again (the
    /// skeleton's self-deadlock).
    public var depositCompareSelfLock = false

    /// No bugs.
    public init() {}
}
