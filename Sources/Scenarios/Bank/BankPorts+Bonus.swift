// Ports of the bonus tests: TestDepositAndCompare and TestHiddenBonus (lab-tests.md §10).
import Bank
import DSimCore

extension BankPorts {
    /// TestDepositAndCompare: 10 accounts, each with a threshold T drawn in [2000, 8000);
    /// 100 concurrent DepositAndCompare(id, 100, T) per account; within 8 s, exactly (T−1)/100
    /// false results and 100 − that true results per account.
    static func depositAndCompare(_ ctx: RunContext) -> Verdict {
        let h = BankHarness(ctx)
        let accounts = ctx.int("accounts", 10)
        let calls = ctx.int("calls", 100)
        let thresholds = (0..<accounts).map { _ in
            ctx.choices.between(2000, 7999, "bank.threshold")
        }
        h.counts = [Int](repeating: 0, count: accounts)  // false results per account
        h.client("tester") {
            try await h.createAccounts(accounts)
            for i in 0..<calls {
                for id in 0..<accounts {
                    h.client("dac \(id) #\(i)") {
                        if try await !h.depositAndCompare(id, 100, thresholds[id]) {
                            h.counts[id] += 1
                        }
                    }
                }
            }
        }
        return h.finish(timeBound: 8 * Duration.second) {
            for id in 0..<accounts {
                let wantFalse = min(calls, (thresholds[id] - 1) / 100)
                h.expectEqual(
                    "deposit-compare-count",
                    "false results of account \(id) (T=\(thresholds[id]))", h.counts[id], wantFalse)
            }
        }
    }

    /// TestHiddenBonus: 40 accounts; 8000 rounds, in each one client per account doing (⅓
    /// each) a withdrawal sized from GetBalance as in TestManyDepositsAndWithdraws, a deposit of
    /// 100, or a transfer of 10 to another random account; at i = 140, 240, …, 7940 forty more
    /// clients create accounts i..i+39 concurrently. Within 8 s balances equal the tally; then
    /// CreateAccount on an existing id must fail (the original expects a panic).
    static func hiddenBonus(_ ctx: RunContext) -> Verdict {
        let h = BankHarness(ctx)
        let accounts = ctx.int("accounts", 40)
        let rounds = ctx.int("rounds", 8000)
        h.counts = [accounts]  // accounts created in all
        h.client("tester") {
            try await h.createAccounts(accounts)
            let ops = SimWaitGroup(h.sim)
            for i in 0..<rounds {
                if i % 100 == 40 && i > accounts {
                    h.counts[0] += 40
                    for id in i..<(i + 40) {
                        h.client("create \(id)", group: ops) { try await h.create(id) }
                    }
                }
                for id in 0..<accounts { try await hiddenBonusOp(h, id, accounts, ops) }
            }
            try await ops.wait()
            let id = ctx.choices.below(accounts, "bank.dupid")
            try await h.expectError(.duplicateAccount(id), "create existing \(id)") {
                try await h.bank.createAccount(id)
            }
        }
        return h.finish(timeBound: 8 * Duration.second) {
            h.expectEqual("account-count", "number of accounts", h.bank.accountCount, h.counts[0])
        }
    }

    /// One operation of TestHiddenBonus on account `id`, started as its own client.
    static func hiddenBonusOp(
        _ h: BankHarness, _ id: Int, _ accounts: Int, _ ops: SimWaitGroup
    ) async throws {
        let c = h.ctx.choices
        switch c.below(3, "bank.op") {
        case 0:
            let half = try await h.balance(id) / 2
            let amount = c.chance(1, in: 5, "bank.overdraw") ? half * 4 : half
            h.client("withdraw \(id)", group: ops) { try await h.withdraw(id, amount) }
        case 1:
            h.client("deposit \(id)", group: ops) { try await h.deposit(id, 100) }
        default:
            let other = (id + 1 + c.below(accounts - 1, "bank.other")) % accounts
            h.client("transfer \(id)->\(other)", group: ops) {
                try await h.transfer(id, other, 10, overdraw: false)
            }
        }
    }
}
