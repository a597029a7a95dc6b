// Log replication (Raft §5.3), the commit rule (§5.4.2) and the 6.5840 fast back-up of
// nextIndex by term (XTerm / XIndex / XLen).

extension Raft {
    /// Sends AppendEntries (or InstallSnapshot) to every other peer.
    mutating func broadcastAppendEntries(_ out: inout RaftReady<Command, Snapshot>) {
        for p in 0..<peerCount where p != id { sendAppendEntries(to: p, &out) }
    }

    /// Sends `peer` the entries from nextIndex[peer], or the snapshot when they were compacted.
    mutating func sendAppendEntries(to peer: Int, _ out: inout RaftReady<Command, Snapshot>) {
        let next = nextIndex[peer]
        precondition(
            next >= 1 && next <= log.lastIndex + 1,
            "nextIndex[\(peer)]=\(next), last \(log.lastIndex)")
        if next <= log.snapshotIndex {
            guard let data = snapshot else {
                preconditionFailure("snapshotIndex \(log.snapshotIndex) without a snapshot")
            }
            let args = InstallSnapshotArgs(
                term: currentTerm, leaderId: id, lastIncludedIndex: log.snapshotIndex,
                lastIncludedTerm: log.snapshotTerm, data: data)
            out.messages.append((peer, .installSnapshot(args)))
            return
        }
        let prev = next - 1
        let args = AppendEntriesArgs(
            term: currentTerm, leaderId: id, prevLogIndex: prev, prevLogTerm: log.term(at: prev)!,
            entries: log.entries(from: next, limit: config.maxEntriesPerAppend),
            leaderCommit: commitIndex)
        out.messages.append((peer, .appendEntries(args)))
    }

    /// AppendEntries receiver (Figure 2), answering conflicts with the fast back-up hints.
    mutating func handleAppendEntries(
        _ a: AppendEntriesArgs<Command>, from peer: Int, _ out: inout RaftReady<Command, Snapshot>
    ) {
        var reply = AppendEntriesReply(
            term: currentTerm, success: false, matchIndex: 0, prevLogIndex: a.prevLogIndex,
            xTerm: -1,
            xIndex: -1, xLen: -1)
        guard a.term >= currentTerm else {  // step 1: reply false if term < currentTerm
            out.messages.append((peer, .appendEntriesReply(reply)))
            return
        }
        becomeFollower(term: a.term, &out)
        leaderId = a.leaderId
        out.resetElectionTimer = true
        reply.term = currentTerm
        if config.bugs.contains(.uncheckedPrevLogIndex), a.prevLogIndex > log.lastIndex + 1 {
            // The planted trap: reads past the end of the log (the guard below comes too late).
            _ = log.entry(at: a.prevLogIndex)
        }
        // Step 2: reply false if the log has no entry at prevLogIndex with prevLogTerm.
        if a.prevLogIndex > log.lastIndex {
            reply.xLen = log.lastIndex + 1
            out.messages.append((peer, .appendEntriesReply(reply)))
            return
        }
        if a.prevLogIndex >= log.snapshotIndex, let t = log.term(at: a.prevLogIndex),
            t != a.prevLogTerm
        {
            reply.xTerm = t
            reply.xIndex = log.firstIndex(ofTermAt: a.prevLogIndex)
            reply.xLen = log.lastIndex + 1
            out.messages.append((peer, .appendEntriesReply(reply)))
            return
        }
        mergeEntries(a, &out)
        let lastNew = a.prevLogIndex + a.entries.count
        // Step 5: commitIndex = min(leaderCommit, index of last new entry).
        if a.leaderCommit > commitIndex { commit(through: min(a.leaderCommit, lastNew), &out) }
        reply.success = true
        reply.matchIndex = lastNew
        out.messages.append((peer, .appendEntriesReply(reply)))
    }

    /// Steps 3–4: delete a conflicting entry and all that follow it, append the new ones. An
    /// entry that already matches is kept (a stale, reordered AppendEntries must not truncate).
    /// Entries at or below the snapshot are committed, hence already identical: skipped.
    mutating func mergeEntries(
        _ a: AppendEntriesArgs<Command>, _ out: inout RaftReady<Command, Snapshot>
    ) {
        var index = a.prevLogIndex
        for e in a.entries {
            index += 1
            if index <= log.snapshotIndex { continue }
            if index <= log.lastIndex {
                if log.term(at: index) == e.term { continue }
                if config.bugs.contains(.noTruncateConflicts) {
                    log.overwrite(at: index, with: e)
                    out.mustPersist = true
                    continue
                }
                // Truncating at or below commitIndex breaks `committed-entries-kept`, which
                // the hosts check after the step (RaftRuleCheck), so it is reported, not trapped.
                log.truncate(after: index - 1)
            }
            log.append(e)
            out.mustPersist = true
        }
    }

    /// AppendEntries result at the leader: advance matchIndex and commit, or back up nextIndex.
    mutating func handleAppendEntriesReply(
        _ r: AppendEntriesReply, from peer: Int, _ out: inout RaftReady<Command, Snapshot>
    ) {
        if r.term > currentTerm {
            becomeFollower(term: r.term, &out)
            return
        }
        guard role == .leader, r.term == currentTerm else { return }
        if r.success {
            if config.bugs.contains(.replyStorm) {
                sendAppendEntries(to: peer, &out)  // the planted livelock: every reply, again
                return
            }
            // Only a reply that moves matchIndex sends more: duplicated replies stay harmless.
            guard r.matchIndex > matchIndex[peer] else { return }
            matchIndex[peer] = r.matchIndex
            advanceCommitIndex(&out)
            nextIndex[peer] = max(nextIndex[peer], matchIndex[peer] + 1)
            // A lagging follower gets its next batch at once, not at the next heartbeat.
            if nextIndex[peer] <= log.lastIndex { sendAppendEntries(to: peer, &out) }
            return
        }
        guard r.prevLogIndex == nextIndex[peer] - 1 else { return }  // stale or duplicate
        if config.bugs.contains(.noBackup) { return }  // planted: retried as is, for ever
        var next = r.xLen
        if r.xTerm >= 0 {
            next = log.lastIndex(ofTerm: r.xTerm).map { $0 + 1 } ?? r.xIndex
        }
        // The hint always moves back in correct Raft; fall back to one step otherwise.
        if next >= nextIndex[peer] { next = nextIndex[peer] - 1 }
        nextIndex[peer] = max(matchIndex[peer] + 1, max(next, 1))
        sendAppendEntries(to: peer, &out)
    }

    /// Figure 2 (leaders): the highest N replicated on a majority, committed only when
    /// log[N].term == currentTerm (§5.4.2; the Figure 8 scenario shows why).
    mutating func advanceCommitIndex(_ out: inout RaftReady<Command, Snapshot>) {
        let needed = config.bugs.contains(.commitWithoutMajority) ? max(1, peerCount / 2) : quorum
        var best = commitIndex
        for p in 0..<peerCount where matchIndex[p] > best {
            let candidate = matchIndex[p]
            var count = 0
            for q in 0..<peerCount where matchIndex[q] >= candidate { count += 1 }
            if count >= needed { best = candidate }
        }
        guard best > commitIndex, let t = log.term(at: best) else { return }
        if t != currentTerm && !config.bugs.contains(.commitPreviousTerm) { return }
        commit(through: best, &out)
    }
}
