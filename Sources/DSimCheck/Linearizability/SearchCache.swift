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
///
/// Memory. The arena is a list of fixed-size chunks, so it grows without copying (a doubling
/// array would briefly hold twice its size, which the process's peak memory shows). The table
/// doubles when half full, holding old and new slots for a moment; it does so only if that
/// moment fits `bytesMax`, and otherwise forgets every configuration (`evictAll`) and starts
/// again. Forgetting is always sound — the cache only spares the search repeated work — and it
/// is how the search degrades under a memory limit before giving up. `byteCount` counts what is
/// allocated (every word of a chunk and of the table is written when allocated), and
/// `bytesPeak` includes the growth moments.
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
    // Entry e's words: chunk e / entriesPerChunk, from (e % entriesPerChunk) * wordCount.
    private var chunks: [[UInt64]] = []
    private let entriesPerChunk: Int
    /// Entries stored.
    private(set) var count = 0
    /// Configurations explored, over evictions (what `count` would be had none happened).
    private(set) var insertedCount = 0
    /// Times every entry was forgotten to stay within `bytesMax`.
    private(set) var evictionCount = 0
    /// The most the cache may hold, growth moments included; set by the search before each
    /// slice (its share of the check's memory budget, less the search's other memory).
    var bytesMax = Int.max
    /// Bytes the search holds outside this cache, as of its last limit check; counted in
    /// `bytesPeak` so the peak is the whole search's.
    var externalBytes = 0
    /// The most bytes held at once so far by the search (`externalBytes` included), table
    /// growth included.
    private(set) var bytesPeak = 0

    /// Words per chunk: 64 Ki (512 KiB), rounded down to whole entries.
    private static var chunkWordsMax: Int { 1 << 16 }

    private static var slotsInitial: Int { 1 << 10 }

    /// Bytes held: the table, the entries' words, the bit keys and the live bitset. Chunks
    /// after the first reserve their full size but are resident only as far as written, so
    /// entries are counted as written.
    var byteCount: Int {
        slots.count * MemoryLayout<Slot>.stride + grownCapacity(min(count, entriesPerChunk))
            * wordCount * 8 + max(0, count - entriesPerChunk) * wordCount * 8
            + (bitKeys.count + current.count) * 8
    }

    /// An empty cache for `operationCount` operations.
    init(operationCount: Int) {
        wordCount = max(1, (operationCount + 63) / 64)
        current = Array(repeating: 0, count: wordCount)
        var random = SplitMix64(seed: 0x5EED_CAFE)
        bitKeys = (0..<operationCount).map { _ in random.next() }
        shift = 64 - 10
        slots = Array(repeating: Slot(), count: Self.slotsInitial)
        entriesPerChunk = max(1, Self.chunkWordsMax / wordCount)
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
        if count % entriesPerChunk == 0 {
            // The first chunk grows as an array (small partitions stay small); later ones
            // reserve their full size at once, so they never copy.
            var chunk: [UInt64] = []
            if count > 0 { chunk.reserveCapacity(entriesPerChunk * wordCount) }
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(contentsOf: current)
        count += 1
        insertedCount += 1
        if count & 255 == 0 && byteCount > bytesMax {
            evictAll()  // between the search's limit checks, the entries alone outgrew it
        } else if count * 2 > slots.count {
            let growing = byteCount + externalBytes + 2 * slots.count * MemoryLayout<Slot>.stride
            if growing - externalBytes <= bytesMax {
                bytesPeak = max(bytesPeak, growing)
                grow()
            } else {
                evictAll()
            }
        }
        return true
    }

    /// Records the current size in `bytesPeak` (the search calls it at its limit checks).
    mutating func notePeak() {
        bytesPeak = max(bytesPeak, byteCount + externalBytes)
    }

    /// Forgets every configuration: frees the chunks and shrinks the table back to its first
    /// size. The live bitset and its hash are kept (they describe the search's path).
    mutating func evictAll() {
        notePeak()
        chunks = []
        slots = Array(repeating: Slot(), count: Self.slotsInitial)
        shift = 64 - 10
        count = 0
        evictionCount += 1
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
        let chunk = entry / entriesPerChunk
        let base = (entry % entriesPerChunk) * wordCount
        for word in 0..<wordCount where chunks[chunk][base + word] != current[word] {
            return false
        }
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
