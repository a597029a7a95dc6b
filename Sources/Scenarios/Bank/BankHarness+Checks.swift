// The end-of-run checks of every bank run, in the order a failure is most informative: a
// violation raised during the run, then deadlock, then conservation, the per-account tally and
// the time bound; last, the client history against a sequential bank (`checkHistory`).
import Bank
import DSimCore

extension BankHarness {
    /// Runs the simulation to quiescence and checks every invariant. `timeBound` is the
    /// original's "finish in N s", in virtual time.
    /// `afterRun` adds the port's own end-of-run checks (via `expectEqual`).
    func finish(timeBound: VirtualTime? = nil, afterRun: () -> Void = {}) -> Verdict {
        sim.runToQuiescence()
        defer { teardown() }
        if let v = sim.violation { return .violation(v) }
        if let d = sim.deadlock() { return .violation(d) }
        if clientsRunning > 0 {
            let line = ctx.trace.observe("bank.stuck", node: nil)
            return .violation(
                Violation("progress", "\(clientsRunning) clients never finished", events: [line]))
        }
        afterRun()
        if let v = sim.violation { return .violation(v) }
        if let v = checkBalances() { return .violation(v) }
        if let bound = timeBound, finishedAt - start > bound {
            let line = ctx.trace.observe(
                "bank.late", node: nil, [("elapsedNs", .int(finishedAt - start))])
            return .violation(
                Violation(
                    "time-bound",
                    "clients finished after \(formatTime(finishedAt - start)), bound "
                        + "\(formatTime(bound))", events: [line]))
        }
        if let v = checkHistory() { return .violation(v) }
        return .ok
    }

    /// Unwinds blocked tasks (crash frees them).
    func teardown() {
        for node in 0..<sim.nodeCount { sim.crash(node) }
        sim.run(until: sim.now)
        // Whatever is still parked (everything, when a violation stopped the run) unwinds
        // sealed, so the run's memory is given back.
        sim.end()
    }

    /// Money conserved, then every balance equal to the tally.
    func checkBalances() -> Violation? {
        let ids = bank.accountIDs
        var total = 0
        for id in ids { total += bank.peekBalance(id) ?? 0 }
        let expected = deposited - withdrawn
        let line = ctx.trace.observe(
            "bank.final", node: nil,
            [
                ("accounts", .int(Int64(ids.count))), ("total", .int(Int64(total))),
                ("expected", .int(Int64(expected))),
            ])
        if total != expected {
            return Violation(
                "money-conserved",
                "sum of balances \(total) != deposits \(deposited) - withdrawals \(withdrawn)",
                events: [line])
        }
        for id in ids {
            let balance = bank.peekBalance(id) ?? 0
            let want = tally[id] ?? 0
            if balance != want {
                let events = [lastLine[id], line].compactMap { $0 }
                return Violation(
                    "balance-tally", "account \(id) has \(balance), the tally says \(want)",
                    events: events)
            }
        }
        return nil
    }

    /// A violation `name` unless `actual == expected`.
    func expectEqual(_ name: String, _ what: String, _ actual: Int, _ expected: Int) {
        guard actual != expected else { return }
        let line = ctx.trace.observe(
            "bank.mismatch", node: nil,
            [
                ("what", .string(what)), ("actual", .int(Int64(actual))),
                ("expected", .int(Int64(expected))),
            ])
        fail(Violation(name, "\(what) is \(actual), expected \(expected)", events: [line]))
    }
}
