// What travels between the nodes of a key/value simulation: Raft's RPCs between servers, and
// the clerk's request and the server's reply. One enum, so one simulation drives both kinds.
import DSimCore
import Raft

/// The result of a client request (the labs' `Err`).
public enum KVErr: UInt8, Hashable, Sendable {
    /// Executed (or was already, for a duplicate).
    case ok
    /// This server is not the leader, or lost leadership before the operation committed.
    case wrongLeader

    /// `OK`, `ErrWrongLeader`.
    public var name: String { self == .ok ? "OK" : "ErrWrongLeader" }
}

/// A clerk's request (the labs' GetArgs / PutAppendArgs).
public struct KVRequest: Hashable, Sendable {
    /// The operation.
    public var operation: KVOperation
    /// The clerk's id.
    public var clientId: Int
    /// The clerk's sequence number of the operation.
    public var seq: Int
    /// Which try of this operation this is, echoed so a clerk ignores stale failures.
    public var attempt: Int
}

/// A server's reply (the labs' GetReply / PutAppendReply).
public struct KVReply: Hashable, Sendable {
    /// The request's sequence number.
    public var seq: Int
    /// The request's attempt.
    public var attempt: Int
    /// The outcome.
    public var err: KVErr
    /// The value read (get) or "".
    public var value: String
}

/// Every message of a key/value simulation. Indirect: the event queue then moves one pointer
/// per message instead of copying a large multi-payload enum on every heap sift.
public indirect enum KVMessage: Hashable, Sendable {
    /// Raft between servers.
    case raft(RaftMessage<KVCommand, KVSnapshot>)
    /// Clerk to server.
    case request(KVRequest)
    /// Server to clerk.
    case reply(KVReply)
}

extension KVMessage: SimMessage {
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
        case .request(let r): return 30 + r.operation.key.utf8.count + r.operation.value.utf8.count
        case .reply(let r): return 16 + r.value.utf8.count
        }
    }

    /// Raft's names, `KVRequest`, `KVReply`.
    public var traceName: String {
        switch self {
        case .raft(let m): return m.traceName
        case .request: return "KVRequest"
        case .reply: return "KVReply"
        }
    }

    /// A few fields to follow a run.
    public var traceFields: [(String, JSON)] {
        switch self {
        case .raft(let m): return m.traceFields
        case .request(let r):
            return [
                ("client", .int(Int64(r.clientId))), ("seq", .int(Int64(r.seq))),
                ("op", .string(r.operation.op.name)), ("key", .string(r.operation.key)),
            ]
        case .reply(let r):
            return [("seq", .int(Int64(r.seq))), ("err", .string(r.err.name))]
        }
    }
}
