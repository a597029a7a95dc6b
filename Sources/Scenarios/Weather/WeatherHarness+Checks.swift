// The tester's checks on every message from `out` (lab-tests.md §9, "testAll assertions"):
// exactly K distinct receipts for its batch, the average within ±0.08 of the tester's mean of
// on-time values, NaN exactly when that mean is NaN, the time since the previous message (or the
// start) within P ± 0.08 s, and no message within 2·P after quit was sent; and, as a
// sequential model of the service, the n-th answer is for batch n − 1 (`ws-batch-sequence`).
import DSimCore
import WeatherStations

extension WeatherHarness {
    /// Reads `out` for the whole run and checks each message; the first failure stops the run.
    func readOutputs() async throws {
        while let m = try await out.receive() {
            outputs += 1
            let line = ctx.trace.observe(
                "ws.out", node: 0,
                [
                    ("batch", .int(Int64(m.batch))), ("id", .int(Int64(m.id))),
                    ("value", .string(show(m.value))),
                ])
            if let v = check(m, line: line) {
                sim.violation = v
                return
            }
            lastOutputAt = sim.now
            lastOutputLine = line
            missedSinceOutput = []
        }
    }

    /// The first failed assertion for message `m` (logged at `line`), or nil.
    func check(_ m: WeatherReport, line: TraceLine) -> Violation? {
        let P = setup.periodNs
        if let q = quitSentAt, sim.now - q <= 2 * P {
            return Violation(
                "ws-quit", "received answer after quit signal was sent (quit at \(formatTime(q)))",
                events: [line])
        }
        let b = m.batch
        // The sequential model of the service: one answer per period, for batches 0, 1, 2, …
        // in order, so the n-th answer is for batch n − 1.
        if b != outputs - 1 {
            return Violation(
                "ws-batch-sequence",
                "answer \(outputs) is for batch \(b), expected batch \(outputs - 1)",
                events: [lastOutputLine, line].compactMap { $0 })
        }
        let ids = b >= 0 && b < receipts.count ? receipts[b] : []
        let receiptLine = b >= 0 && b < lastReceiptLine.count ? [lastReceiptLine[b]] : []
        if let v = checkReceipts(ids, batch: b, events: receiptLine + [line]) { return v }
        let values = onTime[b]
        let mean = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
        if mean.isNaN != m.value.isNaN {
            return Violation(
                "ws-nan-parity",
                "batch \(b): got \(show(m.value)), tester's mean of \(values.count) on-time values "
                    + "is \(show(mean))", events: missedSinceOutput + [line])
        }
        if !mean.isNaN && abs(m.value - mean) > 0.08 {
            return Violation(
                "ws-average",
                "batch \(b): got \(m.value), tester's mean of \(values.count) on-time values is "
                    + "\(mean)", events: missedSinceOutput + [line])
        }
        let gap = sim.now - lastOutputAt
        if abs(gap - P) > Self.toleranceNs {
            return Violation(
                "ws-period",
                "batch \(b) came \(formatTime(gap)) after the previous output; expected "
                    + "\(formatTime(P)) ± 80ms", events: [lastOutputLine, line].compactMap { $0 })
        }
        return nil
    }

    /// A value for messages: `NaN` (not `-nan`) or the number.
    func show(_ v: Double) -> String { v.isNaN ? "NaN" : "\(v)" }

    /// Exactly K distinct station ids were called for batch `batch`.
    func checkReceipts(_ ids: [Int], batch: Int, events: [TraceLine]) -> Violation? {
        let sorted = ids.sorted()
        for i in sorted.indices.dropFirst() where sorted[i] == sorted[i - 1] {
            return Violation(
                "ws-receipts", "duplicate RPC for Id \(sorted[i]) in batch \(batch)", events: events
            )
        }
        guard sorted.count == setup.k else {
            return Violation(
                "ws-receipts",
                "batch \(batch): \(sorted.count) stations called, expected \(setup.k)",
                events: events)
        }
        return nil
    }
}
