// The rules of the Raft paper (Ongaro & Ousterhout, extended version: Figure 2, §5–§7, Figure 13)
// that a handler applies, written down once. Each rule names the place in the paper and says in
// one line what must hold; `RaftRuleCheck` checks every rule at the step that applies it, from
// (state before, input, state after, messages sent), and a host reports a breach as the
// violation `raft-rule:<name>` citing the trace line of the message or event that broke it.
//
// A rule is stated about one step of one peer, so it catches a handler that breaks the protocol
// even when no global invariant (election safety, log matching, …) is visibly broken yet.

/// One rule of the Raft protocol, checked where a handler applies it.
public enum RaftRule: String, CaseIterable, Sendable {
    /// currentTerm never decreases.
    case termMonotone = "term-monotone"
    /// An RPC or reply with a higher term makes the receiver a follower of that term.
    case stepDownOnHigherTerm = "step-down-on-higher-term"
    /// A term learnt from a message starts with no vote (or the vote granted by that message).
    case newTermFreshVote = "new-term-fresh-vote"
    /// A reply carries the replier's currentTerm.
    case replyCarriesTerm = "reply-carries-term"
    /// Every request gets exactly one reply of its kind.
    case answerEveryRequest = "answer-every-request"
    /// A request with a stale term is refused and changes nothing.
    case rejectStaleTerm = "reject-stale-term"
    /// votedFor, once set in a term, does not change in that term.
    case oneVotePerTerm = "one-vote-per-term"
    /// A vote goes only to the candidate already voted for, or when no vote was cast.
    case voteOnlyIfFree = "vote-only-if-free"
    /// A vote goes only to a candidate whose log is at least as up-to-date.
    case voteOnlyIfUpToDate = "vote-only-if-up-to-date"
    /// A granted vote is recorded in votedFor.
    case grantRecordsVote = "grant-records-vote"
    /// A change of currentTerm, votedFor or the log is saved before anything is sent.
    case persistBeforeReply = "persist-before-reply"
    /// An election timeout starts a new term with a vote for self and RequestVote to all.
    case electionStartsTerm = "election-starts-term"
    /// Only a candidate with votes from a majority of its term becomes leader.
    case leaderNeedsMajority = "leader-needs-majority"
    /// A new leader initialises nextIndex/matchIndex and asserts itself to every peer.
    case leaderInit = "leader-init"
    /// A leader's heartbeat reaches every other peer.
    case leaderHeartbeats = "leader-heartbeats"
    /// AppendEntries or InstallSnapshot of a term at least currentTerm makes the receiver a
    /// follower of that term.
    case yieldToLeader = "yield-to-leader"
    /// AppendEntries succeeds exactly when the log holds prevLogIndex with prevLogTerm.
    case appendConsistencyCheck = "append-consistency-check"
    /// Conflicting entries and all that follow are deleted; nothing else is.
    case deleteConflictsOnly = "delete-conflicts-only"
    /// After a successful AppendEntries the log holds the leader's entries.
    case appendNewEntries = "append-new-entries"
    /// commitIndex = min(leaderCommit, index of last new entry) when leaderCommit is larger.
    case followerCommit = "follower-commit"
    /// commitIndex never decreases and never passes the last log index.
    case commitMonotone = "commit-monotone"
    /// An entry at or below commitIndex is never changed or removed.
    case committedEntriesKept = "committed-entries-kept"
    /// Entries are applied one at a time in index order, never beyond commitIndex, never
    /// going back.
    case applyInOrder = "apply-in-order"
    /// A leader never overwrites or deletes entries in its own log.
    case leaderAppendOnly = "leader-append-only"
    /// Start appends one entry of currentTerm at a leader and nothing elsewhere.
    case startAppendsOwnTerm = "start-appends-own-term"
    /// A leader commits N only when a majority holds N and log[N] is of its own term.
    case leaderCommitRule = "leader-commit-majority-own-term"
    /// matchIndex never decreases within one leadership.
    case matchIndexMonotone = "match-index-monotone"
    /// matchIndex[p] < nextIndex[p] ≤ last log index + 1, matchIndex[p] ≤ last log index.
    case leaderIndexBounds = "leader-index-bounds"
    /// A refused AppendEntries moves nextIndex back, never forward.
    case nextIndexBacksOff = "next-index-backs-off"
    /// Only a leader replicates, and what it sends is its own log from nextIndex.
    case sendFromNextIndex = "send-from-next-index"
    /// An installed snapshot replaces the log prefix as Figure 13 says and reaches the service.
    case installSnapshot = "install-snapshot"
    /// A snapshot not newer than what was applied is not installed.
    case snapshotNeverGoesBack = "snapshot-never-goes-back"
    /// The service compacts only entries it has applied.
    case serviceSnapshotApplied = "service-snapshot-applied"

    /// Where the paper states the rule.
    public var reference: String {
        switch self {
        case .termMonotone: return "Fig. 2 persistent state; §5.1"
        case .stepDownOnHigherTerm: return "Fig. 2 rules for all servers; §5.1"
        case .newTermFreshVote: return "Fig. 2 persistent state (votedFor); §5.2"
        case .replyCarriesTerm: return "Fig. 2 RPC results (term)"
        case .answerEveryRequest: return "Fig. 2 RPCs; §5.1"
        case .rejectStaleTerm: return "Fig. 2 receiver step 1; Fig. 13 step 1"
        case .oneVotePerTerm: return "§5.2; Fig. 2 votedFor"
        case .voteOnlyIfFree: return "Fig. 2 RequestVote receiver step 2"
        case .voteOnlyIfUpToDate: return "§5.4.1; Fig. 2 RequestVote receiver step 2"
        case .grantRecordsVote: return "Fig. 2 persistent state (votedFor)"
        case .persistBeforeReply: return "Fig. 2 persistent state; §5.6"
        case .electionStartsTerm: return "Fig. 2 rules for candidates; §5.2"
        case .leaderNeedsMajority: return "Fig. 2 rules for candidates; §5.2"
        case .leaderInit: return "Fig. 2 rules for leaders, volatile state on leaders"
        case .leaderHeartbeats: return "Fig. 2 rules for leaders; §5.2"
        case .yieldToLeader: return "Fig. 2 rules for candidates; §5.2"
        case .appendConsistencyCheck: return "Fig. 2 AppendEntries receiver step 2; §5.3"
        case .deleteConflictsOnly: return "Fig. 2 AppendEntries receiver step 3; §5.3"
        case .appendNewEntries: return "Fig. 2 AppendEntries receiver step 4"
        case .followerCommit: return "Fig. 2 AppendEntries receiver step 5"
        case .commitMonotone: return "Fig. 2 volatile state (commitIndex)"
        case .committedEntriesKept: return "§5.4 State Machine Safety; Fig. 3"
        case .applyInOrder: return "Fig. 2 rules for all servers (lastApplied)"
        case .leaderAppendOnly: return "§5.3 Leader Append-Only; Fig. 3"
        case .startAppendsOwnTerm: return "Fig. 2 rules for leaders; §5.3"
        case .leaderCommitRule: return "Fig. 2 rules for leaders; §5.4.2"
        case .matchIndexMonotone: return "Fig. 2 volatile state on leaders (matchIndex)"
        case .leaderIndexBounds: return "Fig. 2 volatile state on leaders"
        case .nextIndexBacksOff: return "Fig. 2 rules for leaders; §5.3"
        case .sendFromNextIndex: return "Fig. 2 rules for leaders; §5.3"
        case .installSnapshot: return "Fig. 13 receiver steps 5–8; §7"
        case .snapshotNeverGoesBack: return "§7"
        case .serviceSnapshotApplied: return "§7"
        }
    }

    /// The rule in one line.
    public var statement: String {
        switch self {
        case .termMonotone: return "currentTerm never decreases"
        case .stepDownOnHigherTerm:
            return "a message with term T > currentTerm sets currentTerm = T and makes a follower"
        case .newTermFreshVote:
            return "a term learnt from a message starts with votedFor null (or the vote it grants)"
        case .replyCarriesTerm: return "a reply carries the replier's currentTerm"
        case .answerEveryRequest: return "every request gets exactly one reply of its kind"
        case .rejectStaleTerm:
            return "a request with term < currentTerm is refused, changing nothing"
        case .oneVotePerTerm: return "votedFor, once set in a term, does not change in that term"
        case .voteOnlyIfFree: return "grant a vote only if votedFor is null or candidateId"
        case .voteOnlyIfUpToDate:
            return "grant a vote only if the candidate's log is at least as up-to-date"
        case .grantRecordsVote: return "a granted vote is recorded in votedFor"
        case .persistBeforeReply:
            return "currentTerm, votedFor and log changes are saved before anything is sent"
        case .electionStartsTerm:
            return "an election timeout at a non-leader increments currentTerm, votes for self and "
                + "sends RequestVote with its last log index and term to all others"
        case .leaderNeedsMajority:
            return "only a candidate with votes from a majority in its term becomes leader"
        case .leaderInit:
            return "a new leader sets nextIndex = last index + 1, matchIndex = 0 and sends to all"
        case .leaderHeartbeats: return "a leader's heartbeat goes to every other peer"
        case .yieldToLeader:
            return "AppendEntries/InstallSnapshot of term >= currentTerm makes a follower of it"
        case .appendConsistencyCheck:
            return "AppendEntries succeeds exactly when the log holds prevLogIndex with "
                + "prevLogTerm; a refusal changes neither log nor commitIndex"
        case .deleteConflictsOnly:
            return "a conflicting entry and all that follow it are deleted, and nothing else"
        case .appendNewEntries: return "after success the log holds every entry sent"
        case .followerCommit:
            return "if leaderCommit > commitIndex, commitIndex = min(leaderCommit, last new index)"
        case .commitMonotone: return "commitIndex never decreases nor passes the last log index"
        case .committedEntriesKept: return "an entry at or below commitIndex never changes"
        case .applyInOrder:
            return "lastApplied never decreases nor passes commitIndex; entries are applied one "
                + "at a time in index order, as the log holds them"
        case .leaderAppendOnly: return "a leader never overwrites or deletes its own entries"
        case .startAppendsOwnTerm:
            return "Start appends one entry of currentTerm at a leader and nothing elsewhere"
        case .leaderCommitRule:
            return "a leader sets commitIndex = N only if a majority has matchIndex >= N and "
                + "log[N].term == currentTerm"
        case .matchIndexMonotone: return "matchIndex never decreases within a leadership"
        case .leaderIndexBounds:
            return "matchIndex[p] < nextIndex[p] <= last index + 1 and matchIndex[p] <= last index"
        case .nextIndexBacksOff:
            return "a refused AppendEntries moves nextIndex back, never forward"
        case .sendFromNextIndex:
            return "only a leader of currentTerm replicates: its own entries from nextIndex, "
                + "prevLogTerm from its log, leaderCommit <= commitIndex"
        case .installSnapshot:
            return "an installed snapshot replaces the log through lastIncludedIndex, keeps the "
                + "entries after it only if they match, and is handed to the service"
        case .snapshotNeverGoesBack: return "a snapshot not newer than lastApplied is not installed"
        case .serviceSnapshotApplied: return "the service compacts only entries it has applied"
        }
    }

    /// The violation's invariant name.
    public var invariant: String { "raft-rule:" + rawValue }
}

/// A step that broke a rule: the rule and what was seen.
public struct RaftRuleBreach: Hashable, Sendable {
    /// The rule broken.
    public var rule: RaftRule
    /// The values that break it.
    public var detail: String

    /// Creates a breach.
    public init(_ rule: RaftRule, _ detail: String) {
        self.rule = rule
        self.detail = detail
    }

    /// `detail — statement (reference)`, for a violation's message.
    public var message: String { "\(detail) — \(rule.statement) (\(rule.reference))" }
}
