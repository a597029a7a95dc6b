// The rules of timers, Start and leadership (Figure 2's rules for candidates and leaders,
// §5.2–§5.4.2), and of what any step sends.

extension RaftRuleCheck {
    /// An election timeout: a leader ignores it, anyone else starts a new term (§5.2).
    func verifyElectionTimeout(_ after: After, _ out: Out) -> RaftRuleBreach? {
        if role == .leader {
            let ignored = after.role == .leader && after.currentTerm == term && out.messages.isEmpty
            return ignored ? nil : breach(.electionStartsTerm, "a leader acted on a timeout")
        }
        let asks = Set(
            out.messages.compactMap { m -> Int? in
                if case .requestVote = m.message { m.to } else { nil }
            })
        let single = after.peerCount == 1 && after.role == .leader
        guard after.currentTerm == term + 1, after.votedFor == id,
            after.role == .candidate || single, asks.count == after.peerCount - 1 || single
        else {
            return breach(
                .electionStartsTerm,
                "timeout left it \(after.role) in term \(after.currentTerm) with vote "
                    + "\(vote(after.votedFor)), asking \(asks.count) peers")
        }
        return nil
    }

    /// A heartbeat: a leader sends to every other peer; others send nothing.
    func verifyHeartbeat(_ after: After, _ out: Out) -> RaftRuleBreach? {
        guard role == .leader else {
            return out.messages.isEmpty ? nil : breach(.leaderHeartbeats, "a non-leader sent")
        }
        var reached: UInt64 = 0
        for (to, _) in out.messages { reached |= 1 << UInt64(to) }
        if reached.nonzeroBitCount != after.peerCount - 1 || reached & (1 << UInt64(id)) != 0 {
            return breach(.leaderHeartbeats, "heartbeat reached \(reached.nonzeroBitCount) peers")
        }
        return nil
    }

    /// Start: one new entry of currentTerm at a leader, nothing elsewhere.
    func verifyStart(_ command: Command, _ after: After) -> RaftRuleBreach? {
        if role == .leader {
            let appended =
                after.log.lastIndex == lastIndex + 1
                && after.log.entry(at: lastIndex + 1) == LogEntry(term: term, command: command)
            return appended
                ? nil
                : breach(.startAppendsOwnTerm, "log ends at \(after.log.lastIndex) after Start")
        }
        let unchanged = after.log.lastIndex == lastIndex && after.log.lastTerm == lastTerm
        return unchanged ? nil : breach(.startAppendsOwnTerm, "a \(role) appended on Start")
    }

    /// Everything sent: replies carry the term; only a candidate asks for votes and only a
    /// leader replicates, from its own log.
    func verifySends(_ after: After, _ out: Out) -> RaftRuleBreach? {
        for (to, m) in out.messages {
            let b: RaftRuleBreach?
            switch m {
            case .requestVote(let a):
                let ok =
                    after.role == .candidate && a.term == after.currentTerm && a.candidateId == id
                    && a.lastLogIndex == after.log.lastIndex && a.lastLogTerm == after.log.lastTerm
                b = ok ? nil : breach(.electionStartsTerm, "RequestVote \(a) from a \(after.role)")
            case .appendEntries(let a): b = verifySent(a, to: to, after)
            case .installSnapshot(let a):
                let ok =
                    isLeaderOf(a.term, after) && a.lastIncludedIndex == after.log.snapshotIndex
                    && a.lastIncludedTerm == after.log.snapshotTerm
                    && after.nextIndex[to] <= after.log.snapshotIndex
                b =
                    ok
                    ? nil : breach(.sendFromNextIndex, "InstallSnapshot to \(to) of term \(a.term)")
            case .requestVoteReply, .appendEntriesReply, .installSnapshotReply:
                let t = messageTerm(m)
                b =
                    t == after.currentTerm
                    ? nil : breach(.replyCarriesTerm, "\(m.traceName) carries term \(t)")
            }
            if let b { return b }
        }
        return nil
    }

    /// True when `after` is the leader of `t`.
    func isLeaderOf(_ t: Int, _ after: After) -> Bool {
        after.role == .leader && t == after.currentTerm
    }

    /// An AppendEntries to `to` carries the leader's entries from nextIndex[to].
    func verifySent(_ a: AppendEntriesArgs<Command>, to: Int, _ after: After) -> RaftRuleBreach? {
        guard isLeaderOf(a.term, after), a.leaderId == id,
            a.prevLogIndex == after.nextIndex[to] - 1,
            a.prevLogTerm == after.log.term(at: a.prevLogIndex),
            a.leaderCommit <= after.commitIndex,
            a.prevLogIndex + a.entries.count <= after.log.lastIndex
        else {
            return breach(
                .sendFromNextIndex,
                "AppendEntries to \(to) of term \(a.term) prev \(a.prevLogIndex) from a "
                    + "\(after.role) of term \(after.currentTerm)")
        }
        for (k, e) in a.entries.enumerated() where after.log.entry(at: a.prevLogIndex + 1 + k) != e
        {
            return breach(
                .sendFromNextIndex, "AppendEntries to \(to) carries a foreign entry at \(k)")
        }
        return nil
    }

    /// The rules of leadership: won by a majority, initialised, append-only, indices in
    /// bounds and monotone, commits by majority of the own term.
    func verifyLeader(_ after: After, _ out: Out) -> RaftRuleBreach? {
        guard after.role == .leader else { return nil }
        let continuing = role == .leader && term == after.currentTerm
        if !continuing, let b = verifyNewLeader(after, out) { return b }
        for p in 0..<after.peerCount where p != id {
            let m = after.matchIndex[p]
            let n = after.nextIndex[p]
            if !(m < n && n <= after.log.lastIndex + 1 && n >= 1) {
                return breach(
                    .leaderIndexBounds,
                    "peer \(p): matchIndex \(m), nextIndex \(n), last index \(after.log.lastIndex)")
            }
        }
        guard continuing else { return nil }
        if after.log.lastIndex < lastIndex
            || (after.log.term(at: lastIndex) ?? lastTerm) != lastTerm
        {
            return breach(
                .leaderAppendOnly,
                "log ended at \(lastIndex) term \(lastTerm), now at \(after.log.lastIndex)")
        }
        if case .message(let m, let from) = input, m.isReply, after.matchIndex[from] < peerMatch {
            return breach(
                .matchIndexMonotone,
                "matchIndex[\(from)] \(peerMatch) -> \(after.matchIndex[from])")
        }
        return verifyLeaderCommit(after)
    }

    /// A new leader: a majority voted for it, and its replication state starts afresh.
    func verifyNewLeader(_ after: After, _ out: Out) -> RaftRuleBreach? {
        let votes = after.votesGranted.nonzeroBitCount
        if votes < after.quorum {
            return breach(
                .leaderNeedsMajority,
                "leader of term \(after.currentTerm) with \(votes) of \(after.peerCount) votes")
        }
        var reached: UInt64 = 0
        for (to, _) in out.messages { reached |= 1 << UInt64(to) }
        for p in 0..<after.peerCount where p != id {
            if after.matchIndex[p] != 0 || after.nextIndex[p] != after.log.lastIndex + 1
                || reached & (1 << UInt64(p)) == 0
            {
                return breach(
                    .leaderInit,
                    "peer \(p): matchIndex \(after.matchIndex[p]), nextIndex "
                        + "\(after.nextIndex[p]), sent \(reached & (1 << UInt64(p)) != 0)")
            }
        }
        return nil
    }

    /// §5.4.2: a new commitIndex N is held by a majority and log[N] is of the leader's term.
    func verifyLeaderCommit(_ after: After) -> RaftRuleBreach? {
        let n = after.commitIndex
        guard n > commitIndex else { return nil }
        var holders = 0
        for p in 0..<after.peerCount where after.matchIndex[p] >= n { holders += 1 }
        let t = after.log.term(at: n)
        if holders < after.quorum || t != after.currentTerm {
            return breach(
                .leaderCommitRule,
                "committed \(n) (term \(t.map(String.init) ?? "?")) held by \(holders) of "
                    + "\(after.peerCount) peers")
        }
        return nil
    }
}
