/// A bank of integer accounts (BU CS350 HW2, `Sources/Bank`), partitioned by the accounts an
/// operation touches.
///
/// Every account starts at balance 0 (CreateAccount is not an operation of the model: a client
/// can only name an account once its creation returned). A transfer touches two accounts, so
/// the checker joins accounts moved between into one partition (connected components of
/// `partitionKeys`); the state is the balances of the partition's accounts.
///
///     deposit(a, x)                 balance(a) += x
///     withdraw(a, x) -> ok          ok iff balance(a) >= x; if ok, balance(a) -= x
///     transfer(s, r, x, od) -> ok   ok iff od || balance(s) >= x; if ok and s != r, x moves
///     depositAndCompare(a, x, t)    balance(a) += x; -> balance(a) >= t (after the deposit)
///     getBalance(a) -> n            n == balance(a)
///
/// Withdrawing exactly the whole balance succeeds; a transfer with `overdraw` always succeeds
/// (the balance may go negative); a transfer from an account to itself changes nothing and
/// reports whether the funds sufficed.
public struct BankModel: LinearizabilityModel {
    /// One bank request.
    public typealias Input = BankInput
    /// One bank reply.
    public typealias Output = BankOutput
    /// The balances of the partition's accounts.
    public typealias State = BankBalances

    /// `bank`.
    public static let names = ["bank"]

    /// The bank model.
    public init() {}

    /// Every account starts at 0.
    public var initialState: BankBalances { BankBalances() }

    /// The first account the operation touches (`partitionKeys` has them all).
    public func partitionKey(for input: BankInput) -> String? { String(input.accounts[0]) }

    /// Every account the operation touches: the sender and receiver of a transfer.
    public func partitionKeys(for input: BankInput) -> [String] { input.accounts.map(String.init) }

    /// The state after `input` with `output`, or nil when the bank could not have answered so.
    public func step(_ state: BankBalances, input: BankInput, output: BankOutput?) -> BankBalances?
    {
        switch input {
        case .deposit(let a, let amount):
            return output == nil || output == .ok ? state.adding(amount, to: a) : nil
        case .withdraw(let a, let amount):
            let isOK = state[a] >= amount
            guard output == nil || output == .flag(isOK) else { return nil }
            return isOK ? state.adding(-amount, to: a) : state
        case .transfer(let s, let r, let amount, let isOverdrawAllowed):
            let isOK = isOverdrawAllowed || state[s] >= amount
            guard output == nil || output == .flag(isOK) else { return nil }
            return isOK && s != r ? state.adding(-amount, to: s).adding(amount, to: r) : state
        case .depositAndCompare(let a, let amount, let threshold):
            let after = state.adding(amount, to: a)
            guard output == nil || output == .flag(after[a] >= threshold) else { return nil }
            return after
        case .getBalance(let a):
            return output == nil || output == .balance(state[a]) ? state : nil
        }
    }

    /// getBalance, and a transfer from an account to itself, never change a balance.
    public func isReadOnly(_ input: BankInput) -> Bool {
        switch input {
        case .getBalance: return true
        case .transfer(let s, let r, _, _): return s == r
        default: return false
        }
    }

    /// The entries' array buffer: a 32-byte header and 16 bytes an entry, in a malloc chunk.
    public func heapByteCount(of state: BankBalances) -> Int {
        state.entries.isEmpty ? 0 : (32 + 16 * state.entries.count + 8 + 15) / 16 * 16
    }

    /// `deposit(1, 50)`, `withdraw(1, 50) -> false`, `transfer(1, 2, 50, overdraw) -> true`,
    /// `depositAndCompare(1, 50, 300) -> true`, `getBalance(1) -> 50`; `?` marks unknown.
    public func describe(input: BankInput, output: BankOutput?) -> String {
        let call: String
        switch input {
        case .deposit(let a, let amount): call = "deposit(\(a), \(amount))"
        case .withdraw(let a, let amount): call = "withdraw(\(a), \(amount))"
        case .transfer(let s, let r, let amount, let isOverdrawAllowed):
            call = "transfer(\(s), \(r), \(amount)\(isOverdrawAllowed ? ", overdraw" : ""))"
        case .depositAndCompare(let a, let amount, let threshold):
            call = "depositAndCompare(\(a), \(amount), \(threshold))"
        case .getBalance(let a): call = "getBalance(\(a))"
        }
        switch output {
        case nil: return call + " -> ?"
        case .ok?: return call
        case .flag(let isOK)?: return "\(call) -> \(isOK)"
        case .balance(let balance)?: return "\(call) -> \(balance)"
        }
    }

    /// `{0: 50, 2: -10}` (accounts at 0 are left out).
    public func describe(state: BankBalances) -> String { state.description }

    /// `{"op":"deposit"|"withdraw","account":A,"amount":X}`,
    /// `{"op":"transfer","from":S,"to":R,"amount":X,"overdraw":B}`,
    /// `{"op":"depositAndCompare","account":A,"amount":X,"threshold":T}`,
    /// `{"op":"getBalance","account":A}`.
    public static func decodeInput(_ fields: JSONFields) throws -> BankInput {
        let op = try fields.string("op")
        switch op {
        case "deposit": return .deposit(try fields.int("account"), try fields.int("amount"))
        case "withdraw": return .withdraw(try fields.int("account"), try fields.int("amount"))
        case "transfer":
            return .transfer(
                try fields.int("from"), try fields.int("to"), try fields.int("amount"),
                overdraw: try fields.bool("overdraw"))
        case "depositAndCompare":
            return .depositAndCompare(
                try fields.int("account"), try fields.int("amount"), try fields.int("threshold"))
        case "getBalance": return .getBalance(try fields.int("account"))
        default:
            throw fields.invalid(
                "op",
                "unknown bank operation \"\(op)\" (deposit, withdraw, transfer,"
                    + " depositAndCompare, getBalance)")
        }
    }

    /// `{}` for deposit, `{"ok":B}` for withdraw, transfer and depositAndCompare,
    /// `{"balance":N}` for getBalance.
    public static func decodeOutput(_ fields: JSONFields, for input: BankInput) throws
        -> BankOutput
    {
        switch input {
        case .deposit: return .ok
        case .withdraw, .transfer, .depositAndCompare: return .flag(try fields.bool("ok"))
        case .getBalance: return .balance(try fields.int("balance"))
        }
    }

    /// The input object of a history line.
    public static func encode(input: BankInput) -> JSONObject {
        switch input {
        case .deposit(let a, let amount):
            return JSONObject([
                "op": .string("deposit"), "account": .int(a), "amount": .int(amount),
            ])
        case .withdraw(let a, let amount):
            return JSONObject([
                "op": .string("withdraw"), "account": .int(a), "amount": .int(amount),
            ])
        case .transfer(let s, let r, let amount, let isOverdrawAllowed):
            return JSONObject([
                "op": .string("transfer"), "from": .int(s), "to": .int(r), "amount": .int(amount),
                "overdraw": .bool(isOverdrawAllowed),
            ])
        case .depositAndCompare(let a, let amount, let threshold):
            return JSONObject([
                "op": .string("depositAndCompare"), "account": .int(a), "amount": .int(amount),
                "threshold": .int(threshold),
            ])
        case .getBalance(let a):
            return JSONObject(["op": .string("getBalance"), "account": .int(a)])
        }
    }

    /// The output object of a history line.
    public static func encode(output: BankOutput) -> JSONObject {
        switch output {
        case .ok: return JSONObject()
        case .flag(let isOK): return JSONObject(["ok": .bool(isOK)])
        case .balance(let balance): return JSONObject(["balance": .int(balance)])
        }
    }
}

/// A bank request (ids and amounts as the bank takes them; amounts are never negative).
public enum BankInput: Hashable, Sendable {
    /// Deposit(account, amount).
    case deposit(Int, Int)
    /// Withdraw(account, amount).
    case withdraw(Int, Int)
    /// Transfer(sender, receiver, amount, allowOverdraw).
    case transfer(Int, Int, Int, overdraw: Bool)
    /// DepositAndCompare(account, amount, threshold).
    case depositAndCompare(Int, Int, Int)
    /// GetBalance(account).
    case getBalance(Int)

    /// The accounts the request touches (sender first for a transfer), never empty.
    public var accounts: [Int] {
        switch self {
        case .deposit(let a, _), .withdraw(let a, _), .depositAndCompare(let a, _, _),
            .getBalance(let a):
            return [a]
        case .transfer(let s, let r, _, _): return s == r ? [s] : [s, r]
        }
    }
}

/// A bank reply (record nil in the history when the reply is unknown).
public enum BankOutput: Hashable, Sendable {
    /// A deposit returned.
    case ok
    /// What withdraw, transfer or depositAndCompare answered.
    case flag(Bool)
    /// What getBalance returned.
    case balance(Int)
}

/// Balances of a set of accounts; an account not listed has balance 0.
///
/// Invariant: `entries` is sorted by account and holds no zero balance, so equal balances are
/// equal values (the checker interns states by hash).
public struct BankBalances: Hashable, Sendable, CustomStringConvertible {
    /// One account's balance.
    public struct Entry: Hashable, Sendable {
        /// The account id.
        public var account: Int
        /// Its balance, never 0 in `entries`.
        public var balance: Int
    }

    /// The nonzero balances, by account.
    public private(set) var entries: [Entry] = []

    /// Every account at 0.
    public init() {}

    /// The balance of `account`.
    public subscript(account: Int) -> Int {
        entries.first { $0.account == account }?.balance ?? 0
    }

    /// The balances after adding `amount` (negative to take) to `account`.
    public func adding(_ amount: Int, to account: Int) -> BankBalances {
        guard amount != 0 else { return self }
        var result = self
        let position = entries.firstIndex { $0.account >= account } ?? entries.endIndex
        if position < entries.endIndex && entries[position].account == account {
            let balance = entries[position].balance &+ amount
            if balance == 0 {
                result.entries.remove(at: position)
            } else {
                result.entries[position].balance = balance
            }
        } else {
            result.entries.insert(Entry(account: account, balance: amount), at: position)
        }
        return result
    }

    /// `{0: 50, 2: -10}`.
    public var description: String {
        "{" + entries.map { "\($0.account): \($0.balance)" }.joined(separator: ", ") + "}"
    }
}
