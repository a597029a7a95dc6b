// Transfer between two accounts. Both locks are taken in ascending id order, so two transfers in
// opposite directions cannot each hold one lock and wait for the other (the skeleton's AB/BA
// deadlock, kept as the planted bug `transferCallerOrder`).
import DSimCore

extension Bank {
    /// Moves `amount` from `sender` to `receiver`. Without `allowOverdraw` it refuses (returns
    /// false, no change) when the sender's balance is smaller than `amount`. A transfer from an
    /// account to itself changes nothing and reports whether the funds sufficed.
    public func transfer(
        _ sender: Int, _ receiver: Int, _ amount: Int, allowOverdraw: Bool
    ) async throws -> Bool {
        precondition(amount >= 0, "transfer of \(amount) < 0 from \(sender) to \(receiver)")
        let s = try account(sender)
        let r = try account(receiver)
        if sender == receiver {
            try await s.lock.lock()
            defer { s.lock.unlock() }
            try await work()
            return allowOverdraw || s.balance >= amount
        }
        let (first, second) =
            bugs.transferCallerOrder || sender < receiver ? (s, r) : (r, s)
        try await first.lock.lock()
        try await second.lock.lock()
        defer {
            second.lock.unlock()
            first.lock.unlock()
        }
        try await work()
        guard allowOverdraw || s.balance >= amount else { return false }
        s.balance -= amount
        r.balance += amount
        return true
    }
}
