// What travels to and from the shard controller (shardctrler/common.go): Raft's RPCs between
// controller servers, a clerk's request (Join/Leave/Move/Query with its client id, sequence
// number and attempt) and the server's reply. A node type that embeds controller servers or
// clerks wraps `CtrlerMessage` in a case of its own message enum (see `CtrlerBinding`).
import DSimCore
import Raft

/// The result of a controller request (the labs' `Err` plus `WrongLeader`).
public enum CtrlerErr: UInt8, Hashable, Sendable {
    /// Executed (or was already, for a duplicate); a Query carries its configuration.
    case ok
    /// Not the leader, or lost leadership before the operation committed: try another server.
    case wrongLeader

    /// `OK`, `ErrWrongLeader`.
    public var name: String { self == .ok ? "OK" : "ErrWrongLeader" }
}

/// A clerk's request (the labs' JoinArgs / LeaveArgs / MoveArgs / QueryArgs).
public struct CtrlerRequest: Hashable, Sendable {
    /// The operation.
    public var op: CtrlerOp
    /// The clerk's unique id (unique per clerk incarnation).
    public var clientId: Int
    /// The clerk's sequence number of the operation. Invariant: increases per client.
    public var seq: Int
    /// Which try of this operation this is, echoed so a clerk ignores stale failures.
    public var attempt: Int

    /// Creates a request.
    public init(op: CtrlerOp, clientId: Int, seq: Int, attempt: Int) {
        self.op = op
        self.clientId = clientId
        self.seq = seq
        self.attempt = attempt
    }
}

/// A server's reply (the labs' JoinReply / … / QueryReply).
public struct CtrlerReply: Hashable, Sendable {
    /// The request's client (lets a node that embeds several clerks route the reply).
    public var clientId: Int
    /// The request's sequence number.
    public var seq: Int
    /// The request's attempt.
    public var attempt: Int
    /// The outcome.
    public var err: CtrlerErr
    /// Query: the configuration asked for; nil for the other operations and for failures.
    public var config: ShardConfig?

    /// Creates a reply.
    public init(clientId: Int, seq: Int, attempt: Int, err: CtrlerErr, config: ShardConfig?) {
        self.clientId = clientId
        self.seq = seq
        self.attempt = attempt
        self.err = err
        self.config = config
    }
}

/// Every message of the controller service. Indirect: the event queue moves one pointer per
/// message instead of a large multi-payload enum.
public indirect enum CtrlerMessage: Hashable, Sendable {
    /// Raft between controller servers.
    case raft(RaftMessage<CtrlerCommand, CtrlerState>)
    /// Clerk to server.
    case request(CtrlerRequest)
    /// Server to clerk.
    case reply(CtrlerReply)
}

extension CtrlerOp {
    /// `join`, `leave`, `move`, `query`.
    public var name: String {
        switch self {
        case .join: return "join"
        case .leave: return "leave"
        case .move: return "move"
        case .query: return "query"
        }
    }
}

extension CtrlerMessage: SimMessage {
    /// Raft replies and server replies.
    @inlinable
    public var isReply: Bool {
        switch self {
        case .raft(let m): return m.isReply
        case .request: return false
        case .reply: return true
        }
    }

    /// Approximate labgob size.
    @inlinable
    public var sizeBytes: Int {
        switch self {
        case .raft(let m): return m.sizeBytes
        case .request(let r): return 24 + r.op.sizeBytes
        case .reply(let r): return 24 + (r.config?.sizeBytes ?? 0)
        }
    }

    /// Raft's names, `CtrlerRequest`, `CtrlerReply`.
    public var traceName: String {
        switch self {
        case .raft(let m): return m.traceName
        case .request: return "CtrlerRequest"
        case .reply: return "CtrlerReply"
        }
    }

    /// A few fields to follow a run.
    public var traceFields: [(String, JSON)] {
        switch self {
        case .raft(let m): return m.traceFields
        case .request(let r):
            return [
                ("client", .int(Int64(r.clientId))), ("seq", .int(Int64(r.seq))),
                ("op", .string(r.op.name)),
            ]
        case .reply(let r):
            var fields: [(String, JSON)] = [
                ("client", .int(Int64(r.clientId))), ("seq", .int(Int64(r.seq))),
                ("err", .string(r.err.name)),
            ]
            if let c = r.config { fields.append(("num", .int(Int64(c.num)))) }
            return fields
        }
    }
}
