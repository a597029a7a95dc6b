// The key/value service's replicated state (kvraft/server.go's map and duplicate table) as a
// `RaftStateMachine`: Get reads, Put/Append execute exactly once per client sequence number,
// and a snapshot carries both the map and the duplicate table so exactly-once survives
// compaction, restarts and InstallSnapshot.
import Raft

/// The key/value map plus the duplicate table, changed only by committed commands.
public struct KVStateMachine: RaftStateMachine {
    /// The key/value map.
    public private(set) var data: [String: String] = [:]
    /// The duplicate table: the last executed Put/Append seq per client.
    public private(set) var lastSeq: [Int: Int] = [:]
    /// Planted bugs (not state: equal on every replica of a run).
    public let bugs: KVBugs

    /// An empty map with planted `bugs`.
    public init(bugs: KVBugs) { self.bugs = bugs }

    /// `kvInstall`.
    public static var installEvent: String { "kvInstall" }

    /// Executes a committed command on the map; returns the value a get reads ("" otherwise).
    public mutating func apply(_ cmd: KVCommand) -> String {
        let key = cmd.operation.key
        switch cmd.operation.op {
        case .get:
            return data[key] ?? ""
        case .put, .append:
            let isDuplicate = (lastSeq[cmd.clientId] ?? 0) >= cmd.seq
            if isDuplicate && !bugs.contains(.noDuplicateDetection) { return "" }
            if cmd.operation.op == .put {
                data[key] = cmd.operation.value
            } else {
                data[key, default: ""].append(cmd.operation.value)
            }
            if cmd.seq > lastSeq[cmd.clientId] ?? 0 { lastSeq[cmd.clientId] = cmd.seq }
            return ""
        }
    }

    /// The map and the duplicate table (the planted bug `snapshot-without-dup-table` drops
    /// the table).
    public func snapshot() -> KVSnapshot {
        let table = bugs.contains(.snapshotWithoutDupTable) ? [:] : lastSeq
        return KVSnapshot(data: data, lastSeq: table)
    }

    /// Replaces the map and the table with a snapshot's.
    public mutating func restore(_ s: KVSnapshot) {
        data = s.data
        lastSeq = s.lastSeq
    }

    /// Equal maps and duplicate tables.
    public static func == (a: KVStateMachine, b: KVStateMachine) -> Bool {
        a.data == b.data && a.lastSeq == b.lastSeq
    }

    /// Hashes the sizes (enough to spread states; the host hashes Raft and lastApplied).
    public func hash(into h: inout Hasher) {
        h.combine(data.count)
        h.combine(lastSeq.count)
    }
}
