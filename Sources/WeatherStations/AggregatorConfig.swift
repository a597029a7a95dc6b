// What both aggregators share: the original's arguments, the planted bugs, and the two steps
// whose semantics must not differ between them (the report of a batch, and a send on `out`
// that gives way to `quit`).
import DSimCore

/// Bugs that can be planted in the aggregators, to prove the tester finds them. All off by
/// default.
public struct AggregatorBugs: Equatable, Sendable {
    /// Late answers are counted in whichever batch is open when they arrive.
    public var countLateAnswers = false
    /// The aggregator never listens on `quit`.
    public var noQuit = false
    /// Reports batch b as b + 1.
    public var wrongBatchNumber = false
    /// The channel aggregator's per-batch answer channels are unbuffered: a late answer's
    /// task blocks for good on a channel nobody reads any more.
    public var unbufferedAnswers = false

    /// No bugs.
    public init() {}
}

/// The parameters both aggregators share (the original's arguments).
public struct AggregatorConfig: @unchecked Sendable {
    /// The simulation the aggregator runs in.
    public let sim: AsyncSimulation
    /// The node its tasks run on.
    public let node: NodeID
    /// Number of stations; ids 0..<k.
    public let k: Int
    /// Length of a batch.
    public let averagePeriodNs: VirtualTime
    /// The station call.
    public let getWeatherData: GetWeatherData
    /// Where the averages go.
    public let out: SimChannel<WeatherReport>
    /// A message here stops the aggregator.
    public let quit: SimChannel<Void>
    /// Planted bugs.
    public let bugs: AggregatorBugs

    /// Creates a configuration.
    public init(
        sim: AsyncSimulation, node: NodeID, k: Int, averagePeriodNs: VirtualTime,
        getWeatherData: @escaping GetWeatherData, out: SimChannel<WeatherReport>,
        quit: SimChannel<Void>, bugs: AggregatorBugs = AggregatorBugs()
    ) {
        precondition(k >= 1, "k(\(k)) < 1")
        precondition(averagePeriodNs > 0, "averagePeriodNs(\(averagePeriodNs)) <= 0")
        self.sim = sim
        self.node = node
        self.k = k
        self.averagePeriodNs = averagePeriodNs
        self.getWeatherData = getWeatherData
        self.out = out
        self.quit = quit
        self.bugs = bugs
    }

    /// The report for batch `batch` from `count` answers summing to `sum`.
    func report(sum: Double, count: Int, batch: Int) -> WeatherReport {
        WeatherReport(
            value: count == 0 ? .nan : sum / Double(count), id: -1,
            batch: bugs.wrongBatchNumber ? batch + 1 : batch)
    }

    /// Records that answer `r` (of its own batch) was added to batch `into`: a late answer
    /// counted in a later batch shows as `batch != into`.
    func observeCounted(_ r: WeatherReport, into: Int) {
        sim.trace.observe(
            "ws.count", node: node,
            [
                ("id", .int(Int64(r.id))), ("batch", .int(Int64(r.batch))),
                ("into", .int(Int64(into))),
            ])
    }

    /// Sends `report` on `out` unless `quit` comes first; false means quit.
    func send(_ report: WeatherReport) async throws -> Bool {
        if bugs.noQuit {
            try await out.send(report)
            return true
        }
        return try await sim.select([.send(out, report, true), .receive(quit) { _ in false }])
    }
}
