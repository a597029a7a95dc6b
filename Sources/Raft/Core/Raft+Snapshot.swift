// Log compaction (Raft §7): the service snapshots applied state; a leader whose log no longer
// holds what a follower needs sends its snapshot instead (Figure 13).

extension Raft {
    /// The labs' `Snapshot(index, data)`: the service's state through `index` is `data`; the log
    /// up to `index` can go. Returns true when the durable state changed and must be persisted.
    public mutating func snapshot(index: Int, data: Snapshot) -> Bool {
        guard index > log.snapshotIndex else { return false }  // older than what we have
        // Only a broken service or a planted bug asks for more: the host reports that as the
        // rule `service-snapshot-applied` (`snapshotBreach`) and nothing is compacted.
        guard index <= lastApplied, let t = log.term(at: index) else { return false }
        log.compact(through: index, term: t)
        snapshot = data
        return true
    }

    /// InstallSnapshot receiver (Figure 13). A snapshot at or below commitIndex brings nothing
    /// new and is ignored, so applied state never goes backwards.
    mutating func handleInstallSnapshot(
        _ a: InstallSnapshotArgs<Snapshot>, from peer: Int,
        _ out: inout RaftReady<Command, Snapshot>
    ) {
        if a.term >= currentTerm {
            becomeFollower(term: a.term, &out)
            leaderId = a.leaderId
            out.resetElectionTimer = true
            let stale =
                config.bugs.contains(.staleSnapshotInstall)
                ? a.lastIncludedIndex < log.snapshotIndex : a.lastIncludedIndex <= commitIndex
            if !stale { install(a, &out) }
        }
        let reply = InstallSnapshotReply(term: currentTerm, lastIncludedIndex: a.lastIncludedIndex)
        out.messages.append((peer, .installSnapshotReply(reply)))
    }

    /// Replaces the log prefix with the snapshot and hands it to the service.
    mutating func install(
        _ a: InstallSnapshotArgs<Snapshot>, _ out: inout RaftReady<Command, Snapshot>
    ) {
        log.compact(through: a.lastIncludedIndex, term: a.lastIncludedTerm)
        snapshot = a.data
        out.mustPersist = true
        if a.lastIncludedIndex > commitIndex {
            commitIndex = a.lastIncludedIndex
            out.events.append(.committed(index: commitIndex))
        }
        lastApplied = a.lastIncludedIndex
        out.applies.append(
            .snapshot(index: a.lastIncludedIndex, term: a.lastIncludedTerm, data: a.data))
        applyCommitted(&out)
    }

    /// InstallSnapshot result at the leader: the follower now holds everything through the
    /// snapshot.
    mutating func handleInstallSnapshotReply(
        _ r: InstallSnapshotReply, from peer: Int, _ out: inout RaftReady<Command, Snapshot>
    ) {
        if r.term > currentTerm {
            becomeFollower(term: r.term, &out)
            return
        }
        guard role == .leader, r.term == currentTerm else { return }
        guard r.lastIncludedIndex > matchIndex[peer] else { return }  // duplicate or stale
        matchIndex[peer] = r.lastIncludedIndex
        advanceCommitIndex(&out)
        nextIndex[peer] = max(nextIndex[peer], matchIndex[peer] + 1)
        if nextIndex[peer] <= log.lastIndex { sendAppendEntries(to: peer, &out) }
    }
}
