// The one node kind of a key/value simulation: node ids 0..<servers are KV servers (each with
// its Raft peer), the rest are clerks. `KVLinks` adds what the kernel's partitions cannot say
// and the kvraft tests need: servers are partitioned among themselves while clerks stay
// connected to every server, or to a chosen subset (`makeClient(subset)`).
import DSimCore
import Raft

/// Which server↔server and clerk↔server links are up (labrpc's per-end enable in kvraft's
/// config.go). Shared by every node of one simulation; changed by the harness between steps.
public final class KVLinks {
    /// Number of servers (node ids below it).
    public let servers: Int
    /// Partition group of each server; servers talk only within a group.
    public var serverGroup: [Int]
    /// Per clerk (by clerk index): bit `i` set when it can reach server `i`.
    public var clerkMask: [UInt64] = []

    /// All links up for `servers` servers and `clerks` clerks.
    public init(servers: Int, clerks: Int) {
        precondition(servers >= 1 && servers <= 63, "servers \(servers)")
        self.servers = servers
        serverGroup = Array(repeating: 0, count: servers)
        clerkMask = Array(repeating: Self.all(servers), count: clerks)
    }

    /// The mask of every server.
    public static func all(_ servers: Int) -> UInt64 { (1 << UInt64(servers)) - 1 }

    /// Whether a message between nodes `a` and `b` may pass.
    @inline(__always)
    public func allows(_ a: NodeID, _ b: NodeID) -> Bool {
        if a < servers && b < servers { return serverGroup[a] == serverGroup[b] }
        let (clerk, server) = a >= servers ? (a - servers, b) : (b - servers, a)
        guard server < servers, clerk < clerkMask.count else { return true }
        return clerkMask[clerk] & (1 << UInt64(server)) != 0
    }
}

/// A server or a clerk.
public struct KVNode: SansIONode {
    /// Raft messages and client requests/replies.
    public typealias Message = KVMessage
    /// What a server persists.
    public typealias Durable = RaftDurable<KVCommand, KVSnapshot>

    /// Set for servers.
    public var server: KVServer?
    /// Set for clerks.
    public var clerk: KVClerk?
    /// The links of the simulation.
    let links: KVLinks

    /// A server node.
    public init(server: KVServer, links: KVLinks) {
        self.server = server
        self.links = links
    }

    /// A clerk node.
    public init(clerk: KVClerk, links: KVLinks) {
        self.clerk = clerk
        self.links = links
    }

    /// A server's boot line says its Raft term.
    public var bootFields: [(String, JSON)] { server?.host.bootFields ?? [] }

    /// Boots the server's Raft peer or picks the clerk's first server.
    public mutating func boot(_ ctx: NodeContext<KVNode>) {
        server?.boot(ctx)
        clerk?.boot(ctx)
    }

    /// Dispatches a message to the server or the clerk, unless the link is down.
    public mutating func receive(_ message: KVMessage, from: NodeID, _ ctx: NodeContext<KVNode>) {
        guard links.allows(from, ctx.id) else { return }
        switch message {
        case .raft(let m): server?.receive(m, from: from, ctx)
        case .request(let r): server?.handleRequest(r, from: from, ctx)
        case .reply(let r): clerk?.handleReply(r, from: from, ctx)
        }
    }

    /// Dispatches a timer.
    public mutating func timerFired(_ timer: Int, _ ctx: NodeContext<KVNode>) {
        server?.timerFired(timer, ctx)
        clerk?.timerFired(timer, ctx)
    }
}
