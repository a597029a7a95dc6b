// How controller servers and clerks are wired into a node type. The controller-only simulation
// uses `CtrlerNode`; a ShardKV simulation defines its own binding so that controller servers,
// group servers (each embedding a `CtrlerClerk` to poll configurations) and clerks are nodes of
// one type on one network.
import DSimCore
import Raft

/// What a controller server persists.
public typealias CtrlerDurable = RaftDurable<CtrlerCommand, CtrlerState>

/// The static wiring of `CtrlerServer` and `CtrlerClerk` into a node type. Usually a caseless
/// enum.
public protocol CtrlerBinding {
    /// The node type that embeds controller servers and/or clerks.
    associatedtype Node: SansIONode

    /// Wraps a controller message for the node's network.
    static func message(_ m: CtrlerMessage) -> Node.Message
    /// Wraps a controller server's durable state as the node's persisted value.
    static func durable(_ d: CtrlerDurable) -> Node.Durable
    /// The server's two Raft timers: keys `serverTimerBase` and `serverTimerBase + 1`.
    static var serverTimerBase: Int { get }
    /// The clerk's retry timer: key `clerkTimerBase`.
    static var clerkTimerBase: Int { get }
}

/// The `RaftHost` wiring of a controller server embedded through binding `B`: Raft messages
/// travel as `B.message(.raft(m))`, reports become `CtrlerReply`s to the clerk's node.
public enum CtrlerHostBinding<B: CtrlerBinding>: RaftHostBinding {
    /// The embedding node.
    public typealias Node = B.Node
    /// Configurations and the duplicate table.
    public typealias Machine = CtrlerState
    /// The clerk to answer.
    public typealias Ticket = CtrlerTicket

    /// `B.serverTimerBase`.
    public static var timerBase: Int { B.serverTimerBase }

    /// `B.message(.raft(m))`.
    public static func message(_ m: RaftMessage<CtrlerCommand, CtrlerState>) -> B.Node.Message {
        B.message(.raft(m))
    }

    /// `B.durable(d)`.
    public static func durable(_ d: CtrlerDurable) -> B.Node.Durable { B.durable(d) }

    /// OK, with the configuration for a Query.
    public static func answered(
        _ t: CtrlerTicket, _ config: ShardConfig?, _ ctx: NodeContext<B.Node>
    ) {
        let r = CtrlerReply(
            clientId: t.clientId, seq: t.seq, attempt: t.attempt, err: .ok, config: config)
        ctx.send(B.message(.reply(r)), to: t.clerk)
    }

    /// ErrWrongLeader.
    public static func failed(_ t: CtrlerTicket, _ ctx: NodeContext<B.Node>) {
        let r = CtrlerReply(
            clientId: t.clientId, seq: t.seq, attempt: t.attempt, err: .wrongLeader, config: nil)
        ctx.send(B.message(.reply(r)), to: t.clerk)
    }
}

/// What a controller server remembers about a request it Started: whom to answer.
public struct CtrlerTicket: Hashable, Sendable {
    /// The clerk's node.
    public var clerk: NodeID
    /// The clerk's id, echoed in the reply.
    public var clientId: Int
    /// The request's sequence number.
    public var seq: Int
    /// The request's attempt.
    public var attempt: Int
}
