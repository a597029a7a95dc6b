// The report type of BU CS350 HW1 (lab-tests.md §9).

/// One station's reading, or an aggregator's average for a batch (`id` −1).
public struct WeatherReport: Equatable, Sendable {
    /// The temperature, or the batch average (NaN when no station answered in time).
    public var value: Double
    /// The station id, or −1 for an aggregate.
    public var id: Int
    /// The batch number, from 0.
    public var batch: Int

    /// Creates a report.
    public init(value: Double, id: Int, batch: Int) {
        self.value = value
        self.id = id
        self.batch = batch
    }
}
