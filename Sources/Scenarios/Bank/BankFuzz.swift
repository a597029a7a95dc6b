// The bank's fuzz scenario: per seed it draws the number of accounts, clients and operations and
// the cost of an operation, then lets the clients run a random mix — deposits, withdrawals that
// may fail, transfers in both directions with and without overdraw, DepositAndCompare, balance
// reads, creates of fresh accounts, duplicate creates and operations on unknown ids. A separate
// account takes only concurrent DepositAndCompare calls, so their false count is exact. Spec
// parameters `accounts`, `clients`, `ops` override the drawn sizes.
import Bank
import DSimCore

enum BankFuzz {
    /// Runs one fuzz seed.
    static func run(_ ctx: RunContext) -> Verdict {
        let c = ctx.choices
        let cost = VirtualTime(c.between(0, 5, "fuzz.cost")) * Duration.microsecond
        let h = BankHarness(ctx, opCostNs: cost, clientNodes: 4)
        // Spec parameters are clamped to sizes the workload needs (one account, one client).
        let accounts = max(1, ctx.int("accounts", c.between(2, 6, "fuzz.accounts")))
        let clients = max(1, ctx.int("clients", c.between(2, 8, "fuzz.clients")))
        let ops = max(0, ctx.int("ops", c.between(4, 30, "fuzz.ops")))
        let dacCalls = c.between(4, 16, "fuzz.daccalls")
        let dacThreshold = c.between(1, dacCalls * 10, "fuzz.dacthreshold")
        let dacID = 100
        h.counts = [0, 1000]  // [false DepositAndCompare results, next fresh account id]
        h.client("setup") {
            for id in 0..<accounts {
                try await h.create(id)
                try await h.deposit(id, c.between(0, 200, "fuzz.initial"))
                h.live.append(id)
            }
            try await h.create(dacID)
            for i in 0..<dacCalls {
                h.client("dac #\(i)") {
                    if try await !h.depositAndCompare(dacID, 10, dacThreshold) { h.counts[0] += 1 }
                }
            }
            for k in 0..<clients {
                h.client("client \(k)") {
                    for _ in 0..<ops {
                        try await randomOp(h)
                        if c.chance(1, in: 3, "fuzz.pause") {
                            try await h.sim.sleep(
                                VirtualTime(c.between(1, 20, "fuzz.pausens")) * Duration.microsecond
                            )
                        }
                    }
                }
            }
        }
        return h.finish {
            h.expectEqual(
                "deposit-compare-count",
                "false DepositAndCompare results (\(dacCalls) calls of 10, T=\(dacThreshold))",
                h.counts[0], min(dacCalls, (dacThreshold - 1) / 10))
        }
    }

    /// One random client operation on the live accounts (or on an unknown id).
    static func randomOp(_ h: BankHarness) async throws {
        let c = h.ctx.choices
        let pick = h.live[c.below(h.live.count, "fuzz.account")]
        let r = c.below(100, "fuzz.op")
        switch r {
        case 0..<22: try await h.deposit(pick, c.between(1, 100, "fuzz.amount"))
        case 22..<42: try await h.withdraw(pick, c.between(1, 150, "fuzz.amount"))
        case 42..<72:
            let other = h.live[c.below(h.live.count, "fuzz.other")]
            let overdraw = c.chance(1, in: 4, "fuzz.overdraw")
            try await h.transfer(pick, other, c.between(1, 100, "fuzz.amount"), overdraw: overdraw)
        case 72..<80:
            let amount = c.between(1, 50, "fuzz.amount")
            try await h.depositAndCompare(pick, amount, c.between(0, 300, "fuzz.threshold"))
        case 80..<85: _ = try await h.getBalance(pick)
        case 85..<90:
            let id = h.counts[1]
            h.counts[1] += 1
            try await h.create(id)
            h.live.append(id)
        case 90..<95:
            try await h.expectError(.duplicateAccount(pick), "create existing \(pick)") {
                try await h.bank.createAccount(pick)
            }
        default: try await unknownOp(h, pick)
        }
    }

    /// An operation naming an id that does not exist; it must fail with `unknownAccount`.
    static func unknownOp(_ h: BankHarness, _ known: Int) async throws {
        let c = h.ctx.choices
        let id = 5_000_000 + c.below(1000, "fuzz.unknown")
        let bank = h.bank
        try await h.expectError(.unknownAccount(id), "operation on unknown \(id)") {
            switch c.below(5, "fuzz.unknownop") {
            case 0: try await bank.deposit(id, 1)
            case 1: _ = try await bank.withdraw(id, 1)
            case 2: _ = try await bank.transfer(known, id, 1, allowOverdraw: true)
            case 3: _ = try await bank.depositAndCompare(id, 1, 1)
            default: _ = try await bank.getBalance(id)
            }
        }
    }
}
