import DSimCore
import Raft
import XCTest

/// A toy service on `RaftHost`: the machine appends integers to a list and answers each with
/// its position. The embedding node puts the Raft peers at nodes 1...3 (not 0..<3) and the
/// host's timers at keys 3 and 4 beside a timer of its own at key 0, so the wiring a shardkv
/// node needs (peer mapping, timer base, message wrapping) is exercised, not only kvraft's.
struct ListMachine: RaftStateMachine {
    struct Item: RaftPayload {
        var value: Int
        var sizeBytes: Int { 8 }
    }
    struct Snap: RaftPayload {
        var items: [Int]
        var sizeBytes: Int { 8 * items.count + 8 }
    }
    var items: [Int] = []

    mutating func apply(_ c: Item) -> Int {
        items.append(c.value)
        return items.count
    }
    func snapshot() -> Snap { Snap(items: items) }
    mutating func restore(_ s: Snap) { items = s.items }
}

struct ListNode: SansIONode {
    enum Msg: SimMessage {
        case raft(RaftMessage<ListMachine.Item, ListMachine.Snap>)
        case request(Int)
        case answered(Int, position: Int)
        case failed(Int)
        var isReply: Bool {
            switch self {
            case .raft(let m): return m.isReply
            case .request: return false
            case .answered, .failed: return true
            }
        }
        var sizeBytes: Int { if case .raft(let m) = self { return m.sizeBytes } else { return 16 } }
        var traceName: String {
            if case .raft(let m) = self { return m.traceName } else { return "L" }
        }
        var traceFields: [(String, JSON)] { [] }
    }
    typealias Message = Msg
    typealias Durable = RaftDurable<ListMachine.Item, ListMachine.Snap>

    enum Binding: RaftHostBinding {
        typealias Node = ListNode
        typealias Machine = ListMachine
        typealias Ticket = Int
        static var timerBase: Int { 3 }
        static func message(_ m: RaftMessage<ListMachine.Item, ListMachine.Snap>) -> Msg {
            .raft(m)
        }
        static func durable(_ d: Durable) -> Durable { d }
        static func answered(_ t: Int, _ position: Int, _ ctx: NodeContext<ListNode>) {
            ctx.send(.answered(t, position: position), to: 0)
        }
        static func failed(_ t: Int, _ ctx: NodeContext<ListNode>) { ctx.send(.failed(t), to: 0) }
    }

    /// Set on nodes 1...3.
    var host: RaftHost<Binding>?
    /// Node 0: every report, in arrival order, as (server, value, position or nil).
    let reports: ReportLog
    var ownTicks = 0

    mutating func boot(_ ctx: NodeContext<ListNode>) {
        host?.boot(ctx)
        ctx.setTimer(0, after: 50 * Duration.millisecond)
    }

    mutating func receive(_ m: Msg, from: NodeID, _ ctx: NodeContext<ListNode>) {
        switch m {
        case .raft(let r): host!.receive(r, from: from, ctx)
        case .request(let v): host!.start(ListMachine.Item(value: v), ticket: v, ctx)
        case .answered(let v, let p): reports.entries.append((from, v, p))
        case .failed(let v): reports.entries.append((from, v, nil))
        }
    }

    mutating func timerFired(_ key: Int, _ ctx: NodeContext<ListNode>) {
        if host?.timerFired(key, ctx) == true { return }
        precondition(key == 0, "timer \(key)")
        ownTicks += 1
    }
}

final class ReportLog {
    var entries: [(server: Int, value: Int, position: Int?)] = []
}

final class RaftHostTests: XCTestCase {
    func makeSim(seed: UInt64, maxRaftState: Int) -> (SansIOSimulation<ListNode>, ReportLog) {
        let log = ReportLog()
        let sim = SansIOSimulation<ListNode>(
            count: 4, choices: Choices(.seed(seed)), trace: TraceRecorder(recording: false)
        ) { id, persister in
            var n = ListNode(host: nil, reports: log)
            if id > 0 {
                n.host = RaftHost(
                    me: id - 1, peers: [1, 2, 3], machine: ListMachine(),
                    maxRaftState: maxRaftState, config: RaftConfig(), restoring: persister.state)
            }
            return n
        }
        return (sim, log)
    }

    func leader(_ sim: SansIOSimulation<ListNode>) -> Int? {
        (1...3).first { sim.node($0)?.host?.raft.state.isLeader == true }
    }

    /// Every request sent to every server is reported exactly once; only the leader answers,
    /// positions are 1, 2, 3, …; the replicas hold the same list; snapshots happen and a
    /// restarted server comes back from its snapshot.
    func testEveryTicketReportedOnceAndReplicasAgree() {
        for seed: UInt64 in 1...5 {
            let (sim, log) = makeSim(seed: seed, maxRaftState: 200)
            XCTAssertTrue(sim.run(for: 5 * Duration.second) { leader(sim) != nil }, "seed \(seed)")
            let values = 1...40
            for v in values {
                for s in 1...3 { sim.withNode(0) { _, ctx in ctx.send(.request(v), to: s) } }
                sim.runFor(20 * Duration.millisecond)
                if v == 20 {
                    let victim = (1...3).first { $0 != leader(sim) }!
                    sim.withNode(victim) { n, ctx in n.host!.writeBack(ctx) }
                    sim.crash(victim)
                    sim.runFor(200 * Duration.millisecond)
                    sim.restart(victim)
                }
            }
            sim.runFor(2 * Duration.second)
            var seen: [Int: Int] = [:]
            var positions: [Int] = []
            for (server, v, p) in log.entries {
                seen[server * 1000 + v, default: 0] += 1
                if let p { positions.append(p) }
            }
            // The crashed server loses the requests it held (none: it was a follower) and
            // misses those sent while down; every other (server, value) pair has one report.
            let reported = seen.values.filter { $0 != 1 }
            XCTAssertEqual(reported, [], "seed \(seed): a ticket was reported twice")
            XCTAssertGreaterThanOrEqual(seen.count, 3 * values.count - 30, "seed \(seed)")
            XCTAssertEqual(positions.sorted(), Array(1...positions.count), "seed \(seed)")
            XCTAssertEqual(positions.count, values.count, "seed \(seed): one answer per value")
            let lists = (1...3).compactMap { sim.node($0)?.host?.machine.items }
            XCTAssertEqual(lists.count, 3)
            XCTAssertEqual(Set(lists).count, 1, "seed \(seed): replicas differ")
            XCTAssertEqual(lists[0].count, values.count)
            let compacted = (1...3).filter { (sim.node($0)?.host?.raft.log.snapshotIndex ?? 0) > 0 }
            XCTAssertEqual(compacted.count, 3, "seed \(seed): every replica snapshotted")
            XCTAssertGreaterThan(sim.node(1)!.ownTicks, 0, "the node's own timer key 0 works")
        }
    }

    /// Timer keys: the host owns exactly timerBase and timerBase + 1.
    func testTimerKeys() {
        typealias H = RaftHost<ListNode.Binding>
        XCTAssertEqual(H.timerKey(.election), 3)
        XCTAssertEqual(H.timerKey(.heartbeat), 4)
        XCTAssertEqual((0..<8).filter(H.ownsTimer), [3, 4])
    }
}
