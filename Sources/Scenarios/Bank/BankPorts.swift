// Ports of the BU CS350 HW2 tester (final version f203aea, lab-tests.md §10), structured as the
// original: a tester task creates the accounts with concurrent CreateAccount calls, then starts
// one client task per operation (sizing each withdrawal from its own GetBalance call), waits for
// them all, and compares every balance with its tally. "Finish in N s" is checked in virtual
// time; every run also gets the harness's invariants (no deadlock, conservation, tally).
import Bank
import DSimCore

enum BankPorts {
    /// TestCreateAccountBasic: 1 account created concurrently → 1 account.
    static func createAccountBasic(_ ctx: RunContext) -> Verdict {
        createAccounts(ctx, count: 1)
    }

    /// TestCreateAccountMany: 100 accounts created concurrently → 100 accounts.
    static func createAccountMany(_ ctx: RunContext) -> Verdict {
        createAccounts(ctx, count: ctx.int("accounts", 100))
    }

    static func createAccounts(_ ctx: RunContext, count: Int) -> Verdict {
        let h = BankHarness(ctx)
        h.client("tester") { try await h.createAccounts(count) }
        return h.finish {
            h.expectEqual("account-count", "number of accounts", h.bank.accountCount, count)
        }
    }

    /// TestManyDepositsAndWithdraws: 100 accounts × 10,000 rounds, one client per operation.
    /// Per account and round: with ½ a withdrawal of half the tester's GetBalance (×4 with 20%,
    /// an overdraw attempt), else a deposit of 100. Finish within 10 s; balances equal the tally.
    static func manyDepositsAndWithdraws(_ ctx: RunContext) -> Verdict {
        let h = BankHarness(ctx)
        let accounts = ctx.int("accounts", 100)
        let rounds = ctx.int("rounds", 10_000)
        let c = ctx.choices
        h.client("tester") {
            try await h.createAccounts(accounts)
            let ops = SimWaitGroup(h.sim)
            for _ in 0..<rounds {
                for id in 0..<accounts {
                    guard c.chance(1, in: 2, "bank.withdraw") else {
                        h.client("deposit \(id)", group: ops) { try await h.deposit(id, 100) }
                        continue
                    }
                    let half = try await h.balance(id) / 2
                    let amount = c.chance(1, in: 5, "bank.overdraw") ? half * 4 : half
                    h.client("withdraw \(id)", group: ops) { try await h.withdraw(id, amount) }
                }
            }
            try await ops.wait()
        }
        return h.finish(timeBound: 10 * Duration.second)
    }

    /// TestFewTransfers: accounts 1 and 0 with 100 each; 40 × (0→1 of 2, 1→0 of 1)
    /// concurrently, no overdraw; finish within 2 s; balances exactly 60 and 140.
    static func fewTransfers(_ ctx: RunContext) -> Verdict {
        let h = BankHarness(ctx)
        h.client("tester") {
            try await h.create(1)
            try await h.create(0)
            try await h.deposit(0, 100)
            try await h.deposit(1, 100)
            for i in 0..<40 {
                h.client("transfer 0->1 #\(i)") { try await h.transfer(0, 1, 2, overdraw: false) }
                h.client("transfer 1->0 #\(i)") { try await h.transfer(1, 0, 1, overdraw: false) }
            }
        }
        return h.finish(timeBound: 2 * Duration.second) {
            h.expectEqual("balances", "balance of 0", h.bank.peekBalance(0) ?? -1, 60)
            h.expectEqual("balances", "balance of 1", h.bank.peekBalance(1) ?? -1, 140)
        }
    }

    /// TestManyTransfers: 8 accounts with 1000 each; 400 rounds × every ordered pair, a
    /// transfer of 2 each, concurrently, no overdraw; finish within 4 s; balances equal the
    /// tally.
    static func manyTransfers(_ ctx: RunContext) -> Verdict {
        let h = BankHarness(ctx)
        let accounts = ctx.int("accounts", 8)
        let rounds = ctx.int("rounds", 400)
        h.client("tester") {
            try await h.createAccounts(accounts)
            for id in 0..<accounts { try await h.deposit(id, 1000) }
            for round in 0..<rounds {
                for s in 0..<accounts {
                    for r in 0..<accounts where r != s {
                        h.client("transfer \(s)->\(r) #\(round)") {
                            try await h.transfer(s, r, 2, overdraw: false)
                        }
                    }
                }
            }
        }
        return h.finish(timeBound: 4 * Duration.second)
    }
}
