// Errors of the bank: operating conditions a caller must handle, not crashes. The original
// (BU CS350 HW2) asks that missing and duplicate account ids be handled as errors and logged;
// its tester expects CreateAccount on an existing id to fail.

/// Why a bank operation was refused.
public enum BankError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No account has this id.
    case unknownAccount(Int)
    /// An account with this id already exists (CreateAccount on an existing id).
    case duplicateAccount(Int)

    /// One line for logs and traces.
    public var description: String {
        switch self {
        case .unknownAccount(let id): return "unknown account \(id)"
        case .duplicateAccount(let id): return "duplicate account \(id)"
        }
    }

    /// The account id the error is about.
    public var accountID: Int {
        switch self {
        case .unknownAccount(let id), .duplicateAccount(let id): return id
        }
    }
}
