// Running a scenario: fresh from a seed (fuzzing, `dsim run`), or fed back the decisions of a
// trace (replay, shrinking). A fuzz campaign runs without recording lines — the run is
// deterministic, so a failing seed is re-run with recording on to write its trace.
import DSimCore

/// What the build and the run were, for the trace header: a seed reproduces only with the same
/// binary.
public struct BuildInfo {
    /// Source commit (`git rev-parse --short HEAD`), or `unknown`.
    public var commit: String
    /// The compiler.
    public var toolchain: String
    /// `debug` or `release`.
    public var config: String

    /// Build facts for this binary; `commit` is supplied by the caller (the CLI asks git).
    public init(commit: String) {
        self.commit = commit
        #if compiler(>=6.3)
            toolchain = "swift-6.3"
        #elseif compiler(>=6.0)
            toolchain = "swift-6.x"
        #else
            toolchain = "swift-5.x"
        #endif
        #if DEBUG
            config = "debug"
        #else
            config = "release"
        #endif
    }
}

/// One run's request: which scenario, with what seed, parameters and planted bugs.
public struct RunRequest {
    /// The system.
    public var system: SystemEntry
    /// The scenario.
    public var scenario: Scenario
    /// The seed (also recorded for replays of shrunk traces, for reference).
    public var seed: UInt64
    /// Planted bugs switched on.
    public var planted: [String] = []
    /// Spec parameters.
    public var params: JSON = .object([])

    /// Creates a request.
    public init(system: SystemEntry, scenario: Scenario, seed: UInt64) {
        self.system = system
        self.scenario = scenario
        self.seed = seed
    }
}

/// The outcome of one run.
public struct RunResult {
    /// The verdict.
    public var verdict: Verdict
    /// The trace lines (empty unless recorded).
    public var lines: [String]
    /// Decisions taken.
    public var decisions: Int
    /// Trace lines counted (recorded or not).
    public var lineCount: Int
    /// Observation lines counted (recorded or not).
    public var eventCount: Int = 0
    /// Kernel steps taken (`RunGuard`), plus the configurations its history check explored.
    public var steps: Int = 0
    /// The most events the run took within one second of virtual time (see `RunCaps`).
    public var peakEventsPerSecond = 0
    /// Virtual time when the scenario returned.
    public var virtualTime: VirtualTime = 0
    /// Replay only: the first recorded decision that the header's seed would not have given.
    public var firstMismatch: (index: Int, recorded: UInt64, expected: UInt64)?
    /// Replay only: the first decision asked under another label than the recorded one.
    public var firstLabelMismatch: (index: Int, recorded: String, asked: String)?
}

/// Runs scenarios.
public enum Runner {
    /// Runs `request` with decisions from `source`; records lines when `record` is true.
    /// `verifySeed` (replay of a seed-made trace) checks each recorded decision against it.
    /// `lineCap` and `stepCap` stop the run once it has more lines or kernel steps, and
    /// `checkIterationsMax` bounds its history check (shrinking). With `stream` (and `record`),
    /// the header and then every line go to it as they are made (a worker's crash-proof trace).
    /// With `explore`, the path's deviations answer the decisions instead of `source` (bounded
    /// exploration).
    public static func run(
        _ request: RunRequest, source: ChoiceSource, record: Bool, build: BuildInfo,
        verifySeed: UInt64? = nil, expectLabels: [String]? = nil, lineCap: Int = .max,
        stepCap: Int = .max, checkIterationsMax: Int? = nil, stream: ((String) -> Void)? = nil,
        explore: ExplorePath? = nil
    ) -> RunResult {
        // A seed-made fuzz run draws its protocol knobs; the header then records them.
        var request = request
        if explore == nil, case .seed(let s) = source { request = Knobs.drawn(request, seed: s) }
        let trace = TraceRecorder(recording: record)
        trace.lineCap = lineCap
        trace.stepCap = stepCap
        trace.checkIterationsMax = checkIterationsMax
        let caps = RunCaps.of(request)
        trace.eventBudget = caps.events
        trace.lineBudget = caps.lines
        trace.eventsPerSecondMax = caps.eventsPerSecond
        if record, let stream {
            let name = sourceName(source, verifySeed: verifySeed)
            let head = [("dsim", JSON.string("trace")), ("version", .int(1))]
            stream(JSON.object(head + header(request, build: build, source: name)).serialized)
            trace.sink = stream
        }
        let choices = Choices(source)
        choices.trace = trace
        choices.explore = explore
        if let s = verifySeed { choices.verify(againstSeed: s) }
        if let labels = expectLabels { choices.expect(labels: labels, halt: true) }
        // After the replay checks are set up: PCT's change points are the run's first decisions.
        choices.pct = Runner.pct(request.params, choices, steps: request.system.pctSteps)
        let ctx = RunContext(
            seed: request.seed, choices: choices, trace: trace, planted: Set(request.planted),
            params: request.params)
        let verdict = request.scenario.run(ctx)
        let endTime = trace.clock()
        trace.verdict(verdict)
        if record {
            trace.header(
                header(request, build: build, source: sourceName(source, verifySeed: verifySeed)))
        }
        return RunResult(
            verdict: verdict, lines: trace.lines, decisions: choices.count,
            lineCount: trace.nextLine - 1, eventCount: trace.eventCount, steps: trace.steps,
            peakEventsPerSecond: trace.peakEventsPerSecond, virtualTime: endTime,
            firstMismatch: choices.firstMismatch, firstLabelMismatch: choices.firstLabelMismatch)
    }

    /// The PCT scheduler a run's parameters ask for (`"strategy": "pct"`, with `pctDepth`,
    /// default 3; `pctWindowUs`, the ready window, default 1000; `pctSteps`, the range of the
    /// change points, default the system's `pctSteps`), or nil. The strategy lives in the
    /// parameters so that a trace's header carries it to replay and shrink.
    static func pct(_ params: JSON, _ choices: Choices, steps: Int) -> PCTScheduler? {
        guard params["strategy"]?.stringValue == "pct" else { return nil }
        return PCTScheduler(
            depth: max(1, params["pctDepth"]?.intValue ?? 3),
            windowNs: VirtualTime(max(0, params["pctWindowUs"]?.intValue ?? 1000))
                * Duration.microsecond,
            stepsExpected: max(1, params["pctSteps"]?.intValue ?? steps), choices: choices)
    }

    /// The header's `source`: `seed` when the decisions are the seed's, else `choices`.
    static func sourceName(_ source: ChoiceSource, verifySeed: UInt64?) -> String {
        switch source {
        case .seed: return "seed"
        case .recorded: return verifySeed == nil ? "choices" : "seed"
        case .recordedThenSeed, .lanes, .lanesThenSeed: return "choices"
        }
    }

    /// The header fields of a trace of `request`.
    public static func header(_ request: RunRequest, build: BuildInfo, source: String)
        -> [(String, JSON)]
    {
        [
            ("system", .string(request.system.name)), ("scenario", .string(request.scenario.name)),
            ("portOf", request.scenario.portOf.map { .string($0) } ?? .null),
            ("seed", .int(Int64(bitPattern: request.seed))), ("params", request.params),
            ("planted", .array(request.planted.map { .string($0) })),
            ("source", .string(source)), ("commit", .string(build.commit)),
            ("toolchain", .string(build.toolchain)), ("config", .string(build.config)),
        ]
    }
}
