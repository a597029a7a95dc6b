// How a `RaftHost` is wired into the sans-IO node type that embeds it. A node may embed several
// components (a ShardKV server: a Raft host for its group and a controller clerk; a simulation
// whose nodes are controller servers, group servers and clerks), each with its own binding: the
// binding wraps the host's Raft messages into the node's message enum and its durable state
// into the node's persisted value, places the host's two timers at `timerBase` and
// `timerBase + 1` among the node's timer keys, and carries out the host's reports on the
// requests the embedding server Started (usually: send the client its reply).
import DSimCore

/// The static wiring of one `RaftHost` into a node type. Usually a caseless enum.
public protocol RaftHostBinding {
    /// The node type that embeds the host.
    associatedtype Node: SansIONode
    /// The service the host drives.
    associatedtype Machine: RaftStateMachine
    /// What the embedding server remembers about a request it Started (e.g. the client node,
    /// its sequence number and attempt), handed back in `answered` or `failed`.
    associatedtype Ticket: Hashable

    /// The first of the host's two timer keys: `timerBase` is the election timer,
    /// `timerBase + 1` the heartbeat timer. Keys are small array indices in the simulation.
    static var timerBase: Int { get }

    /// Wraps a Raft message for the node's network.
    static func message(
        _ m: RaftMessage<Machine.Command, Machine.Snapshot>
    ) -> Node.Message

    /// Wraps the Raft durable state as the node's persisted value.
    static func durable(
        _ d: RaftDurable<Machine.Command, Machine.Snapshot>
    ) -> Node.Durable

    /// The command Started for `ticket` was committed and applied; `output` is its result.
    static func answered(_ ticket: Ticket, _ output: Machine.Output, _ ctx: NodeContext<Node>)

    /// The command Started for `ticket` will not be answered here: this server was not leader,
    /// lost leadership of the term it Started in, another command took its index, or a
    /// snapshot covered its index. The client should retry (ErrWrongLeader).
    static func failed(_ ticket: Ticket, _ ctx: NodeContext<Node>)

    /// What a `start` line says about `command` besides its index and term (which client and
    /// request, which shards): the link from an entry to what made the leader take it.
    /// Default: nothing.
    static func startFields(_ command: Machine.Command) -> [(String, JSON)]

    /// Whether `observeApplied` wants to see `command` applied (the host then keeps a copy of
    /// the state machine from before it). Default: no command.
    static func observesApply(of command: Machine.Command) -> Bool

    /// Observation lines for `command`, just applied: `before` is the state machine as it was,
    /// `after` as it is. Called only when `observesApply(of:)` said so. Default: nothing.
    static func observeApplied(
        _ command: Machine.Command, before: Machine, after: Machine, _ ctx: NodeContext<Node>)
}

extension RaftHostBinding {
    /// Nothing.
    public static func startFields(_ command: Machine.Command) -> [(String, JSON)] { [] }

    /// No command.
    public static func observesApply(of command: Machine.Command) -> Bool { false }

    /// Nothing.
    public static func observeApplied(
        _ command: Machine.Command, before: Machine, after: Machine, _ ctx: NodeContext<Node>
    ) {}
}
