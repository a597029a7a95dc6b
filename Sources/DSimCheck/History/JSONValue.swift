/// One JSON value, as read from or written to a history line.
///
/// Numbers keep their kind: an integer literal that fits in `Int` is `.int`, anything else
/// (fractions, exponents, integers too large for `Int`) is `.double`. Booleans are never numbers.
public enum JSONValue: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer literal that fits in `Int`.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, members in the order they were written.
    case object(JSONObject)

    /// The name of this value's kind, for error messages ("string", "integer", ...).
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON object whose members keep their written order (so a header round-trips unchanged).
///
/// Keys are unique: the reader rejects an object that repeats a key.
public struct JSONObject: Equatable, Sendable {
    /// The member names, in order.
    public private(set) var keys: [String] = []
    /// The member values, parallel to `keys`.
    public private(set) var values: [JSONValue] = []

    /// An empty object.
    public init() {}

    /// An object with these members, in this order; a repeated key keeps its last value.
    public init(_ members: KeyValuePairs<String, JSONValue>) {
        for (key, value) in members { self[key] = value }
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// The value of member `key`, or nil if absent. Setting appends a new key at the end or
    /// replaces an existing one in place; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = keys.firstIndex(of: key) else { return nil }
            return values[index]
        }
        set {
            let index = keys.firstIndex(of: key)
            switch (index, newValue) {
            case (let index?, let value?): values[index] = value
            case (let index?, nil):
                keys.remove(at: index)
                values.remove(at: index)
            case (nil, let value?):
                keys.append(key)
                values.append(value)
            case (nil, nil): break
            }
        }
    }
}
