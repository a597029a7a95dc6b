import DSimCore
import XCTest

final class AsyncSimulationTests: XCTestCase {
    func make(_ nodes: Int = 2, seed: UInt64 = 1) -> AsyncSimulation {
        AsyncSimulation(
            nodes: nodes, choices: Choices(.seed(seed)), trace: TraceRecorder(recording: false))
    }

    func testSleepAdvancesVirtualTimeExactly() {
        let sim = make()
        nonisolated(unsafe) var woke: [VirtualTime] = []
        sim.spawn(0, "sleeper") {
            try await sim.sleep(250 * Duration.millisecond)
            woke.append(sim.now)
            try await sim.sleep(Duration.second)
            woke.append(sim.now)
        }
        XCTAssertEqual(sim.runToQuiescence(), .quiescent)
        XCTAssertEqual(woke, [250 * Duration.millisecond, 1250 * Duration.millisecond])
    }

    func testSelectTimesOutAndReceives() {
        let sim = make()
        let ch = SimChannel<Int>(sim, capacity: 1, name: "c")
        nonisolated(unsafe) var got: [Int] = []
        sim.spawn(0, "reader") {
            for _ in 0..<2 {
                let v = try await sim.select(
                    [.receive(ch) { $0 ?? -1 }], timeout: 100 * Duration.millisecond, onTimeout: -2)
                got.append(v)
            }
        }
        sim.spawn(1, "writer") {
            try await sim.sleep(150 * Duration.millisecond)
            try await ch.send(7)
        }
        sim.runToQuiescence()
        XCTAssertEqual(got, [-2, 7])
    }

    func testUnbufferedSendWaitsForReceiverAndCloseWakesReceivers() {
        let sim = make()
        let ch = SimChannel<Int>(sim, capacity: 0, name: "c")
        nonisolated(unsafe) var sentAt: VirtualTime = -1
        nonisolated(unsafe) var closedSeen = false
        sim.spawn(0, "sender") {
            try await ch.send(1)
            sentAt = sim.now
        }
        sim.spawn(1, "receiver") {
            try await sim.sleep(Duration.second)
            _ = try await ch.receive()
            let v = try await ch.receive()
            closedSeen = v == nil
        }
        sim.spawn(1, "closer") {
            try await sim.sleep(2 * Duration.second)
            ch.close()
        }
        sim.runToQuiescence()
        XCTAssertEqual(sentAt, Duration.second)
        XCTAssertTrue(closedSeen)
    }

    func testMutexExcludesAndLostUpdatesNeedAnUnlockedWindow() {
        for seed in 1...20 as ClosedRange<UInt64> {
            let sim = make(1, seed: seed)
            let mu = SimMutex(sim, name: "m")
            nonisolated(unsafe) var balance = 0
            for i in 0..<8 {
                sim.spawn(0, "adder\(i)") {
                    for _ in 0..<10 {
                        try await mu.lock()
                        let b = balance
                        try await sim.yield()
                        balance = b + 1
                        mu.unlock()
                    }
                }
            }
            sim.runToQuiescence()
            XCTAssertEqual(balance, 80, "seed \(seed)")
            XCTAssertNil(sim.deadlock())
        }
    }

    func testYieldIsARealSchedulingPoint() {
        // Without the lock, a yield between read and write must lose updates for some seed:
        // proof that other tasks run at a yield (a continuation resumed inside its own body
        // would not suspend at all).
        var lost = 0
        for seed in 1...20 as ClosedRange<UInt64> {
            let sim = make(1, seed: seed)
            nonisolated(unsafe) var balance = 0
            for i in 0..<4 {
                sim.spawn(0, "adder\(i)") {
                    for _ in 0..<5 {
                        let b = balance
                        try await sim.yield()
                        balance = b + 1
                    }
                }
            }
            sim.runToQuiescence()
            XCTAssertEqual(sim.jobsRun, 4 + 4 * 5, "one job per start and per yield")
            if balance < 20 { lost += 1 }
        }
        XCTAssertGreaterThan(lost, 10)
    }

    func testDeadlockIsReportedWithWhoWaitsOnWhat() {
        let sim = make(1)
        let a = SimMutex(sim, name: "A")
        let b = SimMutex(sim, name: "B")
        sim.spawn(0, "ab") {
            try await a.lock()
            try await sim.sleep(Duration.millisecond)
            try await b.lock()
        }
        sim.spawn(0, "ba") {
            try await b.lock()
            try await sim.sleep(Duration.millisecond)
            try await a.lock()
        }
        XCTAssertEqual(sim.runToQuiescence(), .quiescent)
        let d = sim.deadlock()
        XCTAssertEqual(d?.invariant, "deadlock")
        XCTAssertTrue(
            d?.message.contains("n0/ab#0 waits on mutex B held by n0/ba#1") ?? false,
            d?.message ?? "")
        XCTAssertTrue(
            d?.message.contains("n0/ba#1 waits on mutex A held by n0/ab#0") ?? false,
            d?.message ?? "")
    }

    /// A task knows itself (`SimTask.current`), says what it waits on while blocked, and is no
    /// longer current once its node crashed: what a harness needs to find leaked tasks.
    func testBlockedTaskSaysWhatItWaitsOn() {
        let sim = make()
        let ch = SimChannel<Int>(sim, capacity: 0, name: "answers 3")
        nonisolated(unsafe) var me: SimTask?
        sim.spawn(0, "fetch 1/3") {
            me = SimTask.current
            try await ch.send(1)
        }
        sim.runToQuiescence()
        let task = try! XCTUnwrap(me)
        XCTAssertEqual(task.name, "fetch 1/3")
        XCTAssertFalse(task.isFinished)
        XCTAssertEqual(task.waitDescription, "send on answers 3")
        XCTAssertTrue(sim.isCurrent(task))
        XCTAssertNil(SimTask.current)
        sim.crash(0)
        sim.runToQuiescence()
        XCTAssertFalse(sim.isCurrent(task))
        sim.end()
    }

    func testIntendedHangIsNotADeadlock() {
        let sim = make()
        sim.spawn(0, "station") { try await sim.hangForever() }
        sim.runToQuiescence()
        XCTAssertNil(sim.deadlock())
    }

    func testCrashUnwindsTasksAndZombiesCannotAct() {
        let sim = make()
        nonisolated(unsafe) var unwound = 0
        nonisolated(unsafe) var zombieActed = false
        for i in 0..<50 {
            sim.spawn(0, "w\(i)") {
                do { try await sim.sleep(10 * Duration.second) } catch is NodeCrashed {
                    unwound += 1
                    // A zombie waiting again never returns.
                    try await sim.sleep(Duration.millisecond)
                    zombieActed = true
                }
            }
        }
        sim.runFor(Duration.second)
        sim.crash(0)
        sim.runToQuiescence()
        XCTAssertEqual(unwound, 50)
        XCTAssertFalse(zombieActed)
        XCTAssertFalse(sim.isUp(0))
    }

    func testRPCFailsOnDisconnectionAndSucceedsOtherwise() {
        let sim = make(2)
        sim.network.longDelays = true
        sim.handle(1, "Double") { (x: Int, _: NodeID) async throws -> Int in 2 * x }
        nonisolated(unsafe) var replies: [Int?] = []
        sim.spawn(0, "client") {
            replies.append(try await sim.call(1, "Double", 21) as Int?)
            sim.connectivity.disconnect(1)
            let before = sim.now
            replies.append(try await sim.call(1, "Double", 1) as Int?)
            XCTAssertLessThan(sim.now - before, 7 * Duration.second)
        }
        sim.runToQuiescence()
        XCTAssertEqual(replies, [42, nil])
        XCTAssertEqual(sim.counters.rpcCount[1], 2)
    }

    func testRPCToCrashedServerFailsAndHandlerSideEffectsMayRemain() {
        let sim = make(2)
        nonisolated(unsafe) var handled = 0
        sim.handle(1, "Slow") { (_: Int, _: NodeID) async throws -> Int in
            handled += 1
            try await sim.sleep(Duration.second)
            return 1
        }
        nonisolated(unsafe) var reply: Int?? = .none
        sim.spawn(0, "client") { reply = .some(try await sim.call(1, "Slow", 0) as Int?) }
        sim.runFor(100 * Duration.millisecond)
        sim.crash(1)
        sim.runToQuiescence()
        XCTAssertEqual(handled, 1)
        XCTAssertEqual(reply, .some(nil))
    }

    func testSameSeedSameSchedule() {
        func run(_ seed: UInt64) -> [Int] {
            let sim = make(1, seed: seed)
            let ch = SimChannel<Int>(sim, capacity: 4, name: "c")
            nonisolated(unsafe) var order: [Int] = []
            for i in 0..<5 {
                sim.spawn(0, "p\(i)") { for j in 0..<4 { try await ch.send(i * 10 + j) } }
            }
            sim.spawn(0, "c") { for _ in 0..<20 { order.append(try await ch.receive() ?? -1) } }
            sim.runToQuiescence()
            return order
        }
        XCTAssertEqual(run(3), run(3))
        XCTAssertNotEqual(run(3), run(4))
    }
}
