// The one escape for text put into markup: the history page (`HistoryPage`), and `dsim fuzz
// --junit`'s XML. Values come from traces and histories, which people share: a value must
// never become markup.

/// Text made safe inside HTML or XML.
public enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` as character references: safe as element text and
    /// as a double- or single-quoted attribute value, in HTML and in XML (`&#39;` is both).
    /// With `xml`, the control characters XML 1.0 does not allow (all below U+0020 but tab,
    /// newline and carriage return) become spaces.
    public static func escape(_ text: String, xml: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(c)
            default:
                if xml && c.value < 0x20 {
                    out += " "
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }
}
