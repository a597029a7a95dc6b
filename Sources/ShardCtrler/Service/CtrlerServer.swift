// The shard controller server (shardctrler/server.go) as a sans-IO component: a `RaftHost`
// driving `CtrlerState`. Join, Leave, Move and Query all go through the log (so Query(-1)
// reflects every operation finished before it was asked), each executes once per client id
// and sequence number, and a request is answered when its entry applies or failed with
// ErrWrongLeader when this server cannot answer it. Embed it in any node type through a
// `CtrlerBinding`:
//
//   var s = CtrlerServer<B>(me: 0, peers: [0, 1, 2], bugs: [], raftConfig: RaftConfig(),
//                           restoring: persister.state)     // the node's CtrlerDurable, unwrapped
//   s.boot(ctx)                                              // from the node's boot
//   s.receive(ctrlerMessage, from: node, ctx)                // .raft and .request
//   s.timerFired(key, ctx)                                   // false: not the server's key
//   s.writeBack(ctx)                                         // before a crash or a size read
import DSimCore
import Raft

/// Bugs that can be planted in the controller service.
public struct CtrlerBugs: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt8
    /// Creates a set from bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Rebalance in an order that depends on the server (as iterating a Go map does), so
    /// replicas applying the same Join/Leave compute different configurations.
    public static let rebalanceMapOrder = CtrlerBugs(rawValue: 1 << 0)
    /// A leader answers Query from its applied state without going through the log (a
    /// deposed or freshly elected leader answers with a stale configuration).
    public static let staleQuery = CtrlerBugs(rawValue: 1 << 1)

    /// The bugs by their planted names.
    public static let byName: [(String, CtrlerBugs)] = [
        ("rebalance-map-order", .rebalanceMapOrder), ("stale-query", .staleQuery),
    ]

    /// The set named by `names` (unknown names are ignored).
    public init<S: Sequence>(names: S) where S.Element == String {
        self = []
        let wanted = Set(names)
        for (name, bug) in Self.byName where wanted.contains(name) { insert(bug) }
    }
}

/// One shard controller server.
public struct CtrlerServer<B: CtrlerBinding> {
    /// The Raft peer, the configurations and the waiting requests.
    public private(set) var host: RaftHost<CtrlerHostBinding<B>>
    /// Planted bugs.
    public let bugs: CtrlerBugs

    /// Builds server `me` of the controller servers at nodes `peers` from its persisted state
    /// (nil when fresh). The labs' controller never snapshots (`maxRaftState` -1).
    public init(
        me: Int, peers: [NodeID], bugs: CtrlerBugs, raftConfig: RaftConfig,
        maxRaftState: Int = -1, restoring: CtrlerDurable?
    ) {
        self.bugs = bugs
        var state = CtrlerState()
        if bugs.contains(.rebalanceMapOrder) { state.bugOrderSalt = Self.salt(me) }
        host = RaftHost(
            me: me, peers: peers, machine: state, maxRaftState: maxRaftState, config: raftConfig,
            restoring: restoring)
    }

    /// The planted bug's per-server salt: distinct per server, fixed across restarts.
    static func salt(_ me: Int) -> Int { 0x5bd1_e995 &* (me + 1) }

    /// The applied state: every configuration and the duplicate table.
    public var state: CtrlerState { host.machine }
    /// The Raft peer.
    public var raft: Raft<CtrlerCommand, CtrlerState> { host.raft }

    /// Saves the durable state to the persister if it changed (see `RaftHost.writeBack`).
    public mutating func writeBack(_ ctx: NodeContext<B.Node>) { host.writeBack(ctx) }

    /// Starts the Raft peer.
    public mutating func boot(_ ctx: NodeContext<B.Node>) { host.boot(ctx) }

    /// A controller message for this server: Raft from a peer, or a clerk's request. Replies
    /// are for clerks and are ignored.
    public mutating func receive(_ m: CtrlerMessage, from: NodeID, _ ctx: NodeContext<B.Node>) {
        switch m {
        case .raft(let r): host.receive(r, from: from, ctx)
        case .request(let r): handleRequest(r, from: from, ctx)
        case .reply: break
        }
    }

    /// A timer of the node fired; false when it is not one of the server's.
    @discardableResult
    public mutating func timerFired(_ key: Int, _ ctx: NodeContext<B.Node>) -> Bool {
        host.timerFired(key, ctx)
    }

    /// A clerk's request: Start it and answer when it applies (ErrWrongLeader at once when
    /// this server is not leader).
    public mutating func handleRequest(
        _ r: CtrlerRequest, from clerk: NodeID, _ ctx: NodeContext<B.Node>
    ) {
        let ticket = CtrlerTicket(
            clerk: clerk, clientId: r.clientId, seq: r.seq, attempt: r.attempt)
        if bugs.contains(.staleQuery), case .query(let n) = r.op, raft.state.isLeader {
            CtrlerHostBinding<B>.answered(ticket, state.query(n), ctx)
            return
        }
        host.start(CtrlerCommand(client: r.clientId, seq: r.seq, op: r.op), ticket: ticket, ctx)
    }
}

extension CtrlerServer: Hashable {
    /// Equal hosts.
    public static func == (a: CtrlerServer, b: CtrlerServer) -> Bool { a.host == b.host }
    /// Hashes the host.
    public func hash(into h: inout Hasher) { h.combine(host) }
}
