// Ports of ws_test.go (lab-tests.md §9) for both aggregators, and the weather fuzz scenario.
import DSimCore
import WeatherStations

enum WeatherScenarios {
    /// The five sub-tests: (name, averagePeriod ms, K, quit early).
    static let subtests: [(name: String, periodMs: Int, k: Int, quits: Bool)] = [
        ("TestK1", 800, 1, false), ("TestK10", 800, 10, false), ("TestK100", 800, 100, false),
        ("TestLongAveragePeriod", 5000, 100, false), ("TestQuit", 800, 100, true),
    ]

    /// A port: the 6 s window with the die timer at 6.1 s and int(6/P) batches, or quit at
    /// 3.1 s watched for 2·P.
    static func port(_ kind: AggregatorKind, periodMs: Int, k: Int, quits: Bool)
        -> (RunContext) -> Verdict
    {
        { ctx in
            let P = VirtualTime(periodMs) * Duration.millisecond
            var s = WeatherSetup(
                kind: kind, k: k, periodNs: P, quitAtNs: nil, dieAtNs: 6100 * Duration.millisecond,
                expectedBatches: 6000 / periodMs)
            if quits {
                s.quitAtNs = 3100 * Duration.millisecond
                s.dieAtNs = 3100 * Duration.millisecond + 2 * P
                s.expectedBatches = nil
            }
            return WeatherHarness(ctx, s).run()
        }
    }

    /// Fuzz: draws the aggregator, K (1–100), the period, the number of batches, an optional
    /// quit between two outputs, and network faults small enough that an on-time answer stays
    /// on time (delays ≤ 47 ms each way; drops make a station's answer missing). Spec
    /// parameters `k`, `periodMs`, `batches` override the drawn values.
    static func fuzz(_ ctx: RunContext) -> Verdict {
        let c = ctx.choices
        let kind: AggregatorKind = c.below(2, "ws.kind") == 0 ? .channel : .mutex
        // Spec parameters are clamped: a station's on-time window is P − 150 ms, so P ≥ 200 ms.
        let k = max(1, ctx.int("k", c.between(1, 100, "ws.k")))
        let periodMs = max(200, ctx.int("periodMs", c.between(300, 2000, "ws.period")))
        let batches = max(1, ctx.int("batches", c.between(1, 6, "ws.batches")))
        let P = VirtualTime(periodMs) * Duration.millisecond
        var s = WeatherSetup(
            kind: kind, k: k, periodNs: P, quitAtNs: nil,
            dieAtNs: VirtualTime(batches) * P + P / 2, expectedBatches: batches)
        if c.chance(1, in: 2, "ws.quits") {
            let before = VirtualTime(c.below(batches, "ws.quitbatch")) * P
            let offset = VirtualTime(c.between(periodMs / 10, periodMs * 9 / 10, "ws.quitoffset"))
            s.quitAtNs = before + offset * Duration.millisecond
            s.dieAtNs = s.quitAtNs! + 2 * P
            s.expectedBatches = nil
        }
        s.network = faults(c)
        return WeatherHarness(ctx, s).run()
    }

    /// A network fault mix for one seed: on or off, then delays, unreliability and drops.
    static func faults(_ c: Choices) -> NetworkOptions {
        var o = NetworkOptions()
        guard c.chance(1, in: 2, "ws.faults") else { return o }
        o.delayMaxNs = VirtualTime(c.between(0, 20, "ws.delayms")) * Duration.millisecond
        o.reliable = !c.chance(1, in: 3, "ws.unreliable")
        if c.chance(1, in: 3, "ws.drops") {
            o.requestDropPerMille = c.between(0, 300, "ws.reqdrop")
            o.replyDropPerMille = c.between(0, 300, "ws.repdrop")
        }
        return o
    }
}
