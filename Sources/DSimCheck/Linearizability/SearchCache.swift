/// The search's memory of explored configurations: the set of (linearized operations, state)
/// pairs it has already been in (Lowe's memoization). Reaching a configuration twice means the
/// second visit can add nothing, so the search skips it.
///
/// The live bitset of linearized operations is kept here too, with a Zobrist hash (one random
/// 64-bit key per operation, XORed in and out as bits flip) so hashing a configuration costs
/// O(1) instead of O(words). Entries' bitsets live in a flat arena of words; the table is open
/// addressing with linear probing over slots holding the full hash and the state, so a probe
/// reads the arena only on a 64-bit hash and state match. The slot load dominates the search's
/// time on large partitions (one likely cache miss per configuration).
import DSimCore

struct SearchCache {
    /// One table slot: a stored configuration's full hash and state, and where its bitset is.
    /// Kept together so a probe touches one cache line; `hash == 0` marks an empty slot.
    private struct Slot {
        var hash: UInt64 = 0
        var state: Int32 = 0
        var entry: Int32 = 0
    }

    /// Words per bitset: ceil(operations / 64).
    let wordCount: Int
    /// The live bitset: bit i set iff operation i is linearized on the current path.
    private(set) var current: [UInt64]
    private var currentHash: UInt64 = 0
    private let bitKeys: [UInt64]
    private var slots: [Slot]
    private var shift: UInt64  // slot index = hash >> shift; the table has 2^(64 - shift) slots
    private var arena: [UInt64] = []  // entry e's words at e * wordCount ..< (e + 1) * wordCount
    /// Entries stored.
    private(set) var count = 0

    /// Approximate bytes held.
    var byteCount: Int {
        arena.capacity * 8 + slots.count * MemoryLayout<Slot>.stride + bitKeys.count * 8
    }

    /// An empty cache for `operationCount` operations.
    init(operationCount: Int) {
        wordCount = max(1, (operationCount + 63) / 64)
        current = Array(repeating: 0, count: wordCount)
        var random = SplitMix64(seed: 0x5EED_CAFE)
        bitKeys = (0..<operationCount).map { _ in random.next() }
        shift = 64 - 10
        slots = Array(repeating: Slot(), count: 1 << 10)
    }

    /// Sets `operation`'s bit and records (bitset, `state`). Returns true if that pair is new
    /// (the bit stays set); false if it was seen before (the bit is cleared again).
    mutating func insertSettingBit(_ operation: Int, state: Int32) -> Bool {
        flip(operation)
        let hash = configurationHash(state)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash >> shift)
        while slots[index].hash != 0 {
            let slot = slots[index]
            if slot.hash == hash && slot.state == state && matches(Int(slot.entry)) {
                flip(operation)
                return false
            }
            index = (index + 1) & mask
        }
        precondition(count < Int(Int32.max), "cache full: \(count) entries")
        slots[index] = Slot(hash: hash, state: state, entry: Int32(count))
        arena.append(contentsOf: current)
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    /// Clears `operation`'s bit (the search backtracks over it).
    mutating func clearBit(_ operation: Int) {
        precondition(
            current[operation >> 6] & (1 << UInt64(operation & 63)) != 0, "bit \(operation)")
        flip(operation)
    }

    private mutating func flip(_ operation: Int) {
        current[operation >> 6] ^= 1 << UInt64(operation & 63)
        currentHash ^= bitKeys[operation]
    }

    /// The hash of (live bitset, state); never 0, which marks an empty slot.
    private func configurationHash(_ state: Int32) -> UInt64 {
        var hash = currentHash ^ (UInt64(UInt32(bitPattern: state)) &* 0x9E37_79B9_7F4A_7C15)
        hash ^= hash >> 29
        return hash | 1
    }

    /// True if entry `entry`'s bitset equals the live one.
    private func matches(_ entry: Int) -> Bool {
        let base = entry * wordCount
        for word in 0..<wordCount where arena[base + word] != current[word] { return false }
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: old.count * 2)
        shift -= 1
        let mask = slots.count - 1
        for slot in old where slot.hash != 0 {
            var index = Int(truncatingIfNeeded: slot.hash >> shift)
            while slots[index].hash != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
