/// Why a history file could not be read. Every case that concerns a line carries its 1-based
/// line number in the file, so the command line can print `h.jsonl:7: missing field "call"`.
public enum HistoryError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(reason: String)
    /// The file holds no lines, or only blank ones.
    case emptyFile
    /// A line is not valid JSON (garbled or truncated); `column` is a 1-based byte column.
    case syntax(line: Int, column: Int, message: String)
    /// A line is valid JSON but not an object.
    case notAnObject(line: Int, found: String)
    /// A required field is absent; `field` is a dotted path such as `input.key`.
    case missingField(line: Int, field: String)
    /// A field has the wrong JSON type.
    case wrongType(line: Int, field: String, expected: String, found: String)
    /// A field has the right type but a value the model does not accept (e.g. `"op":"pop"`).
    case invalidValue(line: Int, field: String, message: String)
    /// The header names a model this checker does not know.
    case unknownModel(line: Int, name: String, known: [String])
    /// An operation's return time is earlier than its call time.
    case returnBeforeCall(line: Int, id: Int, call: Int, returnTime: Int)
    /// Two operations share an id.
    case duplicateID(line: Int, id: Int, firstLine: Int)

    /// The 1-based line number the error concerns, if any.
    public var line: Int? {
        switch self {
        case .unreadable, .emptyFile: return nil
        case .syntax(let line, _, _), .notAnObject(let line, _), .missingField(let line, _),
            .wrongType(let line, _, _, _), .invalidValue(let line, _, _),
            .unknownModel(let line, _, _), .returnBeforeCall(let line, _, _, _),
            .duplicateID(let line, _, _):
            return line
        }
    }

    /// The problem without the line number.
    public var message: String {
        switch self {
        case .unreadable(let reason): return "cannot read file: \(reason)"
        case .emptyFile: return "empty file (expected a header line such as {\"model\":\"kv\"})"
        case .syntax(_, let column, let message):
            return "invalid JSON at column \(column): \(message)"
        case .notAnObject(_, let found): return "expected a JSON object, found \(found)"
        case .missingField(_, let field): return "missing field \"\(field)\""
        case .wrongType(_, let field, let expected, let found):
            return "field \"\(field)\" should be \(expected), found \(found)"
        case .invalidValue(_, let field, let message): return "field \"\(field)\": \(message)"
        case .unknownModel(_, let name, let known):
            return "unknown model \"\(name)\" (known: \(known.joined(separator: ", ")))"
        case .returnBeforeCall(_, let id, let call, let returnTime):
            return "operation \(id) returns at \(returnTime), before its call at \(call)"
        case .duplicateID(_, let id, let firstLine):
            return "duplicate operation id \(id) (first used on line \(firstLine))"
        }
    }

    /// `line: message`, or just the message for file-level errors.
    public var description: String {
        guard let line else { return message }
        return "\(line): \(message)"
    }

    /// Attaches a line number to a field-level problem.
    init(_ fieldError: FieldError, line: Int) {
        switch fieldError.problem {
        case .missing: self = .missingField(line: line, field: fieldError.field)
        case .wrongType(let expected, let found):
            self = .wrongType(line: line, field: fieldError.field, expected: expected, found: found)
        case .invalid(let message):
            self = .invalidValue(line: line, field: fieldError.field, message: message)
        }
    }
}

/// A problem with one field of a history line, before the reader attaches the line number.
/// Model decoders throw this; the reader turns it into a `HistoryError`.
public struct FieldError: Error, Equatable {
    /// What is wrong with the field.
    public enum Problem: Equatable {
        /// The field is absent.
        case missing
        /// The field has another JSON type (names such as "string", "integer").
        case wrongType(expected: String, found: String)
        /// The field's value is not acceptable; the message says why.
        case invalid(String)
    }

    /// Dotted path of the field, e.g. `input.op`.
    public var field: String
    /// What is wrong.
    public var problem: Problem

    /// A problem with `field`.
    public init(field: String, problem: Problem) {
        self.field = field
        self.problem = problem
    }
}

/// Typed, path-aware access to the members of one JSON object, for decoding history lines.
/// Every accessor throws a `FieldError` naming the dotted field path.
public struct JSONFields {
    /// The object being read.
    public let object: JSONObject
    /// The dotted path of the object itself ("" at the top of a line).
    public let path: String

    /// Wraps `value` found at `path`, which must be an object.
    public init(_ value: JSONValue, path: String) throws {
        guard case .object(let object) = value else {
            throw FieldError(
                field: path, problem: .wrongType(expected: "an object", found: value.kindName))
        }
        self.object = object
        self.path = path
    }

    /// The dotted path of member `key`.
    public func fieldPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// Member `key`, which must be present (it may be `null`).
    public func value(_ key: String) throws -> JSONValue {
        guard let value = object[key] else {
            throw FieldError(field: fieldPath(key), problem: .missing)
        }
        return value
    }

    /// Member `key` as a string.
    public func string(_ key: String) throws -> String {
        let value = try value(key)
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        return text
    }

    /// Member `key` as an integer.
    public func int(_ key: String) throws -> Int {
        let value = try value(key)
        guard case .int(let number) = value else { throw wrongType(key, "an integer", value) }
        return number
    }

    /// Member `key` as an integer, or nil when it is `null`.
    public func optionalInt(_ key: String) throws -> Int? {
        let value = try value(key)
        switch value {
        case .null: return nil
        case .int(let number): return number
        default: throw wrongType(key, "an integer or null", value)
        }
    }

    /// Member `key` as a boolean.
    public func bool(_ key: String) throws -> Bool {
        let value = try value(key)
        guard case .bool(let flag) = value else { throw wrongType(key, "a boolean", value) }
        return flag
    }

    /// Member `key` as a nested object.
    public func fields(_ key: String) throws -> JSONFields {
        try JSONFields(try value(key), path: fieldPath(key))
    }

    /// A `FieldError` for member `key` having the wrong type.
    public func wrongType(_ key: String, _ expected: String, _ found: JSONValue) -> FieldError {
        FieldError(
            field: fieldPath(key), problem: .wrongType(expected: expected, found: found.kindName))
    }

    /// A `FieldError` for member `key` having an unacceptable value.
    public func invalid(_ key: String, _ message: String) -> FieldError {
        FieldError(field: fieldPath(key), problem: .invalid(message))
    }
}
