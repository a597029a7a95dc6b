// The one node kind of a shardkv simulation (shardkv/config.go: the controller's servers, the
// replica groups' servers and the clerks, all on one labrpc network). A node is one of:
//
// - a controller server (`CtrlerServer`, from the ShardCtrler service);
// - a group server (`ShardKVServer`) with an embedded controller clerk that fetches the next
//   configuration on the server's 100 ms duty timer;
// - a clerk (`ShardKVClerk`) with an embedded controller clerk for Query(-1);
// - an administrator: only a controller clerk (the test's `mck` for join/leave).
//
// Timer keys: a group server's Raft host 0–1 and duty timer 2; a controller server's Raft 0–1;
// a clerk's 0–2; every embedded controller clerk's retry timer 3.
import DSimCore
import KVRaft
import Raft
import ShardCtrler

/// What a node persists: a controller server's or a group server's Raft state.
public enum ShardKVDurable: Hashable, Sendable {
    /// A controller server's.
    case ctrler(CtrlerDurable)
    /// A group server's.
    case group(RaftDurable<ShardKVCommand, ShardKVSnapshot>)
}

/// Every message of a shardkv simulation. Indirect: the event queue moves one pointer.
public indirect enum ShardKVMessage: Hashable, Sendable {
    /// The controller service's (Raft between its servers, clerk requests and replies).
    case ctrler(CtrlerMessage)
    /// Raft between the servers of one group.
    case groupRaft(RaftMessage<ShardKVCommand, ShardKVSnapshot>)
    /// Clerk to group server.
    case request(ShardKVRequest)
    /// Group server to clerk.
    case reply(ShardKVReply)
    /// New owner to previous owner: send me these shards.
    case pullShards(PullShardsArgs)
    /// The shards (or not ready).
    case pullReply(PullShardsReply)
    /// New owner to previous owner: delete these shards.
    case deleteShards(DeleteShardsMessage)
    /// Deleted (or not ready / wrong leader).
    case deleteReply(DeleteShardsMessage)
}

/// How controller servers and clerks are wired into `ShardKVNode`.
public enum ShardKVCtrlerBinding: CtrlerBinding {
    /// The simulation's node.
    public typealias Node = ShardKVNode

    /// `.ctrler(m)`.
    public static func message(_ m: CtrlerMessage) -> ShardKVMessage { .ctrler(m) }
    /// `.ctrler(d)`.
    public static func durable(_ d: CtrlerDurable) -> ShardKVDurable { .ctrler(d) }
    /// Keys 0 and 1.
    public static var serverTimerBase: Int { 0 }
    /// Key 3.
    public static var clerkTimerBase: Int { 3 }
}

/// A controller server, a group server, a clerk or an administrator.
public struct ShardKVNode: SansIONode {
    /// Every message of the simulation.
    public typealias Message = ShardKVMessage
    /// A controller or group server's Raft state.
    public typealias Durable = ShardKVDurable

    /// Set for controller servers.
    public var ctrlerServer: CtrlerServer<ShardKVCtrlerBinding>?
    /// Set for group servers.
    public var server: ShardKVServer?
    /// Set for clerks.
    public var clerk: ShardKVClerk?
    /// Set for group servers, clerks and administrators.
    public var ctrlerClerk: CtrlerClerk<ShardKVCtrlerBinding>?
    /// The configuration the controller clerk's last Query returned (an administrator's
    /// answer to the harness).
    public private(set) var lastConfig: ShardConfig?

    /// A controller server.
    public init(ctrlerServer: CtrlerServer<ShardKVCtrlerBinding>) {
        self.ctrlerServer = ctrlerServer
    }

    /// A group server with its controller clerk.
    public init(server: ShardKVServer, ctrlerClerk: CtrlerClerk<ShardKVCtrlerBinding>) {
        self.server = server
        self.ctrlerClerk = ctrlerClerk
    }

    /// A clerk with its controller clerk.
    public init(clerk: ShardKVClerk, ctrlerClerk: CtrlerClerk<ShardKVCtrlerBinding>) {
        self.clerk = clerk
        self.ctrlerClerk = ctrlerClerk
    }

    /// An administrator (the test's controller clerk).
    public init(admin: CtrlerClerk<ShardKVCtrlerBinding>) { ctrlerClerk = admin }

    /// A server's boot line says its Raft term.
    public var bootFields: [(String, JSON)] {
        ctrlerServer?.host.bootFields ?? server?.host.bootFields ?? []
    }

    /// Boots whatever this node runs.
    public mutating func boot(_ ctx: NodeContext<ShardKVNode>) {
        ctrlerServer?.boot(ctx)
        server?.boot(ctx)
        ctrlerClerk?.boot(ctx)
    }

    /// Dispatches a message to the component it is for.
    public mutating func receive(_ m: ShardKVMessage, from: NodeID, _ ctx: NodeContext<ShardKVNode>)
    {
        switch m {
        case .ctrler(let c):
            if case .reply(let r) = c {
                guard let done = ctrlerClerk?.handleReply(r, from: from, ctx) else { return }
                if let config = done.config {
                    lastConfig = config
                    configArrived(config, ctx)
                }
            } else {
                ctrlerServer?.receive(c, from: from, ctx)
            }
        case .groupRaft(let r): server?.host.receive(r, from: from, ctx)
        case .request(let r): server?.handleRequest(r, from: from, ctx)
        case .reply(let r): clerk?.handleReply(r, ctx)
        case .pullShards(let a): server?.handlePull(a, from: from, ctx)
        case .pullReply(let r): server?.handlePullReply(r, ctx)
        case .deleteShards(let d): server?.handleDelete(d, from: from, ctx)
        case .deleteReply(let d): server?.handleDeleteReply(d, ctx)
        }
    }

    /// A configuration from the controller: to the server (the next one) or the clerk.
    private mutating func configArrived(_ c: ShardConfig, _ ctx: NodeContext<ShardKVNode>) {
        server?.configArrived(c, ctx)
        clerk?.configArrived(c, ctx)
    }

    /// Dispatches a timer; then asks the controller for a configuration if one is wanted.
    public mutating func timerFired(_ key: Int, _ ctx: NodeContext<ShardKVNode>) {
        if ctrlerClerk?.timerFired(key, ctx) == true { return }
        if let handled = ctrlerServer?.timerFired(key, ctx) {
            precondition(handled, "unknown controller server timer \(key)")
            return
        }
        let handled = server?.timerFired(key, ctx) ?? clerk?.timerFired(key, ctx) ?? false
        precondition(handled, "unknown timer \(key) on node \(ctx.id)")
        guard ctrlerClerk?.isIdle == true else { return }
        if let num = server?.wantedConfig {
            ctrlerClerk!.call(.query(num), ctx)
        } else if clerk?.isWaitingForConfig == true {
            ctrlerClerk!.call(.query(-1), ctx)
        }
    }

    /// Saves a server's durable state to its persister if it changed (before a crash or a
    /// size read).
    public mutating func writeBack(_ ctx: NodeContext<ShardKVNode>) {
        ctrlerServer?.writeBack(ctx)
        server?.host.writeBack(ctx)
    }
}

extension ShardKVMessage: SimMessage {
    /// Raft replies, controller replies, and the replies of clerks and migrations.
    @inlinable
    public var isReply: Bool {
        switch self {
        case .ctrler(let m): return m.isReply
        case .groupRaft(let m): return m.isReply
        case .request, .pullShards, .deleteShards: return false
        case .reply, .pullReply, .deleteReply: return true
        }
    }

    /// Approximate labgob size.
    public var sizeBytes: Int {
        switch self {
        case .ctrler(let m): return m.sizeBytes
        case .groupRaft(let m): return m.sizeBytes
        case .request(let r): return r.sizeBytes
        case .reply(let r): return 16 + r.value.utf8.count
        case .pullShards(let a): return 16 + 8 * a.shards.count
        case .pullReply(let r): return r.sizeBytes
        case .deleteShards(let d), .deleteReply(let d): return 24 + 8 * d.shards.count
        }
    }

    /// Raft's and the controller's names, and the shardkv RPCs'.
    public var traceName: String {
        switch self {
        case .ctrler(let m): return m.traceName
        case .groupRaft(let m): return m.traceName
        case .request: return "ShardKVRequest"
        case .reply: return "ShardKVReply"
        case .pullShards: return "PullShards"
        case .pullReply: return "PullShardsReply"
        case .deleteShards: return "DeleteShards"
        case .deleteReply: return "DeleteShardsReply"
        }
    }

    /// A few fields to follow a run.
    public var traceFields: [(String, JSON)] {
        func ints(_ xs: [Int]) -> JSON { .array(xs.map { .int(Int64($0)) }) }
        switch self {
        case .ctrler(let m): return m.traceFields
        case .groupRaft(let m): return m.traceFields
        case .request(let r):
            return [
                ("client", .int(Int64(r.clientId))), ("seq", .int(Int64(r.seq))),
                ("op", .string(r.operation.op.name)), ("key", .string(r.operation.key)),
            ]
        case .reply(let r):
            return [("seq", .int(Int64(r.seq))), ("err", .string(r.err.name))]
        case .pullShards(let a):
            return [("num", .int(Int64(a.configNum))), ("shards", ints(a.shards))]
        case .pullReply(let r):
            return [
                ("num", .int(Int64(r.configNum))), ("err", .string(r.err.name)),
                ("shards", ints(r.transfers.map(\.shard))),
            ]
        case .deleteShards(let d), .deleteReply(let d):
            return [
                ("num", .int(Int64(d.configNum))), ("shards", ints(d.shards)),
                ("err", .string(d.err.name)),
            ]
        }
    }
}
