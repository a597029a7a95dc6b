// Scenarios: the unit of work of every command. A scenario is a named, deterministic function
// from a `RunContext` (seed-driven choices, a trace recorder, planted bugs, spec parameters) to
// a `Verdict`. Ports of the original tests are scenarios that name their original (`portOf`);
// fuzz campaigns are scenarios whose workload and faults are drawn from the choices.
//
// Systems register here through `Catalog.systems`; the command line knows only this file.
import DSimCore

/// Everything a scenario run may depend on. Nothing else (no clocks, no globals).
public struct RunContext {
    /// The seed the run's choices were derived from (for headers and messages).
    public let seed: UInt64
    /// Every nondeterministic decision comes from here.
    public let choices: Choices
    /// The run's trace (recording or only counting lines).
    public let trace: TraceRecorder
    /// Names of planted bugs switched on for this run (empty in normal runs).
    public let planted: Set<String>
    /// Spec parameters (`{}` when none), e.g. `{"nodes":5,"snapshots":true}`.
    public let params: JSON

    /// Creates a context.
    public init(
        seed: UInt64, choices: Choices, trace: TraceRecorder, planted: Set<String> = [],
        params: JSON = .object([])
    ) {
        self.seed = seed
        self.choices = choices
        self.trace = trace
        self.planted = planted
        self.params = params
    }

    /// Integer parameter `key`, or `fallback`.
    public func int(_ key: String, _ fallback: Int) -> Int { params[key]?.intValue ?? fallback }
    /// Boolean parameter `key`, or `fallback`.
    public func bool(_ key: String, _ fallback: Bool) -> Bool {
        params[key]?.boolValue ?? fallback
    }
    /// String parameter `key`, or `fallback`.
    public func string(_ key: String, _ fallback: String) -> String {
        params[key]?.stringValue ?? fallback
    }
    /// True when planted bug `name` is on.
    public func isPlanted(_ name: String) -> Bool { planted.contains(name) }
}

/// A named deterministic run of one system.
public struct Scenario {
    /// The system it belongs to (`--system`).
    public let system: String
    /// Its name (`--scenario`).
    public let name: String
    /// The original test it ports, e.g. `TestFigure8Unreliable3C`, or nil.
    public let portOf: String?
    /// One line on what it does.
    public let summary: String
    /// Runs it. Violations are returned as `.violation`, never thrown or trapped.
    public let run: (RunContext) -> Verdict
    /// How often a correct implementation misses a timing bound of the original test
    /// (`.originalBound`), as estimated in the README; `dsim stress` judges a port's count
    /// against it (`OriginalBoundRate`). 0 for scenarios with no such bound.
    public var originalBoundRate = 0.0

    /// Creates a scenario.
    public init(
        system: String, name: String, portOf: String? = nil, summary: String,
        run: @escaping (RunContext) -> Verdict
    ) {
        self.system = system
        self.name = name
        self.portOf = portOf
        self.summary = summary
        self.run = run
    }
}

/// A bug that can be switched on (`--plant NAME`) to prove the checks catch it.
public struct PlantedBug {
    /// Its name, e.g. `no-election-restriction`.
    public let name: String
    /// One line on what it breaks.
    public let summary: String
    /// The scenario a fuzz campaign for this bug should use (default: the system's fuzz one).
    public let fuzzScenario: String?

    /// Creates a planted-bug description.
    public init(_ name: String, _ summary: String, fuzzScenario: String? = nil) {
        self.name = name
        self.summary = summary
        self.fuzzScenario = fuzzScenario
    }
}

/// One system under test, as the command line sees it.
public struct SystemEntry {
    /// `--system` name, e.g. `raft`.
    public let name: String
    /// One line on what it is.
    public let summary: String
    /// Every scenario (ports first, in the original suite's order, then campaigns).
    public let scenarios: [Scenario]
    /// Bugs that can be planted.
    public let plantedBugs: [PlantedBug]
    /// The scenario `dsim fuzz` runs by default.
    public let fuzzScenario: String
    /// What one kernel step of this system costs a shrink's step budget: 1 for sans-IO nodes;
    /// more where a step resumes Swift tasks (measured here: about 1 µs a step for Raft,
    /// kvraft and shardkv; 5–10 µs for the bank, the aggregators and MapReduce), so that the
    /// counted budget, not the wall clock, ends a long shrink of any system.
    public let stepCost: Int
    /// PCT's change points fall in the first `pctSteps` steps of a run (kernel events, or
    /// jobs for the async systems) unless the run's `pctSteps` parameter says otherwise: about
    /// the steps a fuzz run of the system takes.
    public let pctSteps: Int

    /// Creates a system entry.
    public init(
        name: String, summary: String, scenarios: [Scenario], plantedBugs: [PlantedBug],
        fuzzScenario: String, stepCost: Int = 1, pctSteps: Int = 20_000
    ) {
        precondition(stepCost >= 1 && pctSteps >= 1, "stepCost \(stepCost) pctSteps \(pctSteps)")
        self.name = name
        self.summary = summary
        self.scenarios = scenarios
        self.plantedBugs = plantedBugs
        self.fuzzScenario = fuzzScenario
        self.stepCost = stepCost
        self.pctSteps = pctSteps
    }

    /// The scenario called `name`, if any.
    public func scenario(_ name: String) -> Scenario? { scenarios.first { $0.name == name } }
}
