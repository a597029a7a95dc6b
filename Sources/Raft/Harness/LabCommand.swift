// The payloads of the 6.5840 Raft harness: commands are integers (or, in TestRPCBytes3B, random
// 5000-byte strings, modelled as a value plus a size) and the service snapshot is the applied
// log itself, as `applierSnap` encodes `(index, log[0...index])`.

/// A test command: an integer value with an encoded size.
public struct LabCommand: RaftPayload, CustomStringConvertible {
    /// The value the tests compare.
    public var value: Int
    /// Encoded size in bytes (9 for an int in a gob interface, more for the big strings).
    public var sizeBytes: Int

    /// A command of `value` weighing `sizeBytes`.
    public init(_ value: Int, sizeBytes: Int = 9) {
        self.value = value
        self.sizeBytes = sizeBytes
    }

    /// The value.
    public var description: String { String(value) }
}

/// The harness's snapshot: the last included index and the applied log through it.
public struct LabSnapshot: RaftPayload {
    /// The index the snapshot covers through (`applierSnap` encodes it first).
    public var lastIncludedIndex: Int
    /// Applied commands at indices 0...lastIncludedIndex (index 0 is always nil).
    public var log: [LabCommand?]

    /// A snapshot through `lastIncludedIndex` holding `log`.
    public init(lastIncludedIndex: Int, log: [LabCommand?]) {
        self.lastIncludedIndex = lastIncludedIndex
        self.log = log
    }

    /// Approximate gob size: the index and one small interface value per entry.
    public var sizeBytes: Int {
        var bytes = 12
        for c in log { bytes += (c?.sizeBytes ?? 1) + 1 }
        return bytes
    }
}
