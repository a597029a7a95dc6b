/// A key/value store with get, put and append (the 6.5840 lab's service), partitioned by key.
///
/// A missing key reads as the empty string. `append` returns nothing here: the value it appends
/// is added to the end of the key's current string.
public struct KVModel: LinearizabilityModel {
    /// One key/value request.
    public typealias Input = KVInput
    /// One key/value reply.
    public typealias Output = KVOutput
    /// The value of the partition's single key.
    public typealias State = KVValue

    /// `kv`.
    public static let names = ["kv"]

    /// The key/value model.
    public init() {}

    /// Every key starts as the empty string.
    public var initialState: KVValue { KVValue("") }

    /// Keys are independent objects.
    public func partitionKey(for input: KVInput) -> String? { input.key }

    /// get must read the current value; put replaces it; append extends it.
    public func step(_ state: KVValue, input: KVInput, output: KVOutput?) -> KVValue? {
        switch input {
        case .get:
            switch output {
            case nil: return state
            case .value(let value)?: return value == state.text ? state : nil
            case .ok?: return nil  // a get that reports no value is a recording error
            }
        case .put(_, let value): return KVValue(value)
        case .append(_, let value): return state.appending(value)
        }
    }

    /// A string of more than 15 UTF-8 bytes lives in a heap buffer: a 32-byte header, the
    /// bytes and a terminating zero, in a malloc chunk (8 bytes of overhead, 16-byte multiples).
    public func heapByteCount(of state: KVValue) -> Int {
        let count = state.text.utf8.count
        return count <= 15 ? 0 : (count + 33 + 8 + 15) / 16 * 16
    }

    /// get never changes the value.
    public func isReadOnly(_ input: KVInput) -> Bool {
        if case .get = input { return true }
        return false
    }

    /// `get("k") -> "v"`, `put("k", "v")`, `append("k", "v")`; `?` marks an unknown output.
    public func describe(input: KVInput, output: KVOutput?) -> String {
        switch input {
        case .get(let key):
            let result: String
            switch output {
            case nil: result = "?"
            case .value(let value)?: result = quoted(value)
            case .ok?: result = "(no value)"
            }
            return "get(\(quoted(key))) -> \(result)"
        case .put(let key, let value):
            return "put(\(quoted(key)), \(quoted(value)))" + (output == nil ? " -> ?" : "")
        case .append(let key, let value):
            return "append(\(quoted(key)), \(quoted(value)))" + (output == nil ? " -> ?" : "")
        }
    }

    /// The value, quoted.
    public func describe(state: KVValue) -> String { quoted(state.text) }

    /// `{"op":"get"|"put"|"append","key":K,"value":V}` (no value for get).
    public static func decodeInput(_ fields: JSONFields) throws -> KVInput {
        let op = try fields.string("op")
        let key = try fields.string("key")
        switch op {
        case "get": return .get(key: key)
        case "put": return .put(key: key, value: try fields.string("value"))
        case "append": return .append(key: key, value: try fields.string("value"))
        default: throw fields.invalid("op", "unknown kv operation \"\(op)\" (get, put, append)")
        }
    }

    /// `{"value":V}` for get; anything (usually `{}`) for put and append.
    public static func decodeOutput(_ fields: JSONFields, for input: KVInput) throws -> KVOutput {
        guard case .get = input else { return .ok }
        return .value(try fields.string("value"))
    }

    /// The input object of a history line.
    public static func encode(input: KVInput) -> JSONObject {
        switch input {
        case .get(let key): return JSONObject(["op": .string("get"), "key": .string(key)])
        case .put(let key, let value):
            return JSONObject(["op": .string("put"), "key": .string(key), "value": .string(value)])
        case .append(let key, let value):
            return JSONObject([
                "op": .string("append"), "key": .string(key), "value": .string(value),
            ])
        }
    }

    /// The output object of a history line.
    public static func encode(output: KVOutput) -> JSONObject {
        switch output {
        case .value(let value): return JSONObject(["value": .string(value)])
        case .ok: return JSONObject()
        }
    }
}

/// A key/value request.
public enum KVInput: Hashable, Sendable {
    /// Read a key.
    case get(key: String)
    /// Replace a key's value.
    case put(key: String, value: String)
    /// Append to a key's value.
    case append(key: String, value: String)

    /// The key the request acts on.
    public var key: String {
        switch self {
        case .get(let key), .put(let key, _), .append(let key, _): return key
        }
    }
}

/// A key/value reply (record nil in the history when the reply is unknown).
public enum KVOutput: Hashable, Sendable {
    /// What a get returned.
    case value(String)
    /// A put or append was acknowledged.
    case ok
}

/// A key's value as the kv model's state: the string and a fingerprint of it.
///
/// The checker interns every new state, so hashing must be cheap even when appends have made
/// the value long. The fingerprint is a polynomial hash of the UTF-8 bytes, extended in
/// O(appended bytes) by `appending`; equality still compares the text.
public struct KVValue: Hashable, Sendable, CustomStringConvertible {
    /// The value.
    public let text: String
    private let fingerprint: UInt64

    /// The state holding `text`.
    public init(_ text: String) { self.init(text, fingerprint: Self.extend(0, with: text)) }

    private init(_ text: String, fingerprint: UInt64) {
        self.text = text
        self.fingerprint = fingerprint
    }

    /// The state after appending `suffix`.
    public func appending(_ suffix: String) -> KVValue {
        KVValue(text + suffix, fingerprint: Self.extend(fingerprint, with: suffix))
    }

    private static func extend(_ fingerprint: UInt64, with text: String) -> UInt64 {
        var result = fingerprint
        for byte in text.utf8 { result = result &* 0x100_0000_01B3 &+ UInt64(byte) &+ 1 }
        return result
    }

    /// Equal texts (the fingerprint only speeds up the common unequal case).
    public static func == (left: KVValue, right: KVValue) -> Bool {
        left.fingerprint == right.fingerprint && left.text == right.text
    }

    /// Hashes the fingerprint only: O(1) however long the text.
    public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }

    /// The text, quoted.
    public var description: String { quoted(text) }
}
