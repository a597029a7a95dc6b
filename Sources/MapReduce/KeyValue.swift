// Keys, values, partitioning and the intermediate file format of the MapReduce lab.
//
// Intermediate files `mr-X-Y` hold one pair per line, `key<TAB>value`; the applications never
// produce tabs or newlines (words are letters, values are numbers, names or lists), which
// `encode` checks. Output lines use Go's `"%v %v"`: key, one space, value.

/// One key/value pair emitted by Map (Go's `mr.KeyValue`).
public struct KeyValue: Equatable, Sendable {
    /// The key.
    public var key: String
    /// The value.
    public var value: String

    /// A pair.
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    /// The intermediate-file line (without newline).
    public var encoded: String {
        precondition(
            !key.contains("\t") && !key.contains("\n") && !value.contains("\t")
                && !value.contains("\n"), "pair (\(key), \(value)) has a tab or newline")
        return key + "\t" + value
    }

    /// Parses an intermediate-file line; nil if it has no tab.
    public init?(line: Substring) {
        guard let tab = line.firstIndex(of: "\t") else { return nil }
        key = String(line[..<tab])
        value = String(line[line.index(after: tab)...])
    }
}

/// The lab's `ihash`: FNV-1a 32 of the key's bytes, masked to 31 bits.
public func ihash(_ key: String) -> Int {
    var h: UInt32 = 2_166_136_261
    for b in key.utf8 {
        h ^= UInt32(b)
        h = h &* 16_777_619
    }
    return Int(h & 0x7fff_ffff)
}

/// Groups pairs sorted by key and applies `reduce` to each key's values, in key order; returns
/// the output lines (`"%v %v"`). Used by the workers and the sequential reference.
func reduceSorted(_ pairs: [KeyValue], _ reduce: (String, [String]) throws -> String) rethrows
    -> [String]
{
    let sorted = pairs.sorted { $0.key < $1.key }
    var lines: [String] = []
    var i = 0
    while i < sorted.count {
        var j = i
        var values: [String] = []
        while j < sorted.count && sorted[j].key == sorted[i].key {
            values.append(sorted[j].value)
            j += 1
        }
        lines.append(sorted[i].key + " " + (try reduce(sorted[i].key, values)))
        i = j
    }
    return lines
}
