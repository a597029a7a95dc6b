/// The search's remembered step answers: a fixed-size, direct-mapped cache from a
/// (state, operation) key to the next state id (or -1).
///
/// Lossy on purpose. Steps are deterministic, so forgetting an answer only costs a recompute;
/// in exchange the memo's memory is fixed and small enough to stay in the L2 cache. Models with
/// few states (a register) hit almost always; models whose every step makes a new state (kv
/// appends) miss cheaply instead of filling an ever-growing table with answers never reused.
struct TransitionMemo {
    /// log2 of the number of entries (2^14 entries x 16 bytes = 256 KiB).
    private static var sizeLog2: Int { 14 }

    private struct Entry {
        var key = UInt64.max  // never a real key: state ids are below Int32.max
        var value: Int32 = 0
    }

    private var entries = [Entry](repeating: Entry(), count: 1 << sizeLog2)

    /// Bytes held.
    var byteCount: Int { entries.count * MemoryLayout<Entry>.stride }

    /// The key for `operation` applied in state `state`.
    static func key(state: Int32, operation: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: state)) << 32 | UInt64(UInt32(bitPattern: operation))
    }

    /// The remembered answer for `key`, if it is still held.
    func lookup(_ key: UInt64) -> Int32? {
        let entry = entries[Self.index(key)]
        return entry.key == key ? entry.value : nil
    }

    /// Remembers `value` for `key`, replacing whatever shared its entry.
    mutating func store(_ key: UInt64, _ value: Int32) {
        entries[Self.index(key)] = Entry(key: key, value: value)
    }

    private static func index(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - sizeLog2))
    }
}
