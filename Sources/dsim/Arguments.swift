// A small argument parser: `--flag value`, `--flag=value`, boolean `--flag`, positionals.
// Bad usage is a `UsageError`: one line, exit code 3.

/// Bad command-line usage.
struct UsageError: Error {
    /// The one-line reason.
    let message: String
    init(_ m: String) { message = m }
}

/// Parsed arguments of one subcommand.
struct Arguments {
    private(set) var values: [(String, String)] = []
    private(set) var flags: [String] = []
    private(set) var positionals: [String] = []

    /// Parses `args`; `valued` names options that take a value, `boolean` those that don't.
    init(_ args: [String], valued: [String], boolean: [String]) throws {
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("--"), a.count > 2 else {
                positionals.append(a)
                continue
            }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if boolean.contains(name) {
                guard inline == nil else { throw UsageError("--\(name) takes no value") }
                flags.append(name)
            } else if valued.contains(name) {
                if let v = inline {
                    values.append((name, v))
                } else {
                    guard i < args.count else { throw UsageError("--\(name) needs a value") }
                    values.append((name, args[i]))
                    i += 1
                }
            } else {
                throw UsageError("unknown option --\(name)")
            }
        }
    }

    /// The last value of `--name`, if given.
    func value(_ name: String) -> String? { values.last { $0.0 == name }?.1 }
    /// Every value of a repeatable `--name`.
    func all(_ name: String) -> [String] { values.filter { $0.0 == name }.map { $0.1 } }
    /// True if boolean `--name` was given.
    func has(_ name: String) -> Bool { flags.contains(name) }

    /// `--name` as an unsigned integer, or `fallback`.
    func uint(_ name: String, _ fallback: UInt64) throws -> UInt64 {
        guard let v = value(name) else { return fallback }
        guard let n = UInt64(v) else {
            throw UsageError("--\(name) must be a non-negative integer, got '\(v)'")
        }
        return n
    }

    /// `--name` as an integer in `1...max`, or `fallback`.
    func positive(_ name: String, _ fallback: Int, max: Int = 1_000_000_000) throws -> Int {
        guard let v = value(name) else { return fallback }
        guard let n = Int(v), n >= 1, n <= max else {
            throw UsageError("--\(name) must be an integer in 1...\(max), got '\(v)'")
        }
        return n
    }

    /// `--seed` and `--seeds` together: the first seed and the count, checked so that every
    /// seed `first ... first + count - 1` is a 64-bit value (no seed range wraps around).
    func seedRange(defaultCount: Int) throws -> (first: UInt64, count: Int) {
        let first = try uint("seed", 1)
        let count = try positive("seeds", defaultCount)
        guard UInt64(count - 1) <= UInt64.max - first else {
            throw UsageError(
                "--seed \(first) --seeds \(count) passes the largest seed \(UInt64.max): "
                    + "at most \(UInt64.max - first + 1) seeds start there")
        }
        return (first, count)
    }
}
