import DSimCore
import XCTest

/// A toy node: on boot node 0 sends `pings` pings to node 1; node 1 counts them, persists the
/// count and replies; a timer re-arms itself.
struct EchoNode: SansIONode {
    enum Msg: SimMessage {
        case ping(Int)
        case pong(Int)
        var isReply: Bool { if case .pong = self { return true } else { return false } }
        var sizeBytes: Int { 10 }
        var traceName: String { isReply ? "Pong" : "Ping" }
        var traceFields: [(String, JSON)] { [] }
    }
    typealias Message = Msg
    typealias Durable = Int

    let id: Int
    var pings = 0
    var received = 0
    var pongs = 0
    var ticks = 0
    var restored: Int?

    init(id: Int, persister: Persister<Int>, pings: Int) {
        self.id = id
        self.pings = pings
        restored = persister.state
        received = persister.state ?? 0
    }

    mutating func boot(_ ctx: NodeContext<EchoNode>) {
        if id == 0 { for i in 0..<pings { ctx.send(.ping(i), to: 1) } }
        ctx.setTimer(0, after: 10 * Duration.millisecond)
    }

    mutating func receive(_ m: Msg, from: NodeID, _ ctx: NodeContext<EchoNode>) {
        switch m {
        case .ping(let i):
            received += 1
            ctx.persist(received, stateBytes: 8, snapshotBytes: 0)
            ctx.send(.pong(i), to: from)
        case .pong: pongs += 1
        }
    }

    mutating func timerFired(_ timer: Int, _ ctx: NodeContext<EchoNode>) {
        ticks += 1
        ctx.setTimer(0, after: 10 * Duration.millisecond)
    }
}

final class SansIOSimulationTests: XCTestCase {
    func make(seed: UInt64, pings: Int = 20, record: Bool = false) -> SansIOSimulation<EchoNode> {
        SansIOSimulation<EchoNode>(
            count: 2, choices: Choices(.seed(seed)), trace: TraceRecorder(recording: record)
        ) { id, p in EchoNode(id: id, persister: p, pings: pings) }
    }

    func testReliableNetworkDeliversEverythingAndCounts() {
        let sim = make(seed: 1)
        sim.runFor(Duration.second)
        XCTAssertEqual(sim.node(1)?.received, 20)
        XCTAssertEqual(sim.node(0)?.pongs, 20)
        XCTAssertEqual(sim.counters.rpcCount, [0, 20])
        XCTAssertEqual(sim.counters.totalBytes, 400)
        XCTAssertEqual(sim.node(0)?.ticks, 100, "a re-armed 10 ms timer fires 100 times a second")
    }

    func testTimersAreCancelledByRearming() {
        let sim = make(seed: 1, pings: 0)
        sim.withNode(0) { _, ctx in
            ctx.setTimer(0, after: 5 * Duration.millisecond)
            ctx.setTimer(0, after: 500 * Duration.millisecond)
        }
        sim.runFor(499 * Duration.millisecond)
        XCTAssertEqual(sim.node(0)?.ticks, 0, "the first deadline was replaced")
    }

    func testCrashDropsInFlightMessagesAndKeepsPersistedState() {
        let sim = make(seed: 2)
        sim.run(until: 0)
        sim.crash(1)  // every ping is still in flight
        sim.restart(1)
        sim.runFor(Duration.second)
        XCTAssertEqual(sim.node(1)?.received, 0, "messages to the old incarnation never arrive")
        XCTAssertEqual(sim.incarnationOf(1), 1)

        let sim2 = make(seed: 3)
        sim2.runFor(Duration.second)
        sim2.crash(1)
        XCTAssertNil(sim2.node(1))
        sim2.restart(1)
        XCTAssertEqual(sim2.node(1)?.restored, 20, "saved state survives a crash")
    }

    func testZombiePersisterWritesAreLost() {
        let p = Persister<Int>()
        p.save(1, stateBytes: 8, snapshotBytes: 0)
        let next = p.handOver()
        p.save(2, stateBytes: 8, snapshotBytes: 0)
        XCTAssertEqual(next.state, 1)
        XCTAssertEqual(next.stateBytes, 8)
    }

    func testDisconnectionAndPartitionsBlockMessages() {
        let sim = make(seed: 4)
        sim.disconnect(1)
        sim.runFor(Duration.second)
        XCTAssertEqual(sim.node(1)?.received, 0)
        let sim2 = make(seed: 4)
        sim2.partition([[0], [1]])
        sim2.runFor(Duration.second)
        XCTAssertEqual(sim2.node(1)?.received, 0)
        XCTAssertEqual(sim2.counters.dropped, 20)
    }

    func testUnreliableNetworkDropsSomeButNotAll() {
        let sim = make(seed: 5, pings: 0)
        sim.network.reliable = false
        sim.withNode(0) { _, ctx in for i in 0..<300 { ctx.send(.ping(i), to: 1) } }
        sim.runFor(5 * Duration.second)
        let r = sim.node(1)?.received ?? 0
        XCTAssertGreaterThan(r, 200)
        XCTAssertLessThan(r, 300)
    }

    func testSameSeedSameTraceDifferentSeedDifferentTrace() {
        func trace(_ seed: UInt64) -> String {
            let sim = make(seed: seed, record: true)
            sim.choices.trace = sim.trace
            sim.network.reliable = false
            sim.runFor(Duration.second)
            return sim.trace.text
        }
        XCTAssertEqual(trace(9), trace(9))
        XCTAssertNotEqual(trace(9), trace(10))
    }
}
