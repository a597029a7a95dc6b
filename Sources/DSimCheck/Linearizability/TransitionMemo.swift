/// The search's remembered step answers: a fixed-size, direct-mapped cache from a
/// (state, operation) key to the next state id (or -1).
///
/// Lossy on purpose. Steps are deterministic, so forgetting an answer only costs a recompute;
/// in exchange the memo's memory is fixed and small enough to stay in the L2 cache. Models with
/// few states (a register) hit almost always; models whose every step makes a new state (kv
/// appends) miss cheaply instead of filling an ever-growing table with answers never reused.
struct TransitionMemo {
    /// log2 of the number of entries: 16 per operation, between 2^8 (4 KiB) and 2^14
    /// (256 KiB), so a thousand small keys checked at once do not hold 256 KiB each.
    private let sizeLog2: Int

    private struct Entry {
        var key = UInt64.max  // never a real key: state ids are below Int32.max
        var value: Int32 = 0
    }

    private var entries: [Entry]

    /// An empty memo sized for a partition of `operationCount` operations.
    init(operationCount: Int) {
        var log2 = 8
        while log2 < 14 && (1 << log2) < 16 * operationCount { log2 += 1 }
        sizeLog2 = log2
        entries = [Entry](repeating: Entry(), count: 1 << log2)
    }

    /// Bytes held.
    var byteCount: Int { entries.count * MemoryLayout<Entry>.stride }

    /// The key for `operation` applied in state `state`.
    static func key(state: Int32, operation: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: state)) << 32 | UInt64(UInt32(bitPattern: operation))
    }

    /// The remembered answer for `key`, if it is still held.
    func lookup(_ key: UInt64) -> Int32? {
        let entry = entries[index(key)]
        return entry.key == key ? entry.value : nil
    }

    /// Remembers `value` for `key`, replacing whatever shared its entry.
    mutating func store(_ key: UInt64, _ value: Int32) {
        entries[index(key)] = Entry(key: key, value: value)
    }

    private func index(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - sizeLog2))
    }
}
