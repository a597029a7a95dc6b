// The values the key/value service replicates through Raft: one client operation per log entry
// (`KVCommand`) and the service's snapshot (`KVSnapshot`: the map plus the duplicate table, so
// exactly-once survives compaction, restarts and InstallSnapshot). Sizes approximate labgob so
// the originals' byte bounds (LogSize ≤ 8×maxraftstate, SnapshotSize ≤ 500) mean the same here.
import Raft

/// The three operations of the service.
public enum KVOp: UInt8, Hashable, Sendable {
    /// Read a key ("" when absent).
    case get
    /// Replace a key's value.
    case put
    /// Append to a key's value.
    case append

    /// `Get`, `Put`, `Append`.
    public var name: String {
        switch self {
        case .get: return "get"
        case .put: return "put"
        case .append: return "append"
        }
    }
}

/// One operation a clerk asks for: what, on which key, with which value.
public struct KVOperation: Hashable, Sendable {
    /// The operation.
    public var op: KVOp
    /// The key.
    public var key: String
    /// The argument of put and append ("" for get).
    public var value: String

    /// Creates an operation.
    public init(_ op: KVOp, _ key: String, _ value: String = "") {
        self.op = op
        self.key = key
        self.value = value
    }
}

/// A log entry of the service: an operation tagged with its client and sequence number, the
/// pair duplicate detection keys on.
public struct KVCommand: RaftPayload {
    /// The operation.
    public var operation: KVOperation
    /// The clerk's unique id.
    public var clientId: Int
    /// The clerk's sequence number for this operation. Invariant: increases per client.
    public var seq: Int

    /// Creates a command.
    public init(_ operation: KVOperation, clientId: Int, seq: Int) {
        self.operation = operation
        self.clientId = clientId
        self.seq = seq
    }

    /// Approximate gob size: op, client id, seq, and the two strings.
    @inlinable
    public var sizeBytes: Int { 24 + operation.key.utf8.count + operation.value.utf8.count }
}

/// The service's state at a log index: the key/value map and, per client, the last sequence
/// number executed (the duplicate table). `sizeBytes` is computed once, at creation.
public struct KVSnapshot: RaftPayload {
    /// The key/value map.
    public let data: [String: String]
    /// The duplicate table: the last executed Put/Append sequence number per client.
    public let lastSeq: [Int: Int]
    /// Approximate gob size of both maps.
    public let sizeBytes: Int

    /// Creates a snapshot of `data` and `lastSeq`.
    public init(data: [String: String], lastSeq: [Int: Int]) {
        self.data = data
        self.lastSeq = lastSeq
        var bytes = 16
        for (k, v) in data { bytes += 4 + k.utf8.count + v.utf8.count }
        bytes += 12 * lastSeq.count
        sizeBytes = bytes
    }
}
