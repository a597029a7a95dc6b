/// A strict, small JSON reader for one history line at a time.
///
/// Why not `JSONSerialization`: it hands back `NSNumber` for booleans and integers alike, and on
/// Linux telling them apart is fragile; it is also several times slower per line. This reader
/// works on the raw UTF-8 bytes, keeps integers exact, rejects trailing garbage, and bounds
/// nesting so hostile input cannot overflow the stack. It never traps on any input.
public struct JSONReader {
    /// Deepest array/object nesting accepted; history lines need 2.
    static let depthMax = 64

    /// Why a line is not JSON: a message naming the problem and the byte column.
    struct SyntaxError: Error, Equatable {
        /// 1-based byte column within the line.
        let column: Int
        /// What was wrong.
        let message: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private let lineStart: Int
    private let end: Int

    private init(bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) {
        self.bytes = bytes
        self.index = start
        self.lineStart = start
        self.end = end
    }

    /// Parses exactly one JSON value filling `bytes[start..<end]` (surrounding blanks allowed).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) throws
        -> JSONValue
    {
        precondition(0 <= start && start <= end && end <= bytes.count, "range \(start)..<\(end)")
        var reader = JSONReader(bytes: bytes, start: start, end: end)
        reader.skipBlanks()
        let value = try reader.parseValue(depth: 0)
        reader.skipBlanks()
        if reader.index < end { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    /// Parses a whole string (convenience for tests and small inputs).
    public static func parse(_ text: String) throws -> JSONValue {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { try parse($0, start: 0, end: $0.count) }
    }

    /// An error at the current position, or at byte `position` of the buffer.
    private func error(_ message: String, at position: Int? = nil) -> SyntaxError {
        SyntaxError(column: (position ?? index) - lineStart + 1, message: message)
    }

    private var peek: UInt8? { index < end ? bytes[index] : nil }

    private mutating func skipBlanks() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard let byte = peek else { throw error("unexpected end of line (truncated JSON?)") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Unicode.Scalar(byte))'")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws
        -> JSONValue
    {
        let count = word.utf8CodeUnitCount
        guard end - index >= count else { throw error("unexpected end of line (truncated JSON?)") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw error("invalid literal (expected \(word))")
        }
        index += count
        return value
    }

    private mutating func parseObject(depth: Int) throws -> JSONObject {
        if depth > JSONReader.depthMax { throw error("nesting deeper than \(JSONReader.depthMax)") }
        index += 1  // "{"
        var object = JSONObject()
        skipBlanks()
        if peek == UInt8(ascii: "}") {
            index += 1
            return object
        }
        while true {
            skipBlanks()
            if peek == nil { throw error("unexpected end of line (truncated JSON?)") }
            guard peek == UInt8(ascii: "\"") else { throw error("expected a quoted member name") }
            let keyStart = index
            let key = try parseString()
            if object[key] != nil { throw error("duplicate member \"\(key)\"", at: keyStart) }
            skipBlanks()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':' after member name") }
            index += 1
            skipBlanks()
            object[key] = try parseValue(depth: depth)
            skipBlanks()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return object
            case nil: throw error("unexpected end of line (truncated JSON?)")
            default: throw error("expected ',' or '}' in object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> [JSONValue] {
        if depth > JSONReader.depthMax { throw error("nesting deeper than \(JSONReader.depthMax)") }
        index += 1  // "["
        var elements: [JSONValue] = []
        skipBlanks()
        if peek == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            skipBlanks()
            elements.append(try parseValue(depth: depth))
            skipBlanks()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return elements
            case nil: throw error("unexpected end of line (truncated JSON?)")
            default: throw error("expected ',' or ']' in array")
            }
        }
    }
}

extension JSONReader {
    /// Reads a string starting at its opening quote; the fast path copies an escape-free run.
    fileprivate mutating func parseString() throws -> String {
        let start = index
        index += 1  // opening quote
        var utf8: [UInt8] = []
        var runStart = index
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw error("string is not valid UTF-8", at: start)
                }
                return string
            }
            if byte < 0x20 { throw error("control character in string") }
            if byte == UInt8(ascii: "\\") {
                utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                try parseEscape(into: &utf8)
                runStart = index
            } else {
                index += 1
            }
        }
        throw error("unterminated string (truncated JSON?)")
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws {
        guard let byte = peek else { throw error("unterminated string (truncated JSON?)") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try parseUnicodeEscape()
            utf8.append(contentsOf: String(Character(scalar)).utf8)
        default: throw error("invalid escape '\\\(Unicode.Scalar(byte))'")
        }
    }

    /// Reads the XXXX of a `\uXXXX` escape (and a following low surrogate when needed).
    private mutating func parseUnicodeEscape() throws -> Unicode.Scalar {
        let high = try parseHex4()
        if (0xD800..<0xDC00).contains(high) {
            guard end - index >= 6, bytes[index] == UInt8(ascii: "\\"),
                bytes[index + 1] == UInt8(ascii: "u")
            else { throw error("unpaired surrogate in \\u escape") }
            index += 2
            let low = try parseHex4()
            guard (0xDC00..<0xE000).contains(low) else {
                throw error("unpaired surrogate in \\u escape")
            }
            let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw error("invalid \\u escape") }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else { throw error("unpaired surrogate") }
        return scalar
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard end - index >= 4 else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Reads a number per the JSON grammar; exact integers become `.int`.
    fileprivate mutating func parseNumber() throws -> JSONValue {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else { throw error("expected a digit") }
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        var isInteger = true
        if peek == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let next = peek, isDigit(next) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let next = peek, isDigit(next) else { throw error("expected exponent digits") }
            skipDigits()
        }
        let text = String(
            decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let value = Int(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else { throw error("number out of range") }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { index += 1 }
    }
}
