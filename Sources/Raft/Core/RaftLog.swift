// The Raft log with an offset for the snapshot (Raft §7): entries `snapshotIndex+1 ... lastIndex`
// are kept in an array; everything at or below `snapshotIndex` was compacted into the snapshot
// and only its last index and term survive. Indices are the paper's, starting at 1; index 0
// with term 0 is the empty snapshot of a fresh node.

/// A Raft log whose prefix may have been compacted into a snapshot.
public struct RaftLog<Command: RaftPayload>: Hashable, Sendable {
    /// Index of the last entry covered by the snapshot (0 when there is none).
    public private(set) var snapshotIndex = 0
    /// Term of the entry at `snapshotIndex` (0 when there is none).
    public private(set) var snapshotTerm = 0
    /// Entries `snapshotIndex+1 ... lastIndex`. Invariant: terms never decrease along the log.
    public private(set) var entries: [LogEntry<Command>] = []
    /// Sum of `sizeBytes` of `entries`, kept up to date so persisting is O(1) to size.
    public private(set) var entryBytes = 0

    /// An empty log.
    public init() {}

    /// Index of the last entry (the snapshot's when the array is empty).
    @inlinable public var lastIndex: Int { snapshotIndex + entries.count }
    /// Term of the last entry.
    @inlinable public var lastTerm: Int { entries.last?.term ?? snapshotTerm }

    /// The term at `index`, or nil when `index` is compacted (below the snapshot) or past the end.
    @inlinable
    public func term(at index: Int) -> Int? {
        if index == snapshotIndex { return snapshotTerm }
        if index < snapshotIndex || index > lastIndex { return nil }
        return entries[index - snapshotIndex - 1].term
    }

    /// The entry at `index`; `index` must be in `snapshotIndex+1 ... lastIndex`.
    @inlinable
    public func entry(at index: Int) -> LogEntry<Command> {
        precondition(
            index > snapshotIndex && index <= lastIndex,
            "entry(at: \(index)) outside \(snapshotIndex + 1)...\(lastIndex)")
        return entries[index - snapshotIndex - 1]
    }

    /// Appends one entry. (Terms should not decrease; that is not checked here because a
    /// planted bug may break it and a broken system must be reported, not trapped.)
    public mutating func append(_ entry: LogEntry<Command>) {
        entries.append(entry)
        entryBytes += entry.sizeBytes
    }

    /// Removes every entry after `index` (Figure 2, AppendEntries step 3).
    public mutating func truncate(after index: Int) {
        precondition(index >= snapshotIndex, "truncate after \(index) < snapshot \(snapshotIndex)")
        let keep = index - snapshotIndex
        guard keep < entries.count else { return }
        for e in entries[keep...] { entryBytes -= e.sizeBytes }
        entries.removeSubrange(keep...)
    }

    /// Replaces the entry at `index` in place, keeping what follows (only the planted bug
    /// `no-truncate-conflicts` does this).
    mutating func overwrite(at index: Int, with entry: LogEntry<Command>) {
        let k = index - snapshotIndex - 1
        entryBytes += entry.sizeBytes - entries[k].sizeBytes
        entries[k] = entry
    }

    /// Compacts everything up to `index` (whose term is `term`) into the snapshot. Entries after
    /// `index` survive when the log holds `index` with that term; otherwise the log is emptied
    /// (Figure 13, InstallSnapshot steps 6–7).
    public mutating func compact(through index: Int, term: Int) {
        precondition(index >= snapshotIndex, "compact through \(index) < \(snapshotIndex)")
        if index <= lastIndex, self.term(at: index) == term {
            let drop = index - snapshotIndex
            for e in entries[..<drop] { entryBytes -= e.sizeBytes }
            entries.removeSubrange(..<drop)
        } else {
            entries.removeAll()
            entryBytes = 0
        }
        snapshotIndex = index
        snapshotTerm = term
    }

    /// Entries `from ... min(lastIndex, from+limit-1)` as a new array (messages own their copy so
    /// the log is not shared with messages in flight).
    @inlinable
    public func entries(from index: Int, limit: Int) -> [LogEntry<Command>] {
        precondition(index > snapshotIndex, "entries(from: \(index)) <= snapshot \(snapshotIndex)")
        guard index <= lastIndex else { return [] }
        let lo = index - snapshotIndex - 1
        let hi = min(entries.count, lo + limit)
        return Array(entries[lo..<hi])
    }

    /// The first index holding `term` at or after the snapshot, scanning back from `index`.
    func firstIndex(ofTermAt index: Int) -> Int {
        let t = term(at: index)
        var i = index
        while i - 1 > snapshotIndex, term(at: i - 1) == t { i -= 1 }
        return i
    }

    /// The last index holding `term`, or nil when the log has no entry of that term.
    func lastIndex(ofTerm t: Int) -> Int? {
        var i = lastIndex
        while i > snapshotIndex {
            let ti = entries[i - snapshotIndex - 1].term
            if ti == t { return i }
            if ti < t { return nil }
            i -= 1
        }
        return nil
    }
}
