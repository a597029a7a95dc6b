// The one node kind of a controller-only simulation (the shardctrler tests): node ids
// 0..<servers are controller servers, the rest are clerks driven by a `CtrlerDriver` (the
// test's goroutines). `CtrlerLinks` partitions the servers among themselves while clerks stay
// connected to every server, as in kvraft's and shardctrler's config.go.
import DSimCore
import Raft

/// Which server↔server links are up. Shared by every node of one simulation; changed by the
/// harness between steps. Clerks always reach every server.
public final class CtrlerLinks {
    /// Number of servers (node ids below it).
    public let servers: Int
    /// Partition group of each server; servers talk only within a group.
    public var serverGroup: [Int]

    /// All links up for `servers` servers.
    public init(servers: Int) {
        precondition(servers >= 1, "servers \(servers)")
        self.servers = servers
        serverGroup = Array(repeating: 0, count: servers)
    }

    /// Whether a message between nodes `a` and `b` may pass.
    @inline(__always)
    public func allows(_ a: NodeID, _ b: NodeID) -> Bool {
        a >= servers || b >= servers || serverGroup[a] == serverGroup[b]
    }
}

/// What a clerk does when it has nothing in flight.
public enum CtrlerClerkNext {
    /// Perform this operation now.
    case perform(CtrlerOp)
    /// Ask again after this much virtual time (think time).
    case pause(VirtualTime)
    /// Nothing to do until the harness wakes the clerk.
    case idle
}

/// The workload behind the clerks of a controller simulation.
public protocol CtrlerDriver: AnyObject {
    /// Called when clerk `clerk` is free; `now` is the virtual time.
    func next(clerk: Int, now: VirtualTime) -> CtrlerClerkNext
    /// Clerk `clerk`'s operation completed at `now`.
    func completed(clerk: Int, _ done: CtrlerCompletion, now: VirtualTime)
}

/// Watches the servers of a controller simulation from outside (a checker): called after every
/// event a server handled — its boot, a message, a timer — with the server's new value.
public protocol CtrlerObserver: AnyObject {
    /// Server node `ctx.id` finished handling an event.
    func serverStepped(_ server: CtrlerServer<CtrlerNodeBinding>, _ ctx: NodeContext<CtrlerNode>)
}

/// The binding of the controller-only simulation: messages are `CtrlerMessage` themselves.
public enum CtrlerNodeBinding: CtrlerBinding {
    /// The controller node.
    public typealias Node = CtrlerNode
    /// The message itself.
    public static func message(_ m: CtrlerMessage) -> CtrlerMessage { m }
    /// The durable state itself.
    public static func durable(_ d: CtrlerDurable) -> CtrlerDurable { d }
    /// Raft timers 0 and 1.
    public static var serverTimerBase: Int { 0 }
    /// Retry timer 2 (the node's think-time timer is 3).
    public static var clerkTimerBase: Int { 2 }
}

/// A controller server or a clerk.
public struct CtrlerNode: SansIONode {
    /// Controller messages.
    public typealias Message = CtrlerMessage
    /// What a server persists.
    public typealias Durable = CtrlerDurable

    /// Set for servers.
    public var server: CtrlerServer<CtrlerNodeBinding>?
    /// Set for clerks.
    public var clerk: CtrlerClerk<CtrlerNodeBinding>?
    /// The clerk's index among the clerks.
    public let clerkIndex: Int
    /// The workload (clerks only).
    let driver: CtrlerDriver?
    /// The links of the simulation.
    let links: CtrlerLinks
    /// The checker watching the servers, if any (not part of the state).
    let observer: CtrlerObserver?
    /// The think-time timer of a clerk node.
    static let nextTimer = 3

    /// A server node, watched by `observer`.
    public init(
        server: CtrlerServer<CtrlerNodeBinding>, links: CtrlerLinks,
        observer: CtrlerObserver? = nil
    ) {
        self.server = server
        self.links = links
        self.observer = observer
        clerkIndex = -1
        driver = nil
    }

    /// Clerk `index`, driven by `driver`.
    public init(
        clerk: CtrlerClerk<CtrlerNodeBinding>, index: Int, driver: CtrlerDriver,
        links: CtrlerLinks
    ) {
        self.clerk = clerk
        self.links = links
        clerkIndex = index
        self.driver = driver
        observer = nil
    }

    /// A server's boot line says its Raft term.
    public var bootFields: [(String, JSON)] { server?.host.bootFields ?? [] }

    /// Boots the server's Raft peer or picks the clerk's first server.
    public mutating func boot(_ ctx: NodeContext<CtrlerNode>) {
        if server != nil {
            server!.boot(ctx)
            observer?.serverStepped(server!, ctx)
        }
        clerk?.boot(ctx)
    }

    /// Asks the driver for work when the clerk is free (also the harness's wake-up call).
    public mutating func poll(_ ctx: NodeContext<CtrlerNode>) {
        guard clerk?.isIdle == true, let d = driver else { return }
        switch d.next(clerk: clerkIndex, now: ctx.now) {
        case .perform(let op): clerk!.call(op, ctx)
        case .pause(let t): ctx.setTimer(Self.nextTimer, after: t)
        case .idle: break
        }
    }

    /// Dispatches a message to the server or the clerk, unless the link is down.
    public mutating func receive(_ m: CtrlerMessage, from: NodeID, _ ctx: NodeContext<CtrlerNode>) {
        guard links.allows(from, ctx.id) else { return }
        if case .reply(let r) = m {
            guard let done = clerk?.handleReply(r, from: from, ctx) else { return }
            driver?.completed(clerk: clerkIndex, done, now: ctx.now)
            poll(ctx)
        } else if server != nil {
            server!.receive(m, from: from, ctx)
            observer?.serverStepped(server!, ctx)
        }
    }

    /// Dispatches a timer.
    public mutating func timerFired(_ key: Int, _ ctx: NodeContext<CtrlerNode>) {
        if server?.timerFired(key, ctx) == true {
            observer?.serverStepped(server!, ctx)
            return
        }
        if clerk?.timerFired(key, ctx) == true { return }
        precondition(key == Self.nextTimer && clerk != nil, "unknown timer \(key)")
        poll(ctx)
    }
}

extension CtrlerNode: Hashable {
    /// Equal server or clerk state.
    public static func == (a: CtrlerNode, b: CtrlerNode) -> Bool {
        a.server == b.server && a.clerk == b.clerk
    }

    /// Hashes whichever part is set.
    public func hash(into h: inout Hasher) {
        h.combine(server)
        h.combine(clerk)
    }
}
