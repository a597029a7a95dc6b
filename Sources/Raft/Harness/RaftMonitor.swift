// The harness state of config.go (the applied logs `cfg.logs`) and the Raft invariants, checked
// as the run goes. Every check that fails reports a `Violation` with the trace lines of the
// observations that prove it; the first one stops the simulation.
//
//   election-safety        at most one leader per term (§5.2)
//   leader-completeness    a new leader of term T holds every entry committed before T (§5.4)
//   state-machine-safety   no two peers apply different commands at one index (checkLogs)
//   apply-out-of-order     applies in order, no gaps (applier / applierSnap)
//   apply-went-backwards   a snapshot never rewinds what the service applied
//   vote-twice             a peer, even restarted, votes for one candidate per term
//   durable-state-lost     what a peer acknowledged was persisted before it crashed
//   log-matching           same index and term ⇒ same entries up to there (§5.3)
//   log-terms-ordered      terms never decrease along one log: a leader appends entries of its
//                          own term, the newest it knows, and a follower's log is a prefix of a
//                          leader's (§5.3); a stale entry left after a conflict breaks it at once
import DSimCore

/// Harness state and invariant checker shared by the peers of one run.
public final class RaftMonitor {
    /// An applied command and the trace line that applied it.
    struct Applied {
        var command: LabCommand
        var line: TraceLine
    }

    /// The first known commit of an index: the entry's term and the committing leader's term.
    struct CommitRecord {
        var entryTerm: Int
        var commitTerm: Int
        var line: TraceLine
    }

    /// Number of peers.
    public let n: Int
    /// config.go's `logs[i]`: what each server applied, by index (index 0 is never used).
    var logs: [[Applied?]]
    /// Committed indices 1..<count, in the order leaders committed them.
    var commits: [CommitRecord?] = [nil]
    /// The leader of each term, with its trace line.
    var leaderOfTerm: [Int: (server: Int, line: TraceLine)] = [:]
    /// Votes of each server by term, across incarnations.
    var votes: [[Int: (candidate: Int, line: TraceLine)]]
    /// Trace line of each server's last role change.
    public private(set) var lastRoleLine: [TraceLine]
    /// The last `start` line of each log index (a leader accepted a command there). A line
    /// number, not state: explore's fingerprint leaves it out.
    private var startLines: [Int: TraceLine] = [:]
    /// The first violation seen.
    public private(set) var violation: Violation?
    /// Called with the first violation (the harness stops the simulation there).
    public var onViolation: ((Violation) -> Void)?

    /// A monitor for `n` peers.
    public init(n: Int) {
        self.n = n
        logs = Array(repeating: [], count: n)
        votes = Array(repeating: [:], count: n)
        lastRoleLine = Array(repeating: 0, count: n)
    }

    /// Records a violation (only the first one counts).
    public func fail(_ invariant: String, _ message: String, _ events: [TraceLine]) {
        guard violation == nil else { return }
        let v = Violation(invariant, message, events: events.filter { $0 > 0 })
        violation = v
        onViolation?(v)
    }

    /// The command server `i` applied at `index`, if any (config.go `logs[i][index]`).
    public func applied(server i: Int, index: Int) -> LabCommand? {
        index < logs[i].count ? logs[i][index]?.command : nil
    }

    /// A leader accepted a command at `index` on trace line `line`.
    func started(index: Int, line: TraceLine) { startLines[index] = line }

    /// The last `start` line of `index` (0 when none).
    public func startLine(index: Int) -> TraceLine { startLines[index] ?? 0 }

    /// The `apply` lines of `index`, one per server that applied it, in server order: what
    /// a check of the value committed there cites.
    public func appliedLines(index: Int) -> [TraceLine] {
        (0..<n).map { appliedLine(server: $0, index: index) }.filter { $0 > 0 }
    }

    /// Trace line of the apply of `index` at server `i` (0 when none).
    public func appliedLine(server i: Int, index: Int) -> TraceLine {
        index < logs[i].count ? logs[i][index]?.line ?? 0 : 0
    }

    /// `logs[i][0...index]` for the snapshot applierSnap encodes.
    func appliedPrefix(server i: Int, through index: Int) -> [LabCommand?] {
        var out: [LabCommand?] = []
        out.reserveCapacity(index + 1)
        for j in 0...index { out.append(j < logs[i].count ? logs[i][j]?.command : nil) }
        return out
    }

    /// applier/applierSnap on a CommandValid message, with checkLogs.
    func applied(
        server i: Int, index: Int, term: Int, command: LabCommand, expectedIndex: Int?,
        line: TraceLine
    ) {
        if let e = expectedIndex, index != e {
            fail(
                "apply-out-of-order",
                "server \(i) apply out of order, expected index \(e), got \(index)", [line])
        }
        for j in 0..<n {
            if let old = applied(server: j, index: index), old != command {
                fail(
                    "state-machine-safety",
                    "commit index=\(index) server=\(i) \(command) != server=\(j) \(old)",
                    [appliedLine(server: j, index: index), line])
            }
        }
        if index > 1 && applied(server: i, index: index - 1) == nil {
            fail("apply-out-of-order", "server \(i) apply out of order \(index)", [line])
        }
        if index < commits.count, let c = commits[index], c.entryTerm >= 0, c.entryTerm != term {
            fail(
                "state-machine-safety",
                "server \(i) applied index \(index) of term \(term); "
                    + "committed entry has term \(c.entryTerm)",
                [c.line, line])
        }
        while logs[i].count <= index { logs[i].append(nil) }
        logs[i][index] = Applied(command: command, line: line)
    }

    /// ingestSnap: the service state becomes the snapshot's.
    func ingestSnapshot(
        server i: Int, _ s: LabSnapshot, index: Int, lastApplied: Int, line: TraceLine
    ) {
        if index != -1 && index != s.lastIncludedIndex {
            fail(
                "snapshot-index-mismatch",
                "server \(i) snapshot index \(index) != \(s.lastIncludedIndex)", [line])
        }
        if index != -1 && s.lastIncludedIndex < lastApplied {
            fail(
                "apply-went-backwards",
                "server \(i) installed a snapshot through \(s.lastIncludedIndex) "
                    + "after applying through \(lastApplied)",
                [appliedLine(server: i, index: lastApplied), line])
        }
        logs[i] = s.log.map { c in c.map { Applied(command: $0, line: line) } }
    }
}

extension RaftMonitor {
    /// A role change: checks election safety and leader completeness for a new leader.
    func roleChanged(
        server i: Int, role: RaftRole, term: Int, log: RaftLog<LabCommand>, line: TraceLine
    ) {
        lastRoleLine[i] = line
        guard role == .leader else { return }
        if let other = leaderOfTerm[term], other.server != i {
            fail(
                "election-safety", "term \(term) has two leaders: \(other.server) and \(i)",
                [other.line, line])
            return
        }
        leaderOfTerm[term] = (i, line)
        var index = log.snapshotIndex + 1
        while index < commits.count {
            if let c = commits[index], c.commitTerm < term, c.entryTerm >= 0,
                log.term(at: index) != c.entryTerm
            {
                let has = log.term(at: index).map { "term \($0)" } ?? "nothing"
                fail(
                    "leader-completeness",
                    "leader \(i) of term \(term) has \(has) at index \(index), "
                        + "committed with term \(c.entryTerm) in term \(c.commitTerm)",
                    [c.line, line])
                return
            }
            index += 1
        }
    }

    /// A leader of `term` committed through `index`: record the newly committed indices.
    func leaderCommitted(
        server i: Int, term: Int, through index: Int, log: RaftLog<LabCommand>, line: TraceLine
    ) {
        while commits.count <= index {
            let k = commits.count
            commits.append(
                CommitRecord(entryTerm: log.term(at: k) ?? -1, commitTerm: term, line: line))
        }
    }

    /// A vote (own or granted): a server votes for one candidate per term, across restarts.
    func voted(server i: Int, term: Int, candidate: Int, line: TraceLine) {
        if let v = votes[i][term], v.candidate != candidate {
            fail(
                "vote-twice",
                "server \(i) voted for \(v.candidate) and for \(candidate) in term \(term)",
                [v.line, line])
            return
        }
        votes[i][term] = (candidate, line)
    }

    private func vote(_ v: Int?) -> String { v.map(String.init) ?? "none" }

    /// Before a crash: what the peer acted on must be what it saved.
    func checkDurable(
        server i: Int, raft: Raft<LabCommand, LabSnapshot>, saved: RaftServer.Durable?
    ) {
        let ok =
            saved.map {
                $0.currentTerm == raft.currentTerm && $0.votedFor == raft.votedFor
                    && $0.log == raft.log
            } ?? (raft.currentTerm == 0 && raft.log.lastIndex == 0)
        if !ok {
            let s =
                saved.map {
                    "term \($0.currentTerm) vote \(vote($0.votedFor)) last \($0.log.lastIndex)"
                } ?? "nothing"
            fail(
                "durable-state-lost",
                "server \(i) crashed with term \(raft.currentTerm) vote \(vote(raft.votedFor)) "
                    + "last \(raft.log.lastIndex) but saved \(s)",
                [lastRoleLine[i]])
        }
    }

    /// Log matching (§5.3) between every pair of live peers, after each live peer's own log is
    /// checked to hold its terms in order (`checkTermsOrdered`).
    func checkLogMatching(_ rafts: [Raft<LabCommand, LabSnapshot>?]) {
        for (i, raft) in rafts.enumerated() {
            if let r = raft { checkTermsOrdered(r, server: i) }
        }
        guard violation == nil else { return }
        for a in 0..<rafts.count {
            guard let ra = rafts[a] else { continue }
            for b in (a + 1)..<rafts.count {
                guard let rb = rafts[b] else { continue }
                let lo = max(ra.log.snapshotIndex, rb.log.snapshotIndex) + 1
                var k = min(ra.log.lastIndex, rb.log.lastIndex)
                while k >= lo && ra.log.term(at: k) != rb.log.term(at: k) { k -= 1 }
                var j = lo
                while j <= k {
                    if ra.log.entry(at: j) != rb.log.entry(at: j) {
                        fail(
                            "log-matching",
                            "servers \(a) and \(b) agree on index \(k) term \(ra.log.term(at: k)!) "
                                + "but differ at \(j)",
                            [lastRoleLine[a], lastRoleLine[b]])
                        return
                    }
                    j += 1
                }
            }
        }
    }

    /// Terms never decrease along server `i`'s log (from its snapshot on).
    func checkTermsOrdered(_ raft: Raft<LabCommand, LabSnapshot>, server i: Int) {
        checkTermsOrdered(
            server: i, raft.log, from: raft.log.snapshotIndex + 1, through: raft.log.lastIndex,
            line: lastRoleLine[i])
    }

    /// Terms never decrease over indices `from...through` of server `i`'s log (each against the
    /// one before it, the snapshot's included; indices outside the log are skipped); `line`
    /// is what changed them.
    public func checkTermsOrdered(
        server i: Int, _ log: RaftLog<LabCommand>, from: Int, through: Int, line: TraceLine
    ) {
        let lo = max(from, log.snapshotIndex + 1)
        let hi = min(through, log.lastIndex)
        guard lo <= hi, var previous = log.term(at: lo - 1) else { return }
        for k in lo...hi {
            let t = log.entry(at: k).term
            if t < previous {
                fail(
                    "log-terms-ordered",
                    "server \(i) holds term \(previous) at index \(k - 1) but term \(t) at \(k)",
                    [line])
                return
            }
            previous = t
        }
    }
}
