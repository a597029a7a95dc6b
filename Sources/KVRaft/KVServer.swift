// The key/value server (kvraft/server.go) as a sans-IO component embedding a `RaftHost`.
//
// Every operation — Get included — goes through the Raft log: the server Starts it with a
// ticket naming the clerk, and the host answers when that index is applied. If a different
// command lands there, or the server stops being leader of the term it Started in, the request
// fails with ErrWrongLeader and the clerk retries elsewhere. Put/Append execute exactly once
// (`KVStateMachine` keeps the last executed sequence number per client and skips anything not
// newer). When the persisted Raft state reaches 90% of maxraftstate, the host hands Raft a
// snapshot of the map and the duplicate table; a restart or an InstallSnapshot restores both.
import DSimCore
import Raft

/// Bugs that can be planted in the server.
public struct KVBugs: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt8
    /// Creates a set from bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Execute every Put/Append that reaches the log, duplicates included.
    public static let noDuplicateDetection = KVBugs(rawValue: 1 << 0)
    /// A leader answers Get from its local map without going through the log.
    public static let staleRead = KVBugs(rawValue: 1 << 1)
    /// Snapshots carry the map but not the duplicate table.
    public static let snapshotWithoutDupTable = KVBugs(rawValue: 1 << 2)

    /// The bugs by their planted names.
    public static let byName: [(String, KVBugs)] = [
        ("no-duplicate-detection", .noDuplicateDetection), ("stale-read", .staleRead),
        ("snapshot-without-dup-table", .snapshotWithoutDupTable),
    ]

    /// The set named by `names` (unknown names are ignored).
    public init<S: Sequence>(names: S) where S.Element == String {
        self = []
        let wanted = Set(names)
        for (name, bug) in Self.byName where wanted.contains(name) { insert(bug) }
    }
}

/// What a KV server remembers about a request it Started: whom to answer, and how.
public struct KVTicket: Hashable, Sendable {
    /// The clerk node to answer.
    public var clerk: NodeID
    /// The request's sequence number, echoed in the reply.
    public var seq: Int
    /// The request's attempt, echoed in the reply.
    public var attempt: Int
}

/// How a KV server's `RaftHost` is wired into `KVNode`: Raft messages travel as
/// `KVMessage.raft`, the durable state is the node's, the timers are keys 0 and 1, and a
/// report becomes a `KVReply` to the clerk.
public enum KVHostBinding: RaftHostBinding {
    /// The KV node.
    public typealias Node = KVNode
    /// The map and the duplicate table.
    public typealias Machine = KVStateMachine
    /// The clerk to answer.
    public typealias Ticket = KVTicket

    /// Election timer 0, heartbeat timer 1.
    public static var timerBase: Int { 0 }

    /// `.raft(m)`.
    public static func message(_ m: RaftMessage<KVCommand, KVSnapshot>) -> KVMessage { .raft(m) }

    /// The Raft durable state itself.
    public static func durable(
        _ d: RaftDurable<KVCommand, KVSnapshot>
    ) -> RaftDurable<KVCommand, KVSnapshot> { d }

    /// The client, its request and the operation: a retried Append Started twice shows as
    /// two `start` lines with one client and seq.
    public static func startFields(_ c: KVCommand) -> [(String, JSON)] {
        [
            ("client", .int(Int64(c.clientId))), ("seq", .int(Int64(c.seq))),
            ("op", .string(c.operation.op.name)), ("key", .string(c.operation.key)),
        ]
    }

    /// OK with the value read.
    public static func answered(_ t: KVTicket, _ value: String, _ ctx: NodeContext<KVNode>) {
        ctx.send(
            .reply(KVReply(seq: t.seq, attempt: t.attempt, err: .ok, value: value)), to: t.clerk)
    }

    /// ErrWrongLeader.
    public static func failed(_ t: KVTicket, _ ctx: NodeContext<KVNode>) {
        ctx.send(
            .reply(KVReply(seq: t.seq, attempt: t.attempt, err: .wrongLeader, value: "")),
            to: t.clerk)
    }
}

/// One key/value server: a Raft host driving the key/value state machine.
public struct KVServer {
    /// The Raft peer, the map and the waiting requests (node ids 0..<servers are the peers).
    public private(set) var host: RaftHost<KVHostBinding>
    /// Planted bugs.
    public let bugs: KVBugs

    /// Builds server `id` of `servers` from its persisted state (nil when fresh).
    public init(
        id: NodeID, servers: Int, maxRaftState: Int, bugs: KVBugs, raftConfig: RaftConfig,
        restoring: RaftDurable<KVCommand, KVSnapshot>?
    ) {
        precondition(id >= 0 && id < servers, "server \(id) of \(servers)")
        host = RaftHost(
            me: id, peers: Array(0..<servers), machine: KVStateMachine(bugs: bugs),
            maxRaftState: maxRaftState, config: raftConfig, restoring: restoring)
        self.bugs = bugs
    }

    /// The Raft peer.
    public var raft: Raft<KVCommand, KVSnapshot> { host.raft }
    /// The key/value map.
    public var data: [String: String] { host.machine.data }
    /// The duplicate table: the last executed Put/Append seq per client.
    public var lastSeq: [Int: Int] { host.machine.lastSeq }
    /// Highest log index applied to `data`.
    public var lastApplied: Int { host.lastApplied }
    /// Snapshot when the Raft state reaches 90% of this many bytes; -1: never.
    public var maxRaftState: Int { host.maxRaftState }
    /// True when the durable state changed since it was last written to the persister.
    public var isDurableDirty: Bool { host.isDurableDirty }
    /// Persisted Raft state size as Raft reports it (labrpc `RaftStateSize`).
    public var raftStateBytes: Int { host.raftStateBytes }

    /// Saves the durable state to the persister if it changed (see `RaftHost.writeBack`).
    public mutating func writeBack(_ ctx: NodeContext<KVNode>) { host.writeBack(ctx) }

    /// Starts the Raft peer.
    public mutating func boot(_ ctx: NodeContext<KVNode>) { host.boot(ctx) }

    /// A Raft message from peer `from`.
    public mutating func receive(
        _ m: RaftMessage<KVCommand, KVSnapshot>, from: NodeID, _ ctx: NodeContext<KVNode>
    ) {
        host.receive(m, from: from, ctx)
    }

    /// A Raft timer fired.
    public mutating func timerFired(_ timer: Int, _ ctx: NodeContext<KVNode>) {
        guard host.timerFired(timer, ctx) else {
            preconditionFailure("unknown server timer \(timer)")
        }
    }

    /// A clerk's request: Start it and wait for its index, or fail at once when not leader.
    public mutating func handleRequest(
        _ r: KVRequest, from clerk: NodeID, _ ctx: NodeContext<KVNode>
    ) {
        let ticket = KVTicket(clerk: clerk, seq: r.seq, attempt: r.attempt)
        if bugs.contains(.staleRead), r.operation.op == .get, raft.state.isLeader {
            KVHostBinding.answered(ticket, data[r.operation.key] ?? "", ctx)
            return
        }
        let cmd = KVCommand(r.operation, clientId: r.clientId, seq: r.seq)
        host.start(cmd, ticket: ticket, ctx)
    }
}
