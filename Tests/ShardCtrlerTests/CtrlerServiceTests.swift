import DSimCore
import Raft
import ShardCtrler
import XCTest

/// A node type of another service that embeds the controller, the way a ShardKV simulation
/// will: its messages wrap `CtrlerMessage` beside messages of its own, its durable value wraps
/// `CtrlerDurable`, controller servers sit at nodes 2...4 (not 0..<3) with their Raft timers at
/// keys 5 and 6, and node 0 (a "group server") polls Query(-1) every 100 ms through an embedded
/// clerk whose retry timer is key 7, beside its own poll timer at key 0. Node 1 is an admin
/// clerk running a script.
struct ForeignNode: SansIONode {
    enum Msg: SimMessage {
        case ctrler(CtrlerMessage)
        case other
        var isReply: Bool {
            if case .ctrler(let m) = self { return m.isReply } else { return false }
        }
        var sizeBytes: Int {
            if case .ctrler(let m) = self { return m.sizeBytes } else { return 8 }
        }
        var traceName: String {
            if case .ctrler(let m) = self { return m.traceName } else { return "Other" }
        }
        var traceFields: [(String, JSON)] { [] }
    }
    struct Saved { var ctrler: CtrlerDurable }
    typealias Message = Msg
    typealias Durable = Saved

    enum Binding: CtrlerBinding {
        typealias Node = ForeignNode
        static func message(_ m: CtrlerMessage) -> Msg { .ctrler(m) }
        static func durable(_ d: CtrlerDurable) -> Saved { Saved(ctrler: d) }
        static var serverTimerBase: Int { 5 }
        static var clerkTimerBase: Int { 7 }
    }

    static let servers = [2, 3, 4]
    var server: CtrlerServer<Binding>?
    var clerk: CtrlerClerk<Binding>?
    let log: Seen

    mutating func boot(_ ctx: NodeContext<ForeignNode>) {
        server?.boot(ctx)
        clerk?.boot(ctx)
        if ctx.id == 0 { ctx.setTimer(0, after: 100 * Duration.millisecond) }
        if ctx.id == 1 { nextAdmin(ctx) }
    }

    mutating func nextAdmin(_ ctx: NodeContext<ForeignNode>) {
        guard log.script.count > log.adminDone.count else { return }
        clerk!.call(log.script[log.adminDone.count], ctx)
    }

    mutating func receive(_ m: Msg, from: NodeID, _ ctx: NodeContext<ForeignNode>) {
        guard case .ctrler(let c) = m else { return }
        if case .reply(let r) = c {
            guard let done = clerk?.handleReply(r, from: from, ctx) else { return }
            if ctx.id == 0 {
                log.polled.append(done.config!)
            } else {
                log.adminDone.append(done)
                nextAdmin(ctx)
            }
        } else {
            server?.receive(c, from: from, ctx)
        }
    }

    mutating func timerFired(_ key: Int, _ ctx: NodeContext<ForeignNode>) {
        if server?.timerFired(key, ctx) == true || clerk?.timerFired(key, ctx) == true { return }
        precondition(key == 0 && ctx.id == 0, "timer \(key) at \(ctx.id)")
        if clerk!.isIdle { clerk!.call(.query(-1), ctx) }
        ctx.setTimer(0, after: 100 * Duration.millisecond)
    }
}

final class Seen {
    var script: [CtrlerOp] = []
    var adminDone: [CtrlerCompletion] = []
    var polled: [ShardConfig] = []
}

final class CtrlerServiceTests: XCTestCase {
    func group(_ gid: Int) -> ShardGroup { ShardGroup(gid: gid, servers: ["s\(gid)"]) }

    func makeSim(seed: UInt64, network: NetworkOptions, bugs: CtrlerBugs = [])
        -> (SansIOSimulation<ForeignNode>, Seen)
    {
        let seen = Seen()
        seen.script = [
            .join([group(1)]), .join([group(2), group(3)]), .move(shard: 0, gid: 3),
            .leave([1]), .query(2), .join([group(4)]), .query(-1),
        ]
        let sim = SansIOSimulation<ForeignNode>(
            count: 5, choices: Choices(.seed(seed)), trace: TraceRecorder(recording: false),
            network: network
        ) { id, persister in
            var n = ForeignNode(log: seen)
            if id >= 2 {
                n.server = CtrlerServer(
                    me: id - 2, peers: ForeignNode.servers, bugs: bugs, raftConfig: RaftConfig(),
                    restoring: persister.state?.ctrler)
            } else {
                n.clerk = CtrlerClerk(clientId: 100 + id, servers: ForeignNode.servers)
            }
            return n
        }
        return (sim, seen)
    }

    /// The script completes in order, each operation once, on a network that drops and
    /// duplicates; configurations are numbered per Join/Leave/Move; the poller's view only
    /// moves forward and ends at the latest; every server holds the same configurations.
    func testEmbeddedServerAndClerksUnderDropsAndDuplicates() {
        var network = NetworkOptions()
        network.reliable = false
        network.duplicatePerMille = 200
        for seed: UInt64 in 1...10 {
            let (sim, seen) = makeSim(seed: seed, network: network)
            let done = sim.run(for: 60 * Duration.second) { seen.adminDone.count == 7 }
            XCTAssertTrue(done, "seed \(seed): \(seen.adminDone.count) of 7 done")
            sim.runFor(2 * Duration.second)
            let configs = sim.node(2)!.server!.state.configs
            XCTAssertEqual(configs.count, 6, "seed \(seed): one config per Join/Leave/Move")
            XCTAssertEqual(seen.adminDone.map(\.seq), Array(1...7))
            XCTAssertEqual(seen.adminDone[4].config, configs[2], "Query(2)")
            XCTAssertEqual(seen.adminDone[6].config, configs[5], "Query(-1)")
            XCTAssertEqual(configs[5].gids, [2, 3, 4])
            XCTAssertTrue(configs.allSatisfy { $0.isBalanced || $0.num == 3 }, "\(configs)")
            XCTAssertEqual(configs[3].shards[0], 3, "Move")
            for s in 3...4 {
                XCTAssertEqual(sim.node(s)!.server!.state.configs, configs, "server \(s)")
            }
            let nums = seen.polled.map(\.num)
            XCTAssertEqual(nums, nums.sorted(), "seed \(seed): poller went backwards")
            XCTAssertEqual(seen.polled.last, configs[5], "seed \(seed)")
        }
    }

    /// A restarted server catches up from its persisted log.
    func testRestartedServerCatchesUp() {
        let (sim, seen) = makeSim(seed: 3, network: NetworkOptions())
        XCTAssertTrue(sim.run(for: 10 * Duration.second) { seen.adminDone.count >= 2 })
        sim.withNode(3) { n, ctx in n.server!.writeBack(ctx) }
        sim.crash(3)
        XCTAssertTrue(sim.run(for: 30 * Duration.second) { seen.adminDone.count == 7 })
        sim.restart(3)
        sim.runFor(3 * Duration.second)
        XCTAssertEqual(sim.node(3)!.server!.state.configs, sim.node(2)!.server!.state.configs)
        XCTAssertEqual(sim.node(3)!.server!.state.configs.count, 6)
    }

    /// The planted bug makes the servers' configurations differ after a multi-group Join.
    func testPlantedMapOrderMakesServersDisagree() {
        var differ = 0
        for seed: UInt64 in 1...5 {
            let (sim, seen) = makeSim(
                seed: seed, network: NetworkOptions(), bugs: .rebalanceMapOrder)
            _ = sim.run(for: 30 * Duration.second) { seen.adminDone.count == 7 }
            sim.runFor(2 * Duration.second)
            let views = (2...4).map { sim.node($0)!.server!.state.configs }
            if Set(views).count > 1 { differ += 1 }
        }
        XCTAssertGreaterThan(differ, 0)
        XCTAssertEqual(CtrlerBugs(names: ["rebalance-map-order", "x"]), .rebalanceMapOrder)
    }
}
