// Failure signatures: violations that fail "the same way" share one. The signature is the
// invariant and the message with every number replaced by `#` (terms, indices, node ids,
// times, values, a crash's line numbers and addresses), so seed 17's "leaders 2 and 4 in
// term 9" and seed 903's "leaders 0 and 1 in term 3" group together, and a crash's signature
// is its signal and what the runtime said, wherever the trap fired.
import DSimCore

/// The signature of a verdict.
public enum FailureSignature {
    /// Characters of the normalised message kept (messages can hold whole histories).
    static let messageMax = 160

    /// `invariant: normalised message` for a violation, `unknown: …` for an unknown, nil for ok.
    public static func of(_ v: Verdict) -> String? {
        switch v {
        case .ok: return nil
        case .violation(let x): return x.invariant + ": " + normalise(firstLine(x.message))
        case .unknown(let why): return "unknown: " + normalise(firstLine(why))
        case .originalBound(let x):
            return "original-bound " + x.invariant + ": " + normalise(firstLine(x.message))
        }
    }

    static func firstLine(_ s: String) -> String {
        String(s.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// `s` with each run of digits (and a hex number's letters) replaced by `#`.
    public static func normalise(_ s: String) -> String {
        var out = ""
        var inNumber = false
        var chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "0", i + 1 < chars.count, chars[i + 1] == "x" {
                // 0x1f3a: an address.
                i += 2
                while i < chars.count, chars[i].isHexDigit { i += 1 }
                if !inNumber { out.append("#") }
                inNumber = true
                continue
            }
            if c.isNumber {
                if !inNumber { out.append("#") }
                inNumber = true
            } else {
                out.append(c)
                inNumber = false
            }
            i += 1
        }
        chars.removeAll()
        return out.count > messageMax ? String(out.prefix(messageMax)) : out
    }
}
