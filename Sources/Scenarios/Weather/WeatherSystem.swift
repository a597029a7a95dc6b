// The weather stations (BU CS350 HW1) as the command line sees them: the five sub-tests under
// TestChannelAggregator and under TestMutexAggregator, the fuzz campaign, and planted bugs.
import DSimCore

/// The `weather` system: per-period averages of station readings, two aggregators.
public enum WeatherSystem {
    /// Its catalog entry.
    public static let entry = SystemEntry(
        name: "weather",
        summary: "BU CS350 HW1: average station readings per period; channel and mutex aggregators",
        scenarios: ports(.channel, "TestChannelAggregator") + ports(.mutex, "TestMutexAggregator")
            + [
                Scenario(
                    system: "weather", name: "fuzz",
                    summary: "random aggregator, K, period, quit time and network faults",
                    run: WeatherScenarios.fuzz)
            ],
        plantedBugs: [
            PlantedBug(
                "count-late-answers", "late answers are counted in the batch open when they arrive"),
            PlantedBug("no-quit", "the aggregator ignores quit"),
            PlantedBug("wrong-batch-number", "batch b is reported as b + 1"),
            PlantedBug(
                "unbuffered-answers",
                "the channel aggregator's answer channels are unbuffered: late answers' tasks leak"),
        ],
        fuzzScenario: "fuzz", stepCost: 10, pctSteps: 1_250)

    static func ports(_ kind: AggregatorKind, _ parent: String) -> [Scenario] {
        WeatherScenarios.subtests.map { t in
            let name = "\(parent)/\(t.name)"
            return Scenario(
                system: "weather", name: name, portOf: name,
                summary: "K=\(t.k), averagePeriod \(t.periodMs) ms"
                    + (t.quits ? ", quit at 3.1 s" : ""),
                run: WeatherScenarios.port(kind, periodMs: t.periodMs, k: t.k, quits: t.quits))
        }
    }
}
