/// Writes `JSONValue`s as compact, single-line JSON, members in their stored order.
///
/// The output is deterministic: the same value always produces the same bytes.
public enum JSONWriter {
    /// The compact JSON text of `value`.
    public static func string(_ value: JSONValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    /// Appends the compact JSON text of `value` to `out`.
    public static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number): out += number.isFinite ? "\(number)" : "null"
        case .string(let text): writeString(text, to: &out)
        case .array(let elements):
            out += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { out += "," }
                write(element, to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for position in 0..<object.count {
                if position > 0 { out += "," }
                writeString(object.keys[position], to: &out)
                out += ":"
                write(object.values[position], to: &out)
            }
            out += "}"
        }
    }

    /// Appends `text` as a quoted JSON string, escaping quotes, backslashes and control
    /// characters.
    public static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// `text` as a JSON-style quoted string, for explanations.
func quoted(_ text: String) -> String {
    var out = ""
    JSONWriter.writeString(text, to: &out)
    return out
}
