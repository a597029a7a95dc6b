// Checks the rules of `RaftRule` around one step of one peer, as an observer: the host captures
// `RaftRuleCheck(raft, input)` before calling the handler (a few integers, plus the old terms
// the message's entries land on), then `verify(raft, ready)` compares the state after the step
// and the batch it produced. Nothing here changes the peer, so checked and unchecked runs are
// the same run. The work is proportional to the message (entries sent or received) and the
// peer count, never to the log's length.
//
//   let check = RaftRuleCheck(raft, .message(m, from: p))
//   raft.step(m, from: p, &ready)
//   if let breach = check.verify(raft, ready) { report(breach.rule.invariant, breach.message) }

/// What one step of a Raft peer handled.
public enum RaftStepInput<Command: RaftPayload, Snapshot: RaftPayload> {
    /// A message from peer `from`.
    case message(RaftMessage<Command, Snapshot>, from: Int)
    /// A timer fired.
    case timer(RaftTimer)
    /// The labs' Start(command).
    case start(Command)
}

/// A peer's state before one step, and the rules that step must keep.
public struct RaftRuleCheck<Command: RaftPayload, Snapshot: RaftPayload> {
    /// The step.
    let input: RaftStepInput<Command, Snapshot>
    /// The peer.
    let id: Int
    let term: Int
    let votedFor: Int?
    let role: RaftRole
    let commitIndex: Int
    /// Term of the entry at commitIndex (nil when compacted away).
    let commitTerm: Int?
    let lastApplied: Int
    let snapshotIndex: Int
    let lastIndex: Int
    let lastTerm: Int
    /// Leader: the message sender's matchIndex and nextIndex (0 otherwise).
    let peerMatch: Int
    let peerNext: Int
    /// AppendEntries: the terms at prevLogIndex ... prevLogIndex + entries (nil: none there);
    /// InstallSnapshot: the term at lastIncludedIndex.
    let oldTerms: [Int?]

    /// Captures what the rules of `input` need from `raft` before it runs.
    public init(_ raft: Raft<Command, Snapshot>, _ input: RaftStepInput<Command, Snapshot>) {
        self.input = input
        id = raft.id
        term = raft.currentTerm
        votedFor = raft.votedFor
        role = raft.role
        commitIndex = raft.commitIndex
        commitTerm = raft.log.term(at: raft.commitIndex)
        lastApplied = raft.lastApplied
        snapshotIndex = raft.log.snapshotIndex
        lastIndex = raft.log.lastIndex
        lastTerm = raft.log.lastTerm
        var match = 0
        var next = 0
        var terms: [Int?] = []
        if case .message(let m, let from) = input {
            if raft.role == .leader, from < raft.matchIndex.count {
                match = raft.matchIndex[from]
                next = raft.nextIndex[from]
            }
            switch m {
            case .appendEntries(let a):
                terms.reserveCapacity(a.entries.count + 1)
                for k in a.prevLogIndex...(a.prevLogIndex + a.entries.count) {
                    terms.append(raft.log.term(at: k))
                }
            case .installSnapshot(let a): terms.append(raft.log.term(at: a.lastIncludedIndex))
            default: break
            }
        }
        peerMatch = match
        peerNext = next
        oldTerms = terms
    }

    /// The first rule the step broke, or nil.
    public func verify(_ after: Raft<Command, Snapshot>, _ out: RaftReady<Command, Snapshot>)
        -> RaftRuleBreach?
    {
        verifyInput(after, out) ?? verifyTermAndVote(after, out) ?? verifyCommit(after)
            ?? verifyApplies(after, out) ?? verifyPersist(after, out) ?? verifySends(after, out)
            ?? verifyLeader(after, out)
    }

    /// The rules of the handler that ran.
    func verifyInput(_ after: Raft<Command, Snapshot>, _ out: RaftReady<Command, Snapshot>)
        -> RaftRuleBreach?
    {
        switch input {
        case .message(let m, let from): return verifyMessage(m, from: from, after, out)
        case .timer(.election): return verifyElectionTimeout(after, out)
        case .timer(.heartbeat): return verifyHeartbeat(after, out)
        case .start(let command): return verifyStart(command, after)
        }
    }

    /// A breach of `rule`.
    func breach(_ rule: RaftRule, _ detail: String) -> RaftRuleBreach {
        RaftRuleBreach(rule, "peer \(id) term \(term): \(detail)")
    }

    /// currentTerm never decreases; votedFor is set at most once per term.
    func verifyTermAndVote(_ after: Raft<Command, Snapshot>, _ out: RaftReady<Command, Snapshot>)
        -> RaftRuleBreach?
    {
        if after.currentTerm < term {
            return breach(.termMonotone, "currentTerm went from \(term) to \(after.currentTerm)")
        }
        if after.currentTerm == term, let v = votedFor, after.votedFor != v {
            return breach(
                .oneVotePerTerm,
                "votedFor changed from \(v) to \(vote(after.votedFor)) within term \(term)")
        }
        return nil
    }

    /// commitIndex never decreases nor passes the log; the committed entry keeps its term.
    func verifyCommit(_ after: Raft<Command, Snapshot>) -> RaftRuleBreach? {
        if after.commitIndex < commitIndex || after.commitIndex > after.log.lastIndex {
            return breach(
                .commitMonotone,
                "commitIndex \(commitIndex) -> \(after.commitIndex), last index "
                    + "\(after.log.lastIndex)")
        }
        if after.log.lastIndex < commitIndex {
            return breach(
                .committedEntriesKept,
                "log cut to \(after.log.lastIndex) below commitIndex \(commitIndex)")
        }
        if let t = commitTerm, let now = after.log.term(at: commitIndex), now != t {
            return breach(
                .committedEntriesKept,
                "committed index \(commitIndex) changed from term \(t) to term \(now)")
        }
        return nil
    }

    /// Applies come one by one in index order, after lastApplied, up to commitIndex.
    func verifyApplies(_ after: Raft<Command, Snapshot>, _ out: RaftReady<Command, Snapshot>)
        -> RaftRuleBreach?
    {
        var applied = lastApplied
        for a in out.applies {
            switch a {
            case .command(let index, let t, let command):
                let inLog = index > after.log.snapshotIndex && index <= after.log.lastIndex
                let held = inLog ? after.log.entry(at: index) : nil
                guard index == applied + 1, index <= after.commitIndex,
                    held.map({ $0.term == t && $0.command == command }) ?? true
                else {
                    return breach(
                        .applyInOrder,
                        "applied index \(index) (term \(t)) after \(applied), commitIndex "
                            + "\(after.commitIndex)")
                }
                applied = index
            case .snapshot(let index, _, _):
                guard index > applied else {
                    return breach(
                        .applyInOrder, "applied a snapshot through \(index) after \(applied)")
                }
                applied = index
            }
        }
        if after.lastApplied != applied || after.lastApplied > after.commitIndex {
            return breach(
                .applyInOrder,
                "lastApplied \(lastApplied) -> \(after.lastApplied) but applied through "
                    + "\(applied), commitIndex \(after.commitIndex)")
        }
        return nil
    }

    /// A change to currentTerm, votedFor or the log is marked for saving, and the saved image
    /// holds the term and the vote.
    func verifyPersist(_ after: Raft<Command, Snapshot>, _ out: RaftReady<Command, Snapshot>)
        -> RaftRuleBreach?
    {
        let changed =
            after.currentTerm != term || after.votedFor != votedFor
            || after.log.lastIndex != lastIndex || after.log.lastTerm != lastTerm
            || after.log.snapshotIndex != snapshotIndex
        guard changed else { return nil }
        if !out.mustPersist {
            return breach(.persistBeforeReply, "state changed without being marked for saving")
        }
        let saved = after.durable
        if saved.currentTerm != after.currentTerm || saved.votedFor != after.votedFor {
            return breach(
                .persistBeforeReply,
                "saves term \(saved.currentTerm) vote \(vote(saved.votedFor)) while holding term "
                    + "\(after.currentTerm) vote \(vote(after.votedFor))")
        }
        return nil
    }

    /// A vote for printing.
    func vote(_ v: Int?) -> String { v.map(String.init) ?? "null" }
}

extension Raft {
    /// §7: the service may compact only entries it has applied; the host checks this before
    /// handing Raft a snapshot through `index` (Raft then ignores the request).
    public func snapshotBreach(index: Int) -> RaftRuleBreach? {
        guard index > log.snapshotIndex, index > lastApplied || log.term(at: index) == nil
        else { return nil }
        return RaftRuleBreach(
            .serviceSnapshotApplied,
            "peer \(id) term \(currentTerm): snapshot through \(index) with lastApplied "
                + "\(lastApplied), log \(log.snapshotIndex + 1)...\(log.lastIndex)")
    }
}
