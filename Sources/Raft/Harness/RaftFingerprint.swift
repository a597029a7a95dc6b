// The Raft harness's world as the explorer fingerprints it (see DSimCore's `ExplorePath`).
// Left out, and why: trace line numbers (they only name the lines a violation cites), the
// scratch batch (`ready`, cleared at every handler's start) and `isBooting` (false between
// kernel steps). Everything else a peer, the monitor or the harness holds is in, because a
// future step reads it.
import DSimCore

extension RaftServer: Fingerprintable {
    /// The Raft value (every field, through its synthesized `Hashable`), the applier position,
    /// the snapshot knobs and the election timeout drawn for the current term and role (a
    /// re-armed timer reuses it, so it decides when the next election starts).
    public func fingerprint(into h: inout Hasher) {
        h.combine(raft)
        h.combine(lastApplied)
        h.combine(snapshots)
        h.combine(snapshotEvery)
        h.combine(electionTimeoutState)
    }
}

extension RaftMonitor: Fingerprintable {
    /// What later checks compare against: what each server applied, the committed entries'
    /// terms, the leader of each term and each server's vote per term (in key order), and
    /// whether a violation was seen.
    public func fingerprint(into h: inout Hasher) {
        for log in logs {
            h.combine(log.count)
            for a in log { h.combine(a?.command) }
        }
        h.combine(commits.count)
        for c in commits {
            h.combine(c?.entryTerm)
            h.combine(c?.commitTerm)
        }
        for term in leaderOfTerm.keys.sorted() {
            h.combine(term)
            h.combine(leaderOfTerm[term]!.server)
        }
        for v in votes {
            h.combine(v.count)
            for term in v.keys.sorted() {
                h.combine(term)
                h.combine(v[term]!.candidate)
            }
        }
        h.combine(violation != nil)
    }
}

extension RaftHarness: Fingerprintable {
    /// The kernel's world, the monitor, config.go's `connected` and the helpers still running
    /// (a scenario with helpers is fingerprinted by their count only: explored scenarios run
    /// none).
    public func fingerprint(into h: inout Hasher) {
        sim.fingerprint(into: &h)
        monitor.fingerprint(into: &h)
        h.combine(connected)
        h.combine(tasks.count)
    }
}

extension RaftServer {
    /// Fields the fingerprint leaves out on purpose (see the file header).
    static let notFingerprinted: Set<String> = ["monitor", "ready", "roleLine", "isBooting"]

    /// Tests only: every stored field but those left out on purpose, as text. Two states with
    /// equal fingerprints must have equal texts; a field added later and forgotten in
    /// `fingerprint(into:)` shows up here.
    public var testOnly_state: String {
        Mirror(reflecting: self).children
            .filter { !RaftServer.notFingerprinted.contains($0.label ?? "") }
            .map { "\($0.label ?? "?")=\(String(reflecting: $0.value))" }
            .joined(separator: " ")
    }
}

extension RaftHost: Fingerprintable where Binding.Machine: Fingerprintable {
    /// Every field a later step reads: the Raft value (synthesized `Hashable`: every field),
    /// the service's state machine, the applied position, the waiting Starts, whether durable
    /// state is unsaved, and the election timer's bookkeeping (when it is due, for which
    /// deadline it is armed, the timeout drawn for this term and role). Left out: the scratch
    /// batch and `isBooting` (false between kernel steps).
    public func fingerprint(into h: inout Hasher) {
        h.combine(raft)
        machine.fingerprint(into: &h)
        h.combine(lastApplied)
        h.combine(pending)
        h.combine(isDurableDirty)
        h.combine(electionDeadline)
        h.combine(electionArmedFor)
        h.combine(electionTimeout)
        h.combine(maxRaftState)
    }
}

/// Tests only: a value's stored fields as text, recursively, leaving out fields named in
/// `excluded` at any depth (scratch buffers, shared references, trace line numbers). Two states
/// with equal fingerprints must give equal texts.
public func testOnly_stateText(_ value: Any, excluding excluded: Set<String>) -> String {
    let m = Mirror(reflecting: value)
    if m.displayStyle == .dictionary || m.displayStyle == .set {
        // Equal dictionaries can iterate in different orders: sorted, so equal means equal.
        return "["
            + m.children.map { String(reflecting: $0.value) }.sorted()
            .joined(separator: ", ") + "]"
    }
    guard !m.children.isEmpty, m.displayStyle == .struct || m.displayStyle == .optional
    else { return String(reflecting: value) }
    let parts = m.children.filter { !excluded.contains($0.label ?? "") }.map {
        "\($0.label ?? "?")=\(testOnly_stateText($0.value, excluding: excluded))"
    }
    return "(" + parts.joined(separator: " ") + ")"
}
