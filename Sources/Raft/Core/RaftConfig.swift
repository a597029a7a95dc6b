// Timing and test switches of one Raft peer.
//
// Timing (6.5840 handout): at most ten heartbeats per second and a new leader within five
// seconds. A heartbeat every 100 ms and an election timeout drawn uniformly in 300–600 ms
// satisfy both with room: a split vote costs one more 300–600 ms round, and checkOneLeader
// polls for about five seconds.

/// Options of a Raft peer; every field has a documented default.
public struct RaftConfig: Hashable, Sendable {
    /// Heartbeat period of a leader. Default 100 ms (ten per second, the handout's maximum).
    public var heartbeatIntervalNs: Int64 = 100_000_000
    /// Smallest election timeout. Default 300 ms (three heartbeats).
    public var electionTimeoutMinNs: Int64 = 300_000_000
    /// Largest election timeout. Default 600 ms.
    public var electionTimeoutMaxNs: Int64 = 600_000_000
    /// Most entries in one AppendEntries; a lagging follower gets the next batch as soon as
    /// it acknowledges the previous one. Default 128.
    public var maxEntriesPerAppend = 128
    /// Planted bugs switched on (none by default).
    public var bugs: RaftBugs = []

    /// The defaults.
    public init() {}

    /// The election timeout bounds in whole milliseconds, for a draw in `lo...hi`.
    public var electionTimeoutRangeMs: (lo: Int, hi: Int) {
        (Int(electionTimeoutMinNs / 1_000_000), Int(electionTimeoutMaxNs / 1_000_000))
    }

    /// The election timeout of peer `id` of `peerCount` for a draw `drawn` in `lo...hi`,
    /// staggered by peer: when every draw is `lo` (the shrinker's simplest answer), peers time
    /// out one after another instead of all at once, so a calm run elects at once rather than
    /// splitting votes. Each peer's timeout is still uniform over `lo...hi`.
    public func staggeredElectionMs(_ drawn: Int, id: Int, peerCount: Int) -> Int {
        let (lo, hi) = electionTimeoutRangeMs
        let range = hi - lo + 1
        let offset = id * (range / max(1, peerCount))
        return lo + (drawn - lo + offset) % range
    }
}

/// Bugs that can be planted in the core to prove that the checks catch them.
public struct RaftBugs: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt32
    /// Creates a set from bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Grant votes without the §5.4.1 up-to-date check.
    public static let noElectionRestriction = RaftBugs(rawValue: 1 << 0)
    /// Commit entries of earlier terms by counting replicas (the Figure 8 mistake, §5.4.2).
    public static let commitPreviousTerm = RaftBugs(rawValue: 1 << 1)
    /// Do not persist votedFor (a restarted peer can vote twice in one term).
    public static let votedForNotPersisted = RaftBugs(rawValue: 1 << 2)
    /// On a conflicting entry, overwrite it but keep the stale entries after it.
    public static let noTruncateConflicts = RaftBugs(rawValue: 1 << 3)
    /// Install a snapshot that is not newer than what was already committed and applied (only
    /// one strictly older than the local snapshot is refused), rewinding the service.
    public static let staleSnapshotInstall = RaftBugs(rawValue: 1 << 4)
    /// Count a majority as half the peers (commits with too few replicas on even splits).
    public static let commitWithoutMajority = RaftBugs(rawValue: 1 << 5)
    /// A follower reads its entry at prevLogIndex before checking that its log reaches that
    /// far: an AppendEntries from a leader more than one entry ahead traps (index out of
    /// range). Planted to prove crash isolation: the campaign reports a `crash` violation.
    public static let uncheckedPrevLogIndex = RaftBugs(rawValue: 1 << 6)
    /// A leader answers every successful AppendEntries reply with another AppendEntries, even
    /// with nothing new to send: each follower ping-pongs with the leader forever, and every
    /// duplicated message starts one more exchange (a livelock: messages without progress).
    /// Planted to prove the per-run caps: the run ends as an `event-budget` violation.
    public static let replyStorm = RaftBugs(rawValue: 1 << 7)
    /// A leader does not move nextIndex back when a follower rejects an AppendEntries: it
    /// sends the same one at every heartbeat, so a follower that missed entries never catches
    /// up (and, hearing heartbeats, never starts an election): a liveness bug.
    public static let noBackup = RaftBugs(rawValue: 1 << 8)

    /// The bugs by their planted names.
    public static let byName: [(String, RaftBugs)] = [
        ("no-election-restriction", .noElectionRestriction),
        ("commit-previous-term", .commitPreviousTerm),
        ("votedfor-not-persisted", .votedForNotPersisted),
        ("no-truncate-conflicts", .noTruncateConflicts),
        ("stale-snapshot-install", .staleSnapshotInstall),
        ("commit-without-majority", .commitWithoutMajority),
        ("trap-unchecked-prev-log-index", .uncheckedPrevLogIndex),
        ("livelock-reply-storm", .replyStorm),
        ("no-nextindex-backup", .noBackup),
    ]

    /// The set named by `names` (unknown names are ignored).
    public init<S: Sequence>(names: S) where S.Element == String {
        self = []
        let wanted = Set(names)
        for (name, bug) in Self.byName where wanted.contains(name) { insert(bug) }
    }
}
