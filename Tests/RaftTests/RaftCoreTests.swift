import DSimCore
import Raft
import XCTest

/// Hand-driven cases of the core: each feeds messages and timers and checks the batch.
final class RaftCoreTests: XCTestCase {
    typealias R = Raft<LabCommand, LabSnapshot>
    typealias Ready = RaftReady<LabCommand, LabSnapshot>

    func entry(_ term: Int, _ value: Int) -> LogEntry<LabCommand> {
        LogEntry(term: term, command: LabCommand(value))
    }

    /// A booted peer `id` of `n`.
    func peer(_ id: Int, _ n: Int = 3) -> R {
        var r = R(id: id, peerCount: n)
        var out = Ready()
        r.boot(&out)
        XCTAssertTrue(out.resetElectionTimer)
        return r
    }

    /// Feeds an AppendEntries and returns the batch.
    @discardableResult
    func append(
        _ r: inout R, term: Int, from leader: Int = 0, prev: Int, prevTerm: Int,
        _ entries: [LogEntry<LabCommand>], commit: Int = 0
    ) -> Ready {
        var out = Ready()
        let a = AppendEntriesArgs(
            term: term, leaderId: leader, prevLogIndex: prev, prevLogTerm: prevTerm,
            entries: entries,
            leaderCommit: commit)
        r.step(.appendEntries(a), from: leader, &out)
        return out
    }

    func onlyReply(_ out: Ready) -> AppendEntriesReply? {
        guard out.messages.count == 1, case .appendEntriesReply(let r) = out.messages[0].message
        else {
            return nil
        }
        return r
    }

    func testVoteGrantedOncePerTermAndPersistedFirst() {
        var r = peer(1)
        var out = Ready()
        let ask = RequestVoteArgs(term: 1, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0)
        r.step(.requestVote(ask), from: 0, &out)
        XCTAssertTrue(out.mustPersist)
        XCTAssertEqual(
            out.messages.first?.message, .requestVoteReply(.init(term: 1, voteGranted: true)))
        XCTAssertEqual(r.votedFor, 0)
        XCTAssertEqual(r.durable.votedFor, 0)
        out.clear()
        let other = RequestVoteArgs(term: 1, candidateId: 2, lastLogIndex: 5, lastLogTerm: 1)
        r.step(.requestVote(other), from: 2, &out)
        XCTAssertEqual(
            out.messages.first?.message, .requestVoteReply(.init(term: 1, voteGranted: false)))
    }

    func testElectionRestrictionRefusesStaleLog() {
        var r = peer(1)
        append(&r, term: 2, prev: 0, prevTerm: 0, [entry(1, 10), entry(2, 20)])
        var out = Ready()
        // Higher term but an older last term (§5.4.1): refused, though the term is adopted.
        let stale = RequestVoteArgs(term: 3, candidateId: 2, lastLogIndex: 9, lastLogTerm: 1)
        r.step(.requestVote(stale), from: 2, &out)
        XCTAssertEqual(
            out.messages.first?.message, .requestVoteReply(.init(term: 3, voteGranted: false)))
        XCTAssertEqual(r.currentTerm, 3)
        // Same last term, shorter log: refused too.
        out.clear()
        let short = RequestVoteArgs(term: 3, candidateId: 2, lastLogIndex: 1, lastLogTerm: 2)
        r.step(.requestVote(short), from: 2, &out)
        XCTAssertEqual(
            out.messages.first?.message, .requestVoteReply(.init(term: 3, voteGranted: false)))
        // With the planted bug the stale candidate gets the vote.
        var config = RaftConfig()
        config.bugs = .noElectionRestriction
        var b = R(id: 1, peerCount: 3, config: config)
        append(&b, term: 2, prev: 0, prevTerm: 0, [entry(1, 10), entry(2, 20)])
        out.clear()
        b.step(.requestVote(stale), from: 2, &out)
        XCTAssertEqual(
            out.messages.first?.message, .requestVoteReply(.init(term: 3, voteGranted: true)))
    }

    func testConflictTruncatesOnlyFromTheConflict() {
        var r = peer(1)
        append(&r, term: 2, prev: 0, prevTerm: 0, [entry(1, 10), entry(1, 11), entry(2, 12)])
        XCTAssertEqual(r.log.lastIndex, 3)
        // A stale AppendEntries that matches must not truncate.
        append(&r, term: 2, prev: 0, prevTerm: 0, [entry(1, 10)])
        XCTAssertEqual(r.log.lastIndex, 3)
        // Conflict at index 2 (term 1 vs 3): entries 2... are replaced.
        let out = append(&r, term: 3, from: 2, prev: 1, prevTerm: 1, [entry(3, 30)])
        XCTAssertTrue(out.mustPersist)
        XCTAssertEqual(r.log.lastIndex, 2)
        XCTAssertEqual(r.log.term(at: 2), 3)
        XCTAssertEqual(onlyReply(out)?.success, true)
        XCTAssertEqual(onlyReply(out)?.matchIndex, 2)
    }

    /// The planted bug keeps what follows a conflict; the monitor sees the stale entry at once
    /// as a term lower than the one before it, and a log truncated as Figure 2 says passes.
    func testEntriesLeftAfterAConflictBreakTermOrder() {
        var config = RaftConfig()
        for bugs in [RaftBugs(), .noTruncateConflicts] {
            config.bugs = bugs
            var r = R(id: 1, peerCount: 3, config: config)
            append(&r, term: 1, prev: 0, prevTerm: 0, [entry(1, 10), entry(1, 11), entry(1, 12)])
            append(&r, term: 2, from: 2, prev: 0, prevTerm: 0, [entry(2, 20)])
            let monitor = RaftMonitor(n: 3)
            monitor.checkTermsOrdered(server: 1, r.log, from: 1, through: 2, line: 7)
            if bugs.isEmpty {
                XCTAssertEqual(r.log.lastIndex, 1)
                XCTAssertNil(monitor.violation)
            } else {
                XCTAssertEqual(r.log.lastIndex, 3)
                XCTAssertEqual(monitor.violation?.invariant, "log-terms-ordered")
                XCTAssertEqual(monitor.violation?.events, [7])
            }
        }
    }

    func testFastBackupHints() {
        var r = peer(1)
        append(
            &r, term: 2, prev: 0, prevTerm: 0,
            [entry(1, 10), entry(2, 20), entry(2, 21), entry(2, 22)])
        // Too short: XTerm -1, XLen = lastIndex + 1.
        var reply = onlyReply(append(&r, term: 3, prev: 9, prevTerm: 3, []))
        XCTAssertEqual(reply?.success, false)
        XCTAssertEqual(reply?.xTerm, -1)
        XCTAssertEqual(reply?.xLen, 5)
        // Conflict at 4 (has term 2): XTerm 2, XIndex 2 (first index of term 2).
        reply = onlyReply(append(&r, term: 3, prev: 4, prevTerm: 3, []))
        XCTAssertEqual(reply?.xTerm, 2)
        XCTAssertEqual(reply?.xIndex, 2)
        XCTAssertEqual(reply?.prevLogIndex, 4)
    }

    /// Makes peer 0 of 3 leader of term `currentTerm + 1` with the votes of peer 1.
    func elect(_ r: inout R) -> Ready {
        var out = Ready()
        r.tick(.election, &out)
        XCTAssertEqual(r.role, .candidate)
        XCTAssertTrue(out.mustPersist)
        out.clear()
        r.step(.requestVoteReply(.init(term: r.currentTerm, voteGranted: true)), from: 1, &out)
        XCTAssertEqual(r.role, .leader)
        return out
    }

    func testLeaderBacksUpByTermAndCommitsOnlyCurrentTerm() {
        var r = peer(0)
        append(&r, term: 2, from: 1, prev: 0, prevTerm: 0, [entry(1, 10), entry(2, 20)])
        _ = elect(&r)
        XCTAssertEqual(r.currentTerm, 3)
        // Peer 1 holds index 2 (term 2): a majority, but of an earlier term (§5.4.2).
        var out = Ready()
        let ok = AppendEntriesReply(
            term: 3, success: true, matchIndex: 2, prevLogIndex: 2, xTerm: -1, xIndex: -1, xLen: -1)
        r.step(.appendEntriesReply(ok), from: 1, &out)
        XCTAssertEqual(r.commitIndex, 0)
        // A current-term entry replicated on a majority commits everything before it.
        out.clear()
        let s = r.start(LabCommand(30), &out)
        XCTAssertEqual(s.index, 3)
        XCTAssertTrue(s.isLeader)
        out.clear()
        let ok3 = AppendEntriesReply(
            term: 3, success: true, matchIndex: 3, prevLogIndex: 2, xTerm: -1, xIndex: -1, xLen: -1)
        r.step(.appendEntriesReply(ok3), from: 2, &out)
        XCTAssertEqual(r.commitIndex, 3)
        XCTAssertEqual(out.applies.count, 3)
        // Peer 1 rejects a probe at prev 3 with XTerm 1 from index 1: the leader has term 1
        // through index 1, so nextIndex becomes 2 and it resends from there.
        out.clear()
        let reject = AppendEntriesReply(
            term: 3, success: false, matchIndex: 0, prevLogIndex: 3, xTerm: 1, xIndex: 1, xLen: 5)
        var s1 = r
        s1.step(.appendEntriesReply(reject), from: 1, &out)
        XCTAssertEqual(out.messages.count, 0, "peer 1 matches through 2: a probe at 3 is stale")
    }

    func testSnapshotCompactsAndLaggingFollowerGetsInstallSnapshot() {
        var r = peer(0)
        _ = elect(&r)
        var out = Ready()
        for v in 1...5 { _ = r.start(LabCommand(v), &out) }
        let ok = AppendEntriesReply(
            term: 1, success: true, matchIndex: 5, prevLogIndex: 0, xTerm: -1, xIndex: -1, xLen: -1)
        out.clear()
        r.step(.appendEntriesReply(ok), from: 1, &out)
        XCTAssertEqual(r.commitIndex, 5)
        XCTAssertTrue(r.snapshot(index: 4, data: LabSnapshot(lastIncludedIndex: 4, log: [])))
        XCTAssertEqual(r.log.snapshotIndex, 4)
        XCTAssertEqual(r.log.lastIndex, 5)
        // Peer 2 never acknowledged anything (nextIndex 1 <= snapshotIndex 4): the heartbeat
        // carries the snapshot.
        out.clear()
        r.tick(.heartbeat, &out)
        let toPeer2 = out.messages.filter { $0.to == 2 }.map(\.message)
        guard toPeer2.count == 1, case .installSnapshot(let a) = toPeer2[0] else {
            return XCTFail("expected InstallSnapshot, got \(toPeer2)")
        }
        XCTAssertEqual(a.lastIncludedIndex, 4)
        XCTAssertEqual(a.lastIncludedTerm, 1)
    }
}
