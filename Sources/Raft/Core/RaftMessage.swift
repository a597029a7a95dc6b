// The RPCs of Figure 2 and Figure 13 as plain values. A labrpc call is a request message and a
// reply message; replies echo what the sender needs to interpret them without remembering the
// request (etcd/raft style), so a stale or duplicated reply is harmless.
import DSimCore

/// RequestVote arguments (Figure 2).
public struct RequestVoteArgs: Hashable, Sendable {
    /// Candidate's term.
    public var term: Int
    /// Candidate requesting the vote.
    public var candidateId: Int
    /// Index of the candidate's last log entry (§5.4).
    public var lastLogIndex: Int
    /// Term of the candidate's last log entry (§5.4).
    public var lastLogTerm: Int

    /// Creates the message.
    public init(term: Int, candidateId: Int, lastLogIndex: Int, lastLogTerm: Int) {
        self.term = term
        self.candidateId = candidateId
        self.lastLogIndex = lastLogIndex
        self.lastLogTerm = lastLogTerm
    }
}

/// RequestVote results (Figure 2).
public struct RequestVoteReply: Hashable, Sendable {
    /// currentTerm, for the candidate to update itself.
    public var term: Int
    /// True means the candidate received the vote.
    public var voteGranted: Bool

    /// Creates the message.
    public init(term: Int, voteGranted: Bool) {
        self.term = term
        self.voteGranted = voteGranted
    }
}

/// AppendEntries arguments (Figure 2).
public struct AppendEntriesArgs<Command: RaftPayload>: Hashable, Sendable {
    /// Leader's term.
    public var term: Int
    /// So the follower can redirect clients.
    public var leaderId: Int
    /// Index of the log entry immediately preceding the new ones.
    public var prevLogIndex: Int
    /// Term of the `prevLogIndex` entry.
    public var prevLogTerm: Int
    /// Entries to store (empty for a heartbeat).
    public var entries: [LogEntry<Command>]
    /// Leader's commitIndex.
    public var leaderCommit: Int

    /// Creates the message.
    public init(
        term: Int, leaderId: Int, prevLogIndex: Int, prevLogTerm: Int, entries: [LogEntry<Command>],
        leaderCommit: Int
    ) {
        self.term = term
        self.leaderId = leaderId
        self.prevLogIndex = prevLogIndex
        self.prevLogTerm = prevLogTerm
        self.entries = entries
        self.leaderCommit = leaderCommit
    }
}

/// AppendEntries results (Figure 2) plus the fast back-up hints of the 6.5840 handout.
public struct AppendEntriesReply: Hashable, Sendable {
    /// currentTerm, for the leader to update itself.
    public var term: Int
    /// True if the follower contained an entry matching prevLogIndex and prevLogTerm.
    public var success: Bool
    /// On success: the index of the last entry the follower now matches (prev + entries).
    public var matchIndex: Int
    /// The request's prevLogIndex, so the leader acts on a rejection only while it answers the
    /// current probe (duplicated or stale rejections are ignored).
    public var prevLogIndex: Int
    /// On a conflict: the term of the conflicting entry, or -1 when the log is too short.
    public var xTerm: Int
    /// On a conflict: the first index the follower holds with term `xTerm`.
    public var xIndex: Int
    /// On a conflict: the follower's log length (lastIndex + 1).
    public var xLen: Int

    /// Creates the message.
    public init(
        term: Int, success: Bool, matchIndex: Int, prevLogIndex: Int, xTerm: Int, xIndex: Int,
        xLen: Int
    ) {
        self.term = term
        self.success = success
        self.matchIndex = matchIndex
        self.prevLogIndex = prevLogIndex
        self.xTerm = xTerm
        self.xIndex = xIndex
        self.xLen = xLen
    }
}

/// InstallSnapshot arguments (Figure 13; sent whole, not in chunks, as in the labs).
public struct InstallSnapshotArgs<Snapshot: RaftPayload>: Hashable, Sendable {
    /// Leader's term.
    public var term: Int
    /// So the follower can redirect clients.
    public var leaderId: Int
    /// The snapshot replaces all entries up through and including this index.
    public var lastIncludedIndex: Int
    /// Term of `lastIncludedIndex`.
    public var lastIncludedTerm: Int
    /// The service's snapshot.
    public var data: Snapshot

    /// Creates the message.
    public init(
        term: Int, leaderId: Int, lastIncludedIndex: Int, lastIncludedTerm: Int, data: Snapshot
    ) {
        self.term = term
        self.leaderId = leaderId
        self.lastIncludedIndex = lastIncludedIndex
        self.lastIncludedTerm = lastIncludedTerm
        self.data = data
    }
}

/// InstallSnapshot results (Figure 13), echoing the index so the leader can advance.
public struct InstallSnapshotReply: Hashable, Sendable {
    /// currentTerm, for the leader to update itself.
    public var term: Int
    /// The `lastIncludedIndex` of the request being answered.
    public var lastIncludedIndex: Int

    /// Creates the message.
    public init(term: Int, lastIncludedIndex: Int) {
        self.term = term
        self.lastIncludedIndex = lastIncludedIndex
    }
}

/// Every message Raft peers exchange.
public enum RaftMessage<Command: RaftPayload, Snapshot: RaftPayload>: Hashable, Sendable {
    /// A candidate asks for a vote.
    case requestVote(RequestVoteArgs)
    /// The answer to `requestVote`.
    case requestVoteReply(RequestVoteReply)
    /// A leader replicates entries or sends a heartbeat.
    case appendEntries(AppendEntriesArgs<Command>)
    /// The answer to `appendEntries`.
    case appendEntriesReply(AppendEntriesReply)
    /// A leader sends its snapshot to a follower that lags behind the compacted log.
    case installSnapshot(InstallSnapshotArgs<Snapshot>)
    /// The answer to `installSnapshot`.
    case installSnapshotReply(InstallSnapshotReply)
}

extension RaftMessage: SimMessage {
    /// True for the three replies.
    @inlinable
    public var isReply: Bool {
        switch self {
        case .requestVoteReply, .appendEntriesReply, .installSnapshotReply: return true
        case .requestVote, .appendEntries, .installSnapshot: return false
        }
    }

    /// Approximate labgob size: ~6 bytes per small integer field plus a struct header.
    @inlinable
    public var sizeBytes: Int {
        switch self {
        case .requestVote: return 30
        case .requestVoteReply: return 12
        case .appendEntries(let a):
            var bytes = 36
            for e in a.entries { bytes += e.sizeBytes }
            return bytes
        case .appendEntriesReply: return 30
        case .installSnapshot(let a): return 30 + a.data.sizeBytes
        case .installSnapshotReply: return 12
        }
    }

    /// `RequestVote`, `AppendEntriesReply`, ….
    public var traceName: String {
        switch self {
        case .requestVote: return "RequestVote"
        case .requestVoteReply: return "RequestVoteReply"
        case .appendEntries: return "AppendEntries"
        case .appendEntriesReply: return "AppendEntriesReply"
        case .installSnapshot: return "InstallSnapshot"
        case .installSnapshotReply: return "InstallSnapshotReply"
        }
    }

    /// A few fields: enough to follow a run, short enough to read.
    public var traceFields: [(String, JSON)] {
        func i(_ v: Int) -> JSON { .int(Int64(v)) }
        switch self {
        case .requestVote(let a):
            return [
                ("term", i(a.term)), ("lastIndex", i(a.lastLogIndex)),
                ("lastTerm", i(a.lastLogTerm)),
            ]
        case .requestVoteReply(let r):
            return [("term", i(r.term)), ("granted", .bool(r.voteGranted))]
        case .appendEntries(let a):
            return [
                ("term", i(a.term)), ("prev", i(a.prevLogIndex)), ("prevTerm", i(a.prevLogTerm)),
                ("n", i(a.entries.count)), ("commit", i(a.leaderCommit)),
            ]
        case .appendEntriesReply(let r):
            if r.success {
                return [("term", i(r.term)), ("ok", .bool(true)), ("match", i(r.matchIndex))]
            }
            return [
                ("term", i(r.term)), ("ok", .bool(false)), ("xTerm", i(r.xTerm)),
                ("xIndex", i(r.xIndex)), ("xLen", i(r.xLen)),
            ]
        case .installSnapshot(let a):
            return [
                ("term", i(a.term)), ("index", i(a.lastIncludedIndex)),
                ("lastTerm", i(a.lastIncludedTerm)),
            ]
        case .installSnapshotReply(let r):
            return [("term", i(r.term)), ("index", i(r.lastIncludedIndex))]
        }
    }
}
