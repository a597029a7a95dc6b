// The values Raft carries without looking inside: client commands and service snapshots. Raft
// only needs to compare them, hash them and know their encoded size (the original tests bound
// RPC bytes and the persisted state size, so sizes must be sensible approximations of gob).

/// A command or snapshot payload that Raft replicates without interpreting.
public protocol RaftPayload: Hashable, Sendable {
    /// Approximate encoded size in bytes (labgob-like), for byte counters and log-size bounds.
    var sizeBytes: Int { get }
}

/// One log entry (Figure 2: "each entry contains command for state machine, and term when
/// entry was received by leader").
public struct LogEntry<Command: RaftPayload>: Hashable, Sendable {
    /// The term in which a leader created the entry.
    public var term: Int
    /// The client command.
    public var command: Command

    /// Creates an entry.
    @inlinable
    public init(term: Int, command: Command) {
        self.term = term
        self.command = command
    }

    /// Approximate encoded size: the term, a small struct header, the command.
    @inlinable
    public var sizeBytes: Int { 4 + command.sizeBytes }
}
