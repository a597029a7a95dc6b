// PCT over the async runtime: its threads are simulated tasks, every draw goes through
// `Choices`, so a PCT run is a function of its decisions (same seed, same run; its decisions
// replayed, the same run again), and with depth 1 (no change point) the ready jobs of the task
// with the highest priority always run first.
import DSimCore
import XCTest

final class AsyncPCTTests: XCTestCase {
    /// A small async world under PCT: tasks on two nodes that talk through a channel, a mutex,
    /// an RPC, sleeps, yields and an `async let`. Returns the order of their steps, the
    /// decisions drawn and the simulation (for its job-tag counters).
    func run(
        _ source: ChoiceSource, depth: Int
    ) -> (order: [String], decisions: [UInt64], lines: [String], sim: AsyncSimulation) {
        let trace = TraceRecorder(recording: true)
        let choices = Choices(source)
        choices.trace = trace
        choices.pct = PCTScheduler(depth: depth, windowNs: 0, stepsExpected: 40, choices: choices)
        let sim = AsyncSimulation(nodes: 2, choices: choices, trace: trace)
        nonisolated(unsafe) var order: [String] = []
        let ch = SimChannel<Int>(sim, capacity: 1, name: "c")
        let mu = SimMutex(sim, name: "m")
        sim.handle(1, "Inc") { (x: Int, _: NodeID) async throws -> Int in x + 1 }
        for t in 0..<3 {
            sim.spawn(t % 2, "worker\(t)") {
                for i in 0..<3 {
                    try await mu.lock()
                    order.append("w\(t).\(i)")
                    try await sim.yield()
                    mu.unlock()
                    try await ch.send(t)
                }
            }
        }
        sim.spawn(1, "reader") {
            for _ in 0..<9 {
                let v = try await ch.receive() ?? -1
                async let r = sim.call(1, "Inc", v) as Int?
                try await sim.sleep(Duration.millisecond)
                order.append("r\(try await r ?? -1)")
            }
        }
        sim.runToQuiescence()
        let decisions = trace.lines.compactMap { line -> UInt64? in
            guard line.hasPrefix("{\"dec\""), let v = line.range(of: "\"v\":") else { return nil }
            return UInt64(line[v.upperBound...].prefix { $0.isNumber })
        }
        return (order, decisions, trace.lines, sim)
    }

    func testPCTOnAsyncTasksIsDeterministicAndReplays() {
        let a = run(.seed(11), depth: 3)
        let b = run(.seed(11), depth: 3)
        XCTAssertEqual(a.lines, b.lines)
        XCTAssertEqual(a.order, b.order)
        XCTAssertEqual(a.order.count, 18)
        XCTAssertEqual(a.lines.filter { $0.contains("\"pct.change\"") }.count, 2)
        XCTAssertTrue(a.lines.contains { $0.contains("\"pct.prio\"") })
        XCTAssertFalse(a.lines.contains { $0.contains("\"sched.job\"") })
        // Every job was enqueued for a known task, the one that then ran in it.
        XCTAssertEqual(a.sim.untaggedJobs, 0)
        XCTAssertEqual(a.sim.mistaggedJobs, 0)
        let replay = run(.recorded(a.decisions), depth: 3)
        XCTAssertEqual(replay.lines, a.lines)
        XCTAssertEqual(replay.order, a.order)
        // Other seeds give other priorities, hence other orders.
        let orders = Set((1...8).map { run(.seed($0), depth: 3).order })
        XCTAssertGreaterThan(orders.count, 1)
    }

    func testDepthOneRunsTheHighestPriorityTasksReadyJobsFirst() {
        for seed in UInt64(1)...5 {
            let choices = Choices(.seed(seed))
            let pct = PCTScheduler(depth: 1, windowNs: 0, stepsExpected: 100, choices: choices)
            choices.pct = pct
            let sim = AsyncSimulation(
                nodes: 2, choices: choices, trace: TraceRecorder(recording: false))
            nonisolated(unsafe) var order: [Int] = []
            // Four tasks, two per node (PCT's threads are tasks, not nodes), each yielding
            // between steps: every one of them is ready at every pick.
            let tasks = (0..<4).map { t in
                sim.spawn(t % 2, "t\(t)") {
                    for _ in 0..<5 {
                        order.append(t)
                        try await sim.yield()
                    }
                }
            }
            sim.runToQuiescence()
            let byPriority = tasks.indices.sorted {
                (pct.currentPriority(of: tasks[$0].id) ?? 0)
                    > (pct.currentPriority(of: tasks[$1].id) ?? 0)
            }
            XCTAssertEqual(order, byPriority.flatMap { Array(repeating: $0, count: 5) }, "\(seed)")
            XCTAssertEqual(sim.untaggedJobs, 0)
            XCTAssertEqual(sim.mistaggedJobs, 0)
        }
    }
}
