// The two aggregators of BU CS350 HW1 (lab-tests.md §9), as async processes. Both keep the
// original signature's semantics: batch b starts at start + b·averagePeriod by calling
// getWeatherData(id, b) once per station 0..<k, each call in its own task; at
// start + (b+1)·averagePeriod the average of the answers that arrived in time (NaN if none) is
// sent on `out` as WeatherReport(value, id: −1, batch: b). Late answers are dropped, never
// counted in a later batch. A message on `quit` stops the aggregator at once, also while it
// waits to send on `out`.
//
// - `channelAggregator` uses only channels and select: each batch has its own buffered answer
//   channel, so a late answer lands in a channel nobody reads any more.
// - `mutexAggregator` keeps the running sum under a SimMutex together with the batch number;
//   an answer is added only if it belongs to the current batch.
import DSimCore

/// Fetches one station's reading for a batch; nil when the call failed (no answer).
public typealias GetWeatherData = @Sendable (_ id: Int, _ batch: Int) async throws -> WeatherReport?

/// Channel-only aggregator: no mutex anywhere.
public func channelAggregator(_ c: AggregatorConfig) async throws {
    let sim = c.sim
    let start = sim.now
    let shared: SimChannel<WeatherReport?>? =
        c.bugs.countLateAnswers ? SimChannel(sim, capacity: c.k * 64, name: "answers") : nil
    var batch = 0
    while true {
        let answers =
            shared
            ?? SimChannel(
                sim, capacity: c.bugs.unbufferedAnswers ? 0 : c.k, name: "answers \(batch)")
        for id in 0..<c.k {
            let b = batch
            sim.spawn(c.node, "fetch \(id)/\(b)") {
                let r = try await c.getWeatherData(id, b)
                try await answers.send(r)
            }
        }
        let deadline = start + VirtualTime(batch + 1) * c.averagePeriodNs
        var sum = 0.0
        var count = 0
        collecting: while true {
            var cases: [SelectCase<ChannelEvent>] = [.receive(answers) { .answer($0 ?? nil) }]
            if !c.bugs.noQuit { cases.append(.receive(c.quit) { _ in .quit }) }
            switch try await sim.select(cases, timeout: deadline - sim.now, onTimeout: .deadline) {
            case .quit: return
            case .deadline: break collecting
            case .answer(let r):
                if let r {
                    sum += r.value
                    count += 1
                    c.observeCounted(r, into: batch)
                }
            }
        }
        guard try await c.send(c.report(sum: sum, count: count, batch: batch)) else { return }
        batch += 1
    }
}

enum ChannelEvent {
    case answer(WeatherReport?)
    case quit
    case deadline
}

/// The mutex aggregator's shared state. Invariant: read and written only under `lock`.
final class MutexAggregate: @unchecked Sendable {
    let lock: SimMutex
    var batch = 0
    var sum = 0.0
    var count = 0

    init(_ sim: AsyncSimulation) { lock = SimMutex(sim, name: "aggregate") }
}

/// Mutex aggregator: answers are added to a running sum under a SimMutex.
public func mutexAggregator(_ c: AggregatorConfig) async throws {
    let sim = c.sim
    let start = sim.now
    let state = MutexAggregate(sim)
    var batch = 0
    while true {
        for id in 0..<c.k {
            let b = batch
            sim.spawn(c.node, "fetch \(id)/\(b)") {
                guard let r = try await c.getWeatherData(id, b) else { return }
                try await state.lock.lock()
                if state.batch == b || c.bugs.countLateAnswers {
                    state.sum += r.value
                    state.count += 1
                    c.observeCounted(r, into: state.batch)
                }
                state.lock.unlock()
            }
        }
        let deadline = start + VirtualTime(batch + 1) * c.averagePeriodNs
        if c.bugs.noQuit {
            try await sim.sleep(deadline - sim.now)
        } else if try await sim.select(
            [.receive(c.quit) { _ in true }], timeout: deadline - sim.now, onTimeout: false)
        {
            return
        }
        try await state.lock.lock()
        let report = c.report(sum: state.sum, count: state.count, batch: batch)
        state.batch = batch + 1
        state.sum = 0
        state.count = 0
        state.lock.unlock()
        guard try await c.send(report) else { return }
        batch += 1
    }
}
