// Leader election (Raft §5.2) with the election restriction (§5.4.1).

extension Raft {
    /// Election timeout: become candidate in a new term, vote for self, ask everyone (§5.2).
    mutating func startElection(_ out: inout RaftReady<Command, Snapshot>) {
        precondition(role != .leader, "leader \(id) started an election in term \(currentTerm)")
        currentTerm += 1
        role = .candidate
        votedFor = id
        leaderId = nil
        votesGranted = 1 << UInt64(id)
        out.mustPersist = true
        out.resetElectionTimer = true
        out.events.append(.role(.candidate, term: currentTerm))
        out.events.append(.voted(term: currentTerm, candidate: id))
        if peerCount == 1 {
            becomeLeader(&out)
            return
        }
        let args = RequestVoteArgs(
            term: currentTerm, candidateId: id, lastLogIndex: log.lastIndex,
            lastLogTerm: log.lastTerm)
        for p in 0..<peerCount where p != id {
            out.messages.append((p, .requestVote(args)))
        }
    }

    /// §5.4.1: the candidate's log is at least as up-to-date as ours (last term, then length).
    func isUpToDate(lastLogIndex: Int, lastLogTerm: Int) -> Bool {
        if lastLogTerm != log.lastTerm { return lastLogTerm > log.lastTerm }
        return lastLogIndex >= log.lastIndex
    }

    /// RequestVote receiver (Figure 2).
    mutating func handleRequestVote(
        _ a: RequestVoteArgs, from peer: Int, _ out: inout RaftReady<Command, Snapshot>
    ) {
        if a.term > currentTerm { becomeFollower(term: a.term, &out) }
        var granted = false
        if a.term == currentTerm, votedFor == nil || votedFor == a.candidateId {
            let restricted = !config.bugs.contains(.noElectionRestriction)
            if !restricted || isUpToDate(lastLogIndex: a.lastLogIndex, lastLogTerm: a.lastLogTerm) {
                granted = true
                if votedFor == nil {
                    votedFor = a.candidateId
                    out.mustPersist = true
                    out.events.append(.voted(term: currentTerm, candidate: a.candidateId))
                }
                // Granting a vote counts as hearing from a would-be leader (Figure 2).
                out.resetElectionTimer = true
            }
        }
        out.messages.append(
            (peer, .requestVoteReply(.init(term: currentTerm, voteGranted: granted))))
    }

    /// A vote arrived: a majority makes the candidate leader (§5.2).
    mutating func handleRequestVoteReply(
        _ r: RequestVoteReply, from peer: Int, _ out: inout RaftReady<Command, Snapshot>
    ) {
        if r.term > currentTerm {
            becomeFollower(term: r.term, &out)
            return
        }
        guard role == .candidate, r.term == currentTerm, r.voteGranted else { return }
        votesGranted |= 1 << UInt64(peer)
        if votesGranted.nonzeroBitCount >= quorum { becomeLeader(&out) }
    }

    /// Wins the election: reinitialise nextIndex/matchIndex and assert leadership at once.
    mutating func becomeLeader(_ out: inout RaftReady<Command, Snapshot>) {
        precondition(role == .candidate, "becomeLeader from \(role) in term \(currentTerm)")
        role = .leader
        leaderId = id
        nextIndex = Array(repeating: log.lastIndex + 1, count: peerCount)
        matchIndex = Array(repeating: 0, count: peerCount)
        matchIndex[id] = log.lastIndex
        out.events.append(.role(.leader, term: currentTerm))
        broadcastAppendEntries(&out)
        out.heartbeatAfterNs = config.heartbeatIntervalNs
    }
}
