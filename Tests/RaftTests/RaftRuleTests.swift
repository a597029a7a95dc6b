import DSimCore
import Raft
import XCTest

/// Each family of `RaftRule`: a handler fed a message that breaks the rule (under a planted bug,
/// or with a hand-built outcome) is caught with that rule, and a correct step passes.
final class RaftRuleTests: XCTestCase {
    typealias R = Raft<LabCommand, LabSnapshot>
    typealias Ready = RaftReady<LabCommand, LabSnapshot>
    typealias Input = RaftStepInput<LabCommand, LabSnapshot>

    func entry(_ term: Int, _ value: Int) -> LogEntry<LabCommand> {
        LogEntry(term: term, command: LabCommand(value))
    }

    func peer(_ id: Int, _ bugs: RaftBugs = [], n: Int = 3) -> R {
        var config = RaftConfig()
        config.bugs = bugs
        var r = R(id: id, peerCount: n, config: config)
        var out = Ready()
        r.boot(&out)
        return r
    }

    /// Runs one step with the rule check around it; returns the breach, if any.
    @discardableResult
    func checked(_ r: inout R, _ input: Input, tamper: (inout Ready) -> Void = { _ in })
        -> RaftRuleBreach?
    {
        let check = RaftRuleCheck(r, input)
        var out = Ready()
        switch input {
        case .message(let m, let from): r.step(m, from: from, &out)
        case .timer(let t): r.tick(t, &out)
        case .start(let c): _ = r.start(c, &out)
        }
        tamper(&out)
        return check.verify(r, out)
    }

    func append(
        _ term: Int, from leader: Int = 0, prev: Int, prevTerm: Int, _ e: [LogEntry<LabCommand>],
        commit: Int = 0
    ) -> Input {
        .message(
            .appendEntries(
                AppendEntriesArgs(
                    term: term, leaderId: leader, prevLogIndex: prev, prevLogTerm: prevTerm,
                    entries: e, leaderCommit: commit)), from: leader)
    }

    func testEveryRuleHasAReferenceAndAStatement() {
        XCTAssertGreaterThanOrEqual(RaftRule.allCases.count, 30)
        for rule in RaftRule.allCases {
            XCTAssertTrue(rule.invariant.hasPrefix("raft-rule:"))
            XCTAssertFalse(rule.reference.isEmpty)
            XCTAssertFalse(rule.statement.isEmpty)
        }
        XCTAssertEqual(Set(RaftRule.allCases.map(\.rawValue)).count, RaftRule.allCases.count)
    }

    /// Votes: the election restriction, one vote per term, the vote saved.
    func testVoteRules() {
        let stale = RequestVoteArgs(term: 3, candidateId: 2, lastLogIndex: 9, lastLogTerm: 1)
        for bugs in [RaftBugs(), .noElectionRestriction] {
            var r = peer(1, bugs)
            XCTAssertNil(checked(&r, append(2, prev: 0, prevTerm: 0, [entry(2, 20)])))
            let b = checked(&r, .message(.requestVote(stale), from: 2))
            XCTAssertEqual(b?.rule, bugs.isEmpty ? nil : .voteOnlyIfUpToDate, "\(bugs)")
        }
        // Hand-built: a peer that voted for 0 in term 1 answers 2 with a grant.
        var r = peer(1)
        let ask0 = RequestVoteArgs(term: 1, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0)
        XCTAssertNil(checked(&r, .message(.requestVote(ask0), from: 0)))
        let ask2 = RequestVoteArgs(term: 1, candidateId: 2, lastLogIndex: 0, lastLogTerm: 0)
        let b = checked(&r, .message(.requestVote(ask2), from: 2)) { out in
            out.messages[0].message = .requestVoteReply(.init(term: 1, voteGranted: true))
        }
        XCTAssertEqual(b?.rule, .voteOnlyIfFree)
        // The planted bug: the vote for itself is not in what the candidate saves.
        var c = peer(0, .votedForNotPersisted)
        XCTAssertEqual(checked(&c, .timer(.election))?.rule, .persistBeforeReply)
        var ok = peer(0)
        XCTAssertNil(checked(&ok, .timer(.election)))
    }

    /// Terms: a stale request is refused; a reply with the wrong term is caught.
    func testTermRules() {
        var r = peer(1)
        XCTAssertNil(checked(&r, append(3, prev: 0, prevTerm: 0, [entry(3, 1)])))
        let old = append(2, prev: 1, prevTerm: 3, [])
        XCTAssertNil(checked(&r, old))
        let b = checked(&r, old) { out in
            out.messages[0].message = .appendEntriesReply(
                .init(
                    term: 3, success: true, matchIndex: 1, prevLogIndex: 1, xTerm: -1, xIndex: -1,
                    xLen: -1))
        }
        XCTAssertEqual(b?.rule, .rejectStaleTerm)
        let w = checked(&r, old) { out in out.messages.removeAll() }
        XCTAssertEqual(w?.rule, .answerEveryRequest)
    }

    /// The log: conflicts delete what follows them, and only then.
    func testAppendRules() {
        for bugs in [RaftBugs(), .noTruncateConflicts] {
            var r = peer(1, bugs)
            let three = [entry(1, 10), entry(1, 11), entry(1, 12)]
            XCTAssertNil(checked(&r, append(1, prev: 0, prevTerm: 0, three)))
            let b = checked(&r, append(2, prev: 0, prevTerm: 0, [entry(2, 20)]))
            XCTAssertEqual(b?.rule, bugs.isEmpty ? nil : .deleteConflictsOnly, "\(bugs)")
        }
        // A stale AppendEntries that matches must not truncate (checked on the outcome).
        var r = peer(1)
        XCTAssertNil(checked(&r, append(1, prev: 0, prevTerm: 0, [entry(1, 10), entry(1, 11)])))
        XCTAssertNil(checked(&r, append(1, prev: 0, prevTerm: 0, [entry(1, 10)], commit: 1)))
        XCTAssertEqual(r.commitIndex, 1)
    }

    /// Leaders: commits need a majority and an entry of the leader's own term (§5.4.2).
    func testLeaderCommitRules() {
        for bugs in [RaftBugs(), .commitPreviousTerm, .commitWithoutMajority] {
            var r = peer(0, bugs)
            XCTAssertNil(checked(&r, append(2, from: 2, prev: 0, prevTerm: 0, [entry(2, 20)])))
            XCTAssertNil(checked(&r, .timer(.election)))
            let vote = RaftMessage<LabCommand, LabSnapshot>.requestVoteReply(
                .init(term: 3, voteGranted: true))
            XCTAssertNil(checked(&r, .message(vote, from: 1)))
            XCTAssertEqual(r.role, .leader)
            XCTAssertNil(checked(&r, .start(LabCommand(30))))
            // Peer 1 holds index 1 (term 2) only: a majority of an earlier term.
            let ok = AppendEntriesReply(
                term: 3, success: true, matchIndex: 1, prevLogIndex: 1, xTerm: -1, xIndex: -1,
                xLen: -1)
            let b = checked(&r, .message(.appendEntriesReply(ok), from: 1))
            XCTAssertEqual(b?.rule, bugs.isEmpty ? nil : .leaderCommitRule, "\(bugs)")
        }
    }

    /// Snapshots: an older snapshot is never installed; the service compacts only what it
    /// applied.
    func testSnapshotRules() {
        for bugs in [RaftBugs(), .staleSnapshotInstall] {
            var r = peer(1, bugs)
            let e = (1...4).map { entry(1, $0) }
            XCTAssertNil(checked(&r, append(1, prev: 0, prevTerm: 0, e, commit: 4)))
            XCTAssertEqual(r.lastApplied, 4)
            let snap = InstallSnapshotArgs(
                term: 1, leaderId: 0, lastIncludedIndex: 2, lastIncludedTerm: 1,
                data: LabSnapshot(lastIncludedIndex: 2, log: []))
            let b = checked(&r, .message(.installSnapshot(snap), from: 0))
            XCTAssertEqual(b?.rule, bugs.isEmpty ? nil : .snapshotNeverGoesBack, "\(bugs)")
        }
        let r = peer(1)
        XCTAssertEqual(r.snapshotBreach(index: 3)?.rule, .serviceSnapshotApplied)
        XCTAssertNil(r.snapshotBreach(index: 0))
    }

    /// In a run, the violation is the rule's and cites the trace line of the message that
    /// broke it.
    func testRunCitesTheMessage() {
        let run = RaftRun.seeded(2, recording: true, bugs: .commitPreviousTerm)
        let v = RaftPort.verdict { try RaftFuzz.run(run) }
        run.trace.verdict(v)
        guard case .violation(let violation) = v else { return XCTFail("not caught: \(v)") }
        XCTAssertEqual(violation.invariant, RaftRule.leaderCommitRule.invariant)
        // No header was written here: trace line k (the header is line 1) is text line k - 1.
        let lines = ["header"] + run.trace.text.split(separator: "\n").map(String.init)
        guard let cited = violation.events.first, cited >= 1, cited <= lines.count else {
            return XCTFail("no line cited: \(violation)")
        }
        XCTAssertTrue(lines[cited - 1].contains("\"ev\":\"recv\""), lines[cited - 1])
        XCTAssertTrue(lines[cited - 1].contains("AppendEntriesReply"), lines[cited - 1])
    }
}
