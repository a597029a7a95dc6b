// Append-aware checking: one kv partition decided from what its reads reveal, without search.
//
// The shape. A key that only ever gets appends with unique values (the labs' clerks append
// strings like "x 3 7 y" that no other append repeats) and reads. Its value only grows, so every
// state of any linearization is a string prefix of every later one, and every read with a known
// value spells out which appends took effect before it, in order (Elle's insight for Jepsen's
// list-append histories; Porcupine does not use it).
//
// The decision. Let V be the longest value read. Every read value must be a prefix of V, and V
// must split into append values in exactly one way (`parse`); that split is the order
// a1 … ak of the appends every linearization applies first, and each read's length says which
// ak it follows (its slot). The appends V does not contain come after every read. So each
// operation has a level: a_i is level 2i-1, a read after a_j is level 2j, the appends outside V
// are level 2k+1, and every linearization lists operations by level, ordered freely within one
// (reads at one slot commute; the appends after every read are never observed). Real time then
// decides: a linearization exists iff no operation that returned before another was called has
// the higher level. Sorting by (level, return time) is then one, and we replay it through the
// model before saying linearizable, so a slip here can cost speed, never soundness.
//
// Reads with unknown output are left out: one fits anywhere in any linearization of the rest
// (an operation that must come after it was called after it returned, so after anything that
// must come before it). Pending appends are ordinary appends that return at +infinity.
//
// Puts that all write one value and all return before anything else is called (a clerk
// clearing the key first) just set the value everything starts from (`initialValue`). If
// something is called at the very instant a put returns, the put may also come after it, so
// then only a linearizable verdict (replayed) is given, and "illegal" is left to the search.
//
// When it does not apply — another put (it overwrites, so states stop being prefixes), an empty or
// repeated append value, a longest read that splits more than one way, a get recorded without a
// value — `decide` returns nil and the general search runs. Every verdict equals the general
// search's (AppendAnalysisTests compares them on thousands of random histories). For an illegal
// partition the explanation's prefix is built greedily, guided by the levels, until no candidate
// fits (what `Explanation` requires); it is a linearizable prefix, not always the longest.

/// Decides a kv partition of appends and reads with unique append values directly.
enum AppendAnalysis {
    /// A direct verdict on one partition (local operation indices).
    enum Outcome: Equatable {
        /// Some linearization exists (and was replayed through the model).
        case linearizable
        /// None exists; a linearizable prefix after which no candidate fits.
        case illegal(prefix: [Int32])
    }

    typealias Operation = HistoryOperation<KVInput, KVOutput>

    /// The partition's verdict, or nil when the analysis does not apply (the caller searches).
    static func decide(_ operations: [Operation]) -> Outcome? {
        guard let (base, isStrict) = initialValue(operations) else { return nil }
        let outcome = decide(operations, base: base)
        // Puts that only tie with what follows may also come after it: a linearization that
        // puts them first was replayed and stands, but "illegal" is not proven.
        if case .illegal? = outcome, !isStrict { return nil }
        return outcome
    }

    /// The verdict when every linearization starts from `base` (see `initialValue`).
    private static func decide(_ operations: [Operation], base: [UInt8]) -> Outcome? {
        guard let appends = appendIndex(operations) else { return nil }
        var readValues: [(operation: Int, bytes: [UInt8])] = []
        var isEveryReadAfterBase = true
        for (index, operation) in operations.enumerated() {
            guard case .get = operation.input else { continue }
            switch operation.output {
            case nil: continue  // fits anywhere: see the header
            case .ok?: return nil  // a get without a value: leave it to the general search
            case .value(let text)?:
                let bytes = Array(text.utf8)
                guard bytes.starts(with: base) else {
                    isEveryReadAfterBase = false
                    continue
                }
                readValues.append((index, Array(bytes[base.count...])))
            }
        }
        if !isEveryReadAfterBase { return illegal(operations, order: guide(readValues, appends)) }
        let longest = readValues.max { $0.bytes.count < $1.bytes.count }?.bytes ?? []
        var levels = [Int](repeating: 0, count: operations.count)
        var isIncluded = [Bool](repeating: true, count: operations.count)
        for (index, operation) in operations.enumerated() {
            if case .get = operation.input, operation.output == nil { isIncluded[index] = false }
        }
        switch parse(longest, appends: appends) {
        case .ambiguous: return nil
        case .impossible: return illegal(operations, order: guide(readValues, appends))
        case .unique(let order):
            guard assignLevels(&levels, order, readValues, operations) else {
                return illegal(operations, order: guide(readValues, appends))
            }
            guard isRealTimeConsistent(operations, levels: levels, isIncluded: isIncluded) else {
                return illegal(operations, order: order)
            }
            let witness = operations.indices.filter { isIncluded[$0] }.sorted {
                (levels[$0], operations[$0].returnTime ?? .max, $0)
                    < (levels[$1], operations[$1].returnTime ?? .max, $1)
            }
            return replays(operations, witness) ? .linearizable : nil
        }
    }

    /// The appends, in order, of the longest read that splits one way into distinct appends:
    /// the order the explanation's greedy prefix follows when the longest read is the culprit.
    private static func guide(
        _ reads: [(operation: Int, bytes: [UInt8])], _ appends: [[UInt8]: Int]
    ) -> [Int] {
        let lengths = Set(reads.map(\.bytes.count)).sorted(by: >)
        for length in lengths.prefix(8) {  // a few tries: this only shapes the explanation
            guard let read = reads.first(where: { $0.bytes.count == length }),
                case .unique(let order) = parse(read.bytes, appends: appends),
                Set(order).count == order.count
            else { continue }
            return order
        }
        return []
    }

    /// The value every linearization starts from: "" without puts; with puts, their value if
    /// they all write the same one and all returned before anything else was called (the
    /// labs' clerk clears a key before its clients append to it), so they come first in every
    /// linearization. `isStrict` is false when some other operation was called exactly when a
    /// put returned: then putting the puts first is one linearization's choice, not every
    /// one's. Nil otherwise: a put that overwrites appends needs the general search.
    static func initialValue(_ operations: [Operation]) -> (value: [UInt8], isStrict: Bool)? {
        var value: String?
        var putReturnMax = Int.min
        var otherCallMin = Int.max
        for operation in operations {
            guard case .put(_, let written) = operation.input else {
                otherCallMin = min(otherCallMin, operation.callTime)
                continue
            }
            guard let returnTime = operation.returnTime, value == nil || value == written else {
                return nil
            }
            value = written
            putReturnMax = max(putReturnMax, returnTime)
        }
        guard let value else { return ([], true) }
        guard putReturnMax <= otherCallMin else { return nil }
        return (Array(value.utf8), putReturnMax < otherCallMin)
    }

    /// Append value bytes -> operation, or nil if a value is empty or repeated (then the
    /// analysis does not apply).
    private static func appendIndex(_ operations: [Operation]) -> [[UInt8]: Int]? {
        var appends: [[UInt8]: Int] = [:]
        for (index, operation) in operations.enumerated() {
            switch operation.input {
            case .get, .put: continue
            case .append(_, let value):
                let bytes = Array(value.utf8)
                guard !bytes.isEmpty, appends.updateValue(index, forKey: bytes) == nil else {
                    return nil
                }
            }
        }
        return appends
    }

    /// How the longest read value splits into append values.
    enum Split: Equatable {
        /// No way: no state can hold it.
        case impossible
        /// More than one way (ignoring that an append applies once): the analysis gives up.
        case ambiguous
        /// Exactly one way: these appends, in order (possibly one twice, which is impossible).
        case unique([Int])
    }

    /// Splits `value` into append values, counting the ways (up to 2) by dynamic programming
    /// over its byte positions.
    static func parse(_ value: [UInt8], appends: [[UInt8]: Int]) -> Split {
        let lengths = Set(appends.keys.map(\.count)).sorted()
        var ways = [Int](repeating: 0, count: value.count + 1)
        var lastAppend = [Int](repeating: -1, count: value.count + 1)
        var lastLength = [Int](repeating: 0, count: value.count + 1)
        ways[0] = 1
        for start in 0..<value.count where ways[start] > 0 {
            for length in lengths where start + length <= value.count {
                guard let append = appends[Array(value[start..<start + length])] else { continue }
                ways[start + length] = min(2, ways[start + length] + ways[start])
                lastAppend[start + length] = append
                lastLength[start + length] = length
            }
        }
        if ways[value.count] == 0 { return .impossible }
        if ways[value.count] > 1 { return .ambiguous }
        // One way: every position on it was reached once, so its last append is the one.
        var order: [Int] = []
        var end = value.count
        while end > 0 {
            order.append(lastAppend[end])
            end -= lastLength[end]
        }
        return .unique(order.reversed())
    }

    /// Fills in every operation's level (see the header); false if some read cannot be placed
    /// (an append twice in the split, or a read that is not a prefix ending between appends).
    private static func assignLevels(
        _ levels: inout [Int], _ order: [Int], _ reads: [(operation: Int, bytes: [UInt8])],
        _ operations: [Operation]
    ) -> Bool {
        let outside = 2 * order.count + 1
        for (index, operation) in operations.enumerated() {
            switch operation.input {
            case .append: levels[index] = outside
            case .put: levels[index] = -1  // before everything: see `initialValue`
            case .get: continue
            }
        }
        var slotAtLength: [Int: Int] = [0: 0]
        var length = 0
        for (position, append) in order.enumerated() {
            guard levels[append] == outside else { return false }  // applied twice
            levels[append] = 2 * position + 1
            if case .append(_, let value) = operations[append].input { length += value.utf8.count }
            slotAtLength[length] = position + 1
        }
        let longest = reads.max { $0.bytes.count < $1.bytes.count }?.bytes ?? []
        for read in reads {
            guard let slot = slotAtLength[read.bytes.count], longest.starts(with: read.bytes)
            else { return false }
            levels[read.operation] = 2 * slot
        }
        return true
    }

    /// True if no included operation returned before another included one with a lower level
    /// was called (closed intervals: returning at the call time does not order them).
    static func isRealTimeConsistent(_ operations: [Operation], levels: [Int], isIncluded: [Bool])
        -> Bool
    {
        let returned = operations.indices.filter {
            isIncluded[$0] && operations[$0].returnTime != nil
        }.sorted { (operations[$0].returnTime ?? 0, $0) < (operations[$1].returnTime ?? 0, $1) }
        let returnTimes = returned.map { operations[$0].returnTime ?? 0 }
        var levelMax: [Int] = []  // levelMax[i]: highest level among returned[0...i]
        levelMax.reserveCapacity(returned.count)
        for index in returned { levelMax.append(max(levelMax.last ?? 0, levels[index])) }
        for index in operations.indices where isIncluded[index] {
            let before = countBelow(returnTimes, operations[index].callTime)
            if before > 0 && levelMax[before - 1] > levels[index] { return false }
        }
        return true
    }

    /// How many of the sorted `values` are below `bound`.
    private static func countBelow(_ values: [Int], _ bound: Int) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < bound { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// True if `order` respects real time and the kv model accepts it.
    private static func replays(_ operations: [Operation], _ order: [Int]) -> Bool {
        let model = KVModel()
        var state = model.initialState
        var callMax = Int.min
        for index in order {
            let operation = operations[index]
            if let returnTime = operation.returnTime, returnTime < callMax { return false }
            callMax = max(callMax, operation.callTime)
            guard let after = model.step(state, input: operation.input, output: operation.output)
            else { return false }
            state = after
        }
        return true
    }
}
