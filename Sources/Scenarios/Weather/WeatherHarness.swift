// The weather-station tester of BU CS350 HW1 (ws_test.go, lab-tests.md §9) in virtual time.
//
// Stations are RPC servers on nodes 1...k (station id = node − 1). A call hangs forever with
// probability 1/10; otherwise it answers after rand·(P − 0.15 s) (on time) or, with ½,
// after rand·(P − 0.15 s) + P + 0.30 s (always late); the value is an integer 0..99. Delays are
// drawn at microsecond resolution. The tester's getWeatherData wrapper logs a receipt (id, batch)
// when called and the value only if the round trip took less than P. A reader task checks every
// message on `out` (receipts, average, NaN parity, period) and, for runs without quit, the number
// of batches when the die timer fires; with quit, no message may arrive within 2·P of it.
import DSimCore
import WeatherStations

/// Which aggregator a run tests.
enum AggregatorKind: String {
    case channel
    case mutex
}

/// One weather run's shape.
struct WeatherSetup {
    var kind: AggregatorKind
    var k: Int
    var periodNs: VirtualTime
    /// When the tester sends quit (nil: never, as in the non-quit tests).
    var quitAtNs: VirtualTime?
    /// When the test ends.
    var dieAtNs: VirtualTime
    /// Batches expected by `dieAtNs` (nil: not checked, as in TestQuit).
    var expectedBatches: Int?
    var network = NetworkOptions()
}

/// A station call's arguments.
struct StationRequest: Sendable {
    var id: Int
    var batch: Int
}

/// One weather run: the simulation, the stations, the tester's logs and checks.
final class WeatherHarness: @unchecked Sendable {
    static let toleranceNs: VirtualTime = 80 * Duration.millisecond
    let ctx: RunContext
    let sim: AsyncSimulation
    let setup: WeatherSetup
    let out: SimChannel<WeatherReport>
    let quit: SimChannel<Void>
    /// Station ids called per batch, in call order.
    var receipts: [[Int]] = []
    /// On-time values per batch.
    var onTime: [[Double]] = []
    var lastReceiptLine: [TraceLine] = []
    /// `ws.late` and `ws.noanswer` lines since the last output: answers that must not count in
    /// the batch being collected, cited when its average is wrong.
    var missedSinceOutput: [TraceLine] = []
    var outputs = 0
    var lastOutputAt: VirtualTime = 0
    var lastOutputLine: TraceLine?
    var quitSentAt: VirtualTime?
    /// Every fetch that got its answer (or its failure): the task, the answer's line, when.
    var answered: [(task: SimTask, line: TraceLine, at: VirtualTime)] = []

    init(_ ctx: RunContext, _ setup: WeatherSetup) {
        precondition(
            setup.periodNs > 150 * Duration.millisecond, "period \(setup.periodNs) too short")
        self.ctx = ctx
        self.setup = setup
        sim = AsyncSimulation(nodes: setup.k + 1, choices: ctx.choices, trace: ctx.trace)
        sim.network = setup.network
        out = SimChannel(sim, capacity: 0, name: "out")
        quit = SimChannel(sim, capacity: 0, name: "quit")
    }

    var bugs: AggregatorBugs {
        var b = AggregatorBugs()
        b.countLateAnswers = ctx.isPlanted("count-late-answers")
        b.noQuit = ctx.isPlanted("no-quit")
        b.wrongBatchNumber = ctx.isPlanted("wrong-batch-number")
        b.unbufferedAnswers = ctx.isPlanted("unbuffered-answers")
        return b
    }

    /// Runs the test and returns its verdict.
    func run() -> Verdict {
        ctx.trace.observe(
            "ws.setup", node: nil,
            [
                ("aggregator", .string(setup.kind.rawValue)), ("k", .int(Int64(setup.k))),
                ("periodNs", .int(setup.periodNs)),
                ("quitAtNs", setup.quitAtNs.map { .int($0) } ?? .null),
                ("dieAtNs", .int(setup.dieAtNs)), ("network", setup.network.json),
            ])
        for node in 1...setup.k { installStation(node) }
        let config = AggregatorConfig(
            sim: sim, node: 0, k: setup.k, averagePeriodNs: setup.periodNs,
            getWeatherData: { [self] id, batch in try await getWeatherData(id, batch) }, out: out,
            quit: quit, bugs: bugs)
        sim.spawn(0, "\(setup.kind.rawValue)Aggregator") { [setup] in
            switch setup.kind {
            case .channel: try await channelAggregator(config)
            case .mutex: try await mutexAggregator(config)
            }
        }
        sim.spawn(0, "tester out") { [self] in try await readOutputs() }
        if let q = setup.quitAtNs {
            sim.spawn(0, "tester quit") { [self] in
                try await sim.sleep(q)
                quitSentAt = sim.now
                ctx.trace.observe("ws.quit", node: 0)
                try await quit.send(())
            }
        }
        sim.run(until: setup.dieAtNs)
        let verdict =
            sim.violation.map { Verdict.violation($0) } ?? checkHandedOver() ?? checkBatchCount()
        teardown()
        return verdict
    }

    /// The original's die timer: the number of batches must be the expected one.
    func checkBatchCount() -> Verdict {
        guard let want = setup.expectedBatches, outputs != want else { return .ok }
        let line = ctx.trace.observe(
            "ws.die", node: nil,
            [("batches", .int(Int64(outputs))), ("expected", .int(Int64(want)))])
        return .violation(
            Violation(
                "ws-batch-count",
                "\(outputs) batches by \(formatTime(setup.dieAtNs)), expected \(want)",
                events: [lastOutputLine, line].compactMap { $0 }))
    }

    /// Late answers are dropped, not left holding their task: a fetch that has its answer is
    /// done with it within one period (the batch it belongs to closes by then). A fetch task
    /// still waiting longer than that — on a channel nobody reads any more, a lock nobody
    /// releases — is a leak the aggregator keeps for good (`ws-task-leak`).
    func checkHandedOver() -> Verdict? {
        let P = setup.periodNs
        guard
            let stuck = answered.first(where: { a in
                !a.task.isFinished && sim.now - a.at > P && sim.isCurrent(a.task)
            })
        else { return nil }
        let count = answered.count { a in
            !a.task.isFinished && sim.now - a.at > P && sim.isCurrent(a.task)
        }
        let line = ctx.trace.observe(
            "ws.leak", node: 0,
            [("task", .string(stuck.task.label)), ("tasks", .int(Int64(count)))])
        return .violation(
            Violation(
                "ws-task-leak",
                "\(stuck.task.label) got its answer at \(formatTime(stuck.at)) and at "
                    + "\(formatTime(sim.now)) still waits on "
                    + "\(stuck.task.waitDescription ?? "something") (\(count) leaked in all)",
                events: [stuck.line, line]))
    }

    /// Crashes every node so suspended tasks unwind and free their memory.
    func teardown() {
        for node in 0..<sim.nodeCount { sim.crash(node) }
        sim.run(until: sim.now)
        // Whatever is still parked (everything, when a violation stopped the run) unwinds
        // sealed, so the run's memory is given back.
        sim.end()
    }
}
