/// A single read/write register with compare-and-swap (Jepsen's etcd register), one partition.
///
/// The register starts as `null`. Unknown outputs (`{"unknown":true}`, e.g. a client timeout)
/// are accepted wherever the input is possible: an unknown write still writes, an unknown cas
/// still swaps if `from` matches.
public struct RegisterModel: LinearizabilityModel {
    /// One register request.
    public typealias Input = RegisterInput
    /// One register reply.
    public typealias Output = RegisterOutput
    /// The register's value.
    public typealias State = RegisterValue

    /// `register`, and `etcd-register` as an alias (Porcupine's etcd histories).
    public static let names = ["register", "etcd-register"]

    /// The register model.
    public init() {}

    /// The register starts as `null`.
    public var initialState: RegisterValue { .null }

    /// One register: no partitions.
    public func partitionKey(for input: RegisterInput) -> String? { nil }

    /// read must see the current value; write replaces it; cas swaps when `from` matches and
    /// must report whether it did.
    public func step(_ state: RegisterValue, input: RegisterInput, output: RegisterOutput?)
        -> RegisterValue?
    {
        switch (input, output) {
        case (.read, nil): return state
        case (.read, .value(let value)?): return value == state ? state : nil
        case (.write(let value), _): return value
        case (.cas(let from, let to), nil): return state == from ? to : state
        case (.cas(let from, let to), .swapped(let isSwapped)?):
            guard isSwapped == (state == from) else { return nil }
            return isSwapped ? to : state
        case (.read, _), (.cas, _): return nil  // output of another operation's kind
        }
    }

    /// read never changes the value.
    public func isReadOnly(_ input: RegisterInput) -> Bool { input == .read }

    /// `read() -> 3`, `write(4)`, `cas(1, 2) -> true`; `?` marks an unknown output.
    public func describe(input: RegisterInput, output: RegisterOutput?) -> String {
        let call: String
        switch input {
        case .read: call = "read()"
        case .write(let value): call = "write(\(value))"
        case .cas(let from, let to): call = "cas(\(from), \(to))"
        }
        switch output {
        case nil: return call + " -> ?"
        case .value(let value)?: return "\(call) -> \(value)"
        case .ok?: return call
        case .swapped(let isSwapped)?: return "\(call) -> \(isSwapped)"
        }
    }

    /// The value.
    public func describe(state: RegisterValue) -> String { state.description }

    /// `{"op":"read"}`, `{"op":"write","value":V}`, `{"op":"cas","from":V,"to":V}`.
    public static func decodeInput(_ fields: JSONFields) throws -> RegisterInput {
        let op = try fields.string("op")
        switch op {
        case "read": return .read
        case "write": return .write(try RegisterValue(fields, "value"))
        case "cas":
            return .cas(
                from: try RegisterValue(fields, "from"), to: try RegisterValue(fields, "to"))
        default:
            throw fields.invalid("op", "unknown register operation \"\(op)\" (read, write, cas)")
        }
    }

    /// `{"value":V}` for read, `{}` for write, `{"ok":B}` for cas.
    public static func decodeOutput(_ fields: JSONFields, for input: RegisterInput) throws
        -> RegisterOutput
    {
        switch input {
        case .read: return .value(try RegisterValue(fields, "value"))
        case .write: return .ok
        case .cas: return .swapped(try fields.bool("ok"))
        }
    }

    /// The input object of a history line.
    public static func encode(input: RegisterInput) -> JSONObject {
        switch input {
        case .read: return JSONObject(["op": .string("read")])
        case .write(let value): return JSONObject(["op": .string("write"), "value": value.json])
        case .cas(let from, let to):
            return JSONObject(["op": .string("cas"), "from": from.json, "to": to.json])
        }
    }

    /// The output object of a history line.
    public static func encode(output: RegisterOutput) -> JSONObject {
        switch output {
        case .value(let value): return JSONObject(["value": value.json])
        case .ok: return JSONObject()
        case .swapped(let isSwapped): return JSONObject(["ok": .bool(isSwapped)])
        }
    }
}

/// A register request.
public enum RegisterInput: Hashable, Sendable {
    /// Read the value.
    case read
    /// Replace the value.
    case write(RegisterValue)
    /// Replace the value with `to` if it equals `from`.
    case cas(from: RegisterValue, to: RegisterValue)
}

/// A register reply (record nil in the history when the reply is unknown).
public enum RegisterOutput: Hashable, Sendable {
    /// What a read returned.
    case value(RegisterValue)
    /// A write was acknowledged.
    case ok
    /// Whether a cas swapped.
    case swapped(Bool)
}

/// A register value: histories use integers, but strings, booleans and null also work.
public enum RegisterValue: Hashable, Sendable, CustomStringConvertible {
    /// No value (the initial state).
    case null
    /// An integer.
    case int(Int)
    /// A string.
    case string(String)
    /// A boolean.
    case bool(Bool)

    /// Reads member `key` of `fields`, which must be null, an integer, a string or a boolean.
    init(_ fields: JSONFields, _ key: String) throws {
        let value = try fields.value(key)
        switch value {
        case .null: self = .null
        case .int(let number): self = .int(number)
        case .string(let text): self = .string(text)
        case .bool(let flag): self = .bool(flag)
        default: throw fields.wrongType(key, "an integer, string, boolean or null", value)
        }
    }

    /// The value as JSON.
    public var json: JSONValue {
        switch self {
        case .null: return .null
        case .int(let number): return .int(number)
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        }
    }

    /// `null`, `3`, `"text"`, `true`.
    public var description: String { JSONWriter.string(json) }
}
