// The rules of the RPC handlers (Figure 2's receiver steps, Figure 13, §5.1–§5.4, §7): what a
// peer must do with each request and reply it receives, whatever its role.

extension RaftRuleCheck {
    typealias Message = RaftMessage<Command, Snapshot>
    typealias After = Raft<Command, Snapshot>
    typealias Out = RaftReady<Command, Snapshot>

    /// The rules of the handler for `m` from `peer`.
    func verifyMessage(_ m: Message, from peer: Int, _ after: After, _ out: Out)
        -> RaftRuleBreach?
    {
        if let b = verifyTermRules(m, from: peer, after, out) { return b }
        switch m {
        case .requestVote(let a): return verifyRequestVote(a, after, reply(out))
        case .appendEntries(let a): return verifyAppendEntries(a, after, reply(out))
        case .installSnapshot(let a): return verifyInstallSnapshot(a, after, out)
        case .appendEntriesReply(let r): return verifyAppendReply(r, from: peer, after)
        case .requestVoteReply, .installSnapshotReply: return nil
        }
    }

    /// The one reply of this step (checked to exist for requests by `verifyTermRules`).
    func reply(_ out: Out) -> Message? { out.messages.first { $0.message.isReply }?.message }

    /// The term of any message.
    func messageTerm(_ m: Message) -> Int {
        switch m {
        case .requestVote(let a): return a.term
        case .requestVoteReply(let r): return r.term
        case .appendEntries(let a): return a.term
        case .appendEntriesReply(let r): return r.term
        case .installSnapshot(let a): return a.term
        case .installSnapshotReply(let r): return r.term
        }
    }

    /// Higher terms win (§5.1), a leader's message of a current term makes a follower (§5.2),
    /// every request gets one reply, and a stale request changes nothing.
    func verifyTermRules(_ m: Message, from peer: Int, _ after: After, _ out: Out)
        -> RaftRuleBreach?
    {
        let t = messageTerm(m)
        if t > term {
            guard after.currentTerm == t, after.role == .follower else {
                return breach(
                    .stepDownOnHigherTerm,
                    "\(m.traceName) of term \(t) left it \(after.role) in term \(after.currentTerm)"
                )
            }
            var fresh = after.votedFor == nil
            if case .requestVote(let a) = m { fresh = fresh || after.votedFor == a.candidateId }
            if !fresh {
                return breach(
                    .newTermFreshVote, "term \(t) begins with votedFor \(vote(after.votedFor))")
            }
        }
        guard !m.isReply else { return nil }
        var replies = 0
        for (to, r) in out.messages where r.isReply {
            replies += 1
            if to != peer || r.traceName != m.traceName + "Reply" {
                return breach(.answerEveryRequest, "\(m.traceName) answered by \(r.traceName)")
            }
        }
        if replies != 1 {
            return breach(.answerEveryRequest, "\(m.traceName) got \(replies) replies")
        }
        if case .appendEntries = m, t >= term, after.role != .follower || after.currentTerm != t {
            return breach(
                .yieldToLeader, "AppendEntries of term \(t) left it \(after.role)")
        }
        if case .installSnapshot = m, t >= term, after.role != .follower || after.currentTerm != t {
            return breach(
                .yieldToLeader, "InstallSnapshot of term \(t) left it \(after.role)")
        }
        return t < term ? verifyStaleRequest(m, after, out) : nil
    }

    /// A request of an older term is refused and leaves vote, role, log and commit alone.
    func verifyStaleRequest(_ m: Message, _ after: After, _ out: Out) -> RaftRuleBreach? {
        var accepted = false
        switch reply(out) {
        case .requestVoteReply(let r): accepted = r.voteGranted
        case .appendEntriesReply(let r): accepted = r.success
        default: accepted = out.applies.contains { if case .snapshot = $0 { true } else { false } }
        }
        let unchanged =
            after.votedFor == votedFor && after.role == role && after.commitIndex == commitIndex
            && after.log.lastIndex == lastIndex && after.log.lastTerm == lastTerm
            && after.log.snapshotIndex == snapshotIndex
        if accepted || !unchanged {
            return breach(
                .rejectStaleTerm,
                "\(m.traceName) of term \(messageTerm(m)) was "
                    + (accepted ? "accepted" : "refused but changed the state"))
        }
        return nil
    }

    /// RequestVote receiver step 2 with the election restriction.
    func verifyRequestVote(_ a: RequestVoteArgs, _ after: After, _ reply: Message?)
        -> RaftRuleBreach?
    {
        guard case .requestVoteReply(let r)? = reply, r.voteGranted else { return nil }
        if term == a.term, let v = votedFor, v != a.candidateId {
            return breach(
                .voteOnlyIfFree, "granted term \(a.term) to \(a.candidateId) after voting for \(v)")
        }
        let upToDate =
            a.lastLogTerm != lastTerm ? a.lastLogTerm > lastTerm : a.lastLogIndex >= lastIndex
        if !upToDate {
            return breach(
                .voteOnlyIfUpToDate,
                "granted \(a.candidateId) (last term \(a.lastLogTerm) index \(a.lastLogIndex)) "
                    + "holding last term \(lastTerm) index \(lastIndex)")
        }
        if after.votedFor != a.candidateId {
            return breach(
                .grantRecordsVote,
                "granted \(a.candidateId) but votedFor is \(vote(after.votedFor))")
        }
        return nil
    }

    /// AppendEntries receiver steps 2–5.
    func verifyAppendEntries(_ a: AppendEntriesArgs<Command>, _ after: After, _ reply: Message?)
        -> RaftRuleBreach?
    {
        guard case .appendEntriesReply(let r)? = reply else { return nil }
        let prevTerm = oldTerms[0]
        let matches =
            a.term >= term && a.prevLogIndex <= lastIndex
            && (prevTerm == nil || prevTerm == a.prevLogTerm)
        if r.success != matches {
            return breach(
                .appendConsistencyCheck,
                "answered success=\(r.success) to prev \(a.prevLogIndex) term \(a.prevLogTerm) "
                    + "holding \(prevTerm.map { "term \($0)" } ?? "nothing") there")
        }
        guard r.success else {
            let unchanged =
                after.log.lastIndex == lastIndex && after.log.lastTerm == lastTerm
                && after.commitIndex == commitIndex
            return unchanged
                ? nil : breach(.appendConsistencyCheck, "a refusal changed the log or commitIndex")
        }
        return verifyMerge(a, after) ?? verifyFollowerCommit(a, after)
    }

    /// Steps 3–4: the entries sent are in the log; a conflict cut what followed it, and only then.
    func verifyMerge(_ a: AppendEntriesArgs<Command>, _ after: After) -> RaftRuleBreach? {
        var conflict = false
        for (k, e) in a.entries.enumerated() {
            let index = a.prevLogIndex + 1 + k
            if index > snapshotIndex, let old = oldTerms[k + 1], old != e.term { conflict = true }
            guard index > after.log.snapshotIndex else { continue }
            if index > after.log.lastIndex || after.log.entry(at: index) != e {
                return breach(
                    .appendNewEntries, "index \(index) does not hold the entry of term \(e.term)")
            }
        }
        let lastNew = a.prevLogIndex + a.entries.count
        let expected = conflict ? lastNew : max(lastIndex, lastNew)
        if after.log.lastIndex != expected {
            return breach(
                .deleteConflictsOnly,
                "entries \(a.prevLogIndex + 1)...\(lastNew) "
                    + (conflict ? "conflicted" : "matched")
                    + " yet the log ends at \(after.log.lastIndex), not \(expected)")
        }
        return nil
    }

    /// Step 5: commitIndex = min(leaderCommit, index of last new entry).
    func verifyFollowerCommit(_ a: AppendEntriesArgs<Command>, _ after: After) -> RaftRuleBreach? {
        let lastNew = a.prevLogIndex + a.entries.count
        let expected =
            a.leaderCommit > commitIndex
            ? max(commitIndex, min(a.leaderCommit, lastNew)) : commitIndex
        if after.commitIndex != expected {
            return breach(
                .followerCommit,
                "leaderCommit \(a.leaderCommit), last new \(lastNew): commitIndex "
                    + "\(commitIndex) -> \(after.commitIndex), expected \(expected)")
        }
        return nil
    }

    /// Figure 13 steps 5–8 and §7: a snapshot newer than what was applied replaces the log
    /// prefix, keeps a matching suffix and reaches the service.
    func verifyInstallSnapshot(_ a: InstallSnapshotArgs<Snapshot>, _ after: After, _ out: Out)
        -> RaftRuleBreach?
    {
        let handed = out.applies.contains {
            if case .snapshot(let i, _, _) = $0 { i == a.lastIncludedIndex } else { false }
        }
        guard handed else {
            return after.log.snapshotIndex == snapshotIndex
                ? nil : breach(.installSnapshot, "log compacted but the service got no snapshot")
        }
        if a.lastIncludedIndex <= lastApplied {
            return breach(
                .snapshotNeverGoesBack,
                "installed a snapshot through \(a.lastIncludedIndex) after applying through "
                    + "\(lastApplied)")
        }
        let keeps = oldTerms[0] == a.lastIncludedTerm && lastIndex > a.lastIncludedIndex
        let expectedLast = keeps ? lastIndex : a.lastIncludedIndex
        if after.log.snapshotIndex != a.lastIncludedIndex
            || after.log.snapshotTerm != a.lastIncludedTerm || after.log.lastIndex != expectedLast
            || after.snapshot != a.data
        {
            return breach(
                .installSnapshot,
                "snapshot through \(a.lastIncludedIndex) term \(a.lastIncludedTerm) left the log "
                    + "at \(after.log.snapshotIndex)...\(after.log.lastIndex), expected "
                    + "\(a.lastIncludedIndex)...\(expectedLast)")
        }
        return nil
    }

    /// A refused AppendEntries never moves nextIndex forward.
    func verifyAppendReply(_ r: AppendEntriesReply, from peer: Int, _ after: After)
        -> RaftRuleBreach?
    {
        guard role == .leader, after.role == .leader, after.currentTerm == term, !r.success
        else { return nil }
        if after.nextIndex[peer] > peerNext {
            return breach(
                .nextIndexBacksOff,
                "refusal from \(peer) moved nextIndex \(peerNext) -> \(after.nextIndex[peer])")
        }
        return nil
    }
}
