import Foundation

/// `dsim check-history FILE... [--timeout S] [--memory-limit SIZE] [--json] [--html OUT]
/// [--help]`: checks history files (DESIGN §6) for linearizability and prints one line per file.
///
/// Exit status: 0 every file linearizable; 1 some file illegal; 2 some file unknown (timeout)
/// and none illegal; 3 bad input (a file that cannot be read or parsed) or bad usage, which
/// wins over the others because the run's answer is incomplete.
public enum CheckHistoryCommand {
    /// The help text.
    public static let usage = """
        usage: dsim check-history FILE... [--timeout S] [--memory-limit SIZE] [--json]
                                  [--html OUT] [--help]

        Checks each JSONL history file for linearizability against the model its header names
        (kv, register, etcd-register, bank) and prints one line per file: path, verdict,
        operations, seconds (reading plus checking). Illegal histories also get an explanation:
        the longest linearizable prefix and the operations that cannot follow it.

          --timeout S   give up on a file after S seconds (default 60); the verdict is then
                        unknown, never linearizable
          --memory-limit SIZE
                        memory the search may hold at once (default 1G): a number of MiB, or
                        with K, M or G; when full, the search empties its cache and goes on
                        (slower), and gives up (unknown, saying so) only if that is not enough
          --json        print one JSON object per file instead (with the full explanation)
          --html OUT    also write a self-contained page of the (single) history to OUT: one
                        row per client, each operation a bar over its interval, the longest
                        linearizable prefix and the operations that cannot follow it
          --help        print this help

        exit status: 0 all linearizable, 1 some illegal, 2 some unknown (none illegal),
                     3 bad input or usage
        """

    /// Parsed command-line arguments.
    public struct Invocation: Equatable {
        /// History files to check.
        public var paths: [String] = []
        /// Per-file timeout (then the verdict is unknown).
        public var timeoutSeconds: Double = 60
        /// `--memory-limit`, in bytes (default 1 GiB).
        public var memoryLimitBytes = 1 << 30
        /// `--json`.
        public var isJSON = false
        /// `--html OUT`: where to write the page; nil for none.
        public var htmlPath: String?
        /// `--help`.
        public var isHelp = false

        /// Creates an invocation.
        public init(
            paths: [String] = [], timeoutSeconds: Double = 60, memoryLimitBytes: Int = 1 << 30,
            isJSON: Bool = false, htmlPath: String? = nil, isHelp: Bool = false
        ) {
            self.paths = paths
            self.timeoutSeconds = timeoutSeconds
            self.memoryLimitBytes = memoryLimitBytes
            self.isJSON = isJSON
            self.htmlPath = htmlPath
            self.isHelp = isHelp
        }
    }

    /// Runs the command with the arguments after `check-history`, printing to stdout/stderr;
    /// returns the exit status.
    public static func run(_ args: [String]) -> Int32 {
        run(
            args, output: { print($0) },
            errorOutput: {
                fflush(stdout)  // keep the lines in order when both go to one terminal
                FileHandle.standardError.write(Data(($0 + "\n").utf8))
            })
    }

    /// Runs the command, sending each output line to `output` and each error line to
    /// `errorOutput`; returns the exit status.
    public static func run(
        _ args: [String], output: (String) -> Void, errorOutput: (String) -> Void
    ) -> Int32 {
        let invocation: Invocation
        switch parse(args) {
        case .success(let parsed): invocation = parsed
        case .failure(let error):
            errorOutput("check-history: \(error.message) (try --help)")
            return 3
        }
        if invocation.isHelp {
            output(usage)
            return 0
        }
        var verdicts: [LinearizabilityVerdict] = []
        var hasBadInput = false
        for path in invocation.paths {
            if let verdict = checkFile(path, invocation, output: output, errorOutput: errorOutput) {
                verdicts.append(verdict)
            } else {
                hasBadInput = true
            }
        }
        if hasBadInput { return 3 }
        if verdicts.contains(.illegal) { return 1 }
        if verdicts.contains(.unknown) { return 2 }
        return 0
    }

    /// Reads and checks one file and prints its line; returns nil on bad input.
    private static func checkFile(
        _ path: String, _ invocation: Invocation, output: (String) -> Void,
        errorOutput: (String) -> Void
    ) -> LinearizabilityVerdict? {
        let start = ContinuousClock.now
        let history: any CheckableHistory
        do {
            history = try HistoryReader.read(path: path)
        } catch let error as HistoryError {
            let location = error.line.map { "\(path):\($0)" } ?? path
            errorOutput("\(location): \(error.message)")
            if invocation.isJSON { output(errorJSON(path, error)) }
            return nil
        } catch {
            errorOutput("\(path): \(error)")
            return nil
        }
        let result = history.check(
            options: CheckOptions(
                timeoutSeconds: invocation.timeoutSeconds,
                cacheBytesMax: invocation.memoryLimitBytes))
        let elapsed = start.duration(to: .now)
        if let htmlPath = invocation.htmlPath {
            let page = history.htmlPage(
                result: result, title: URL(fileURLWithPath: path).lastPathComponent)
            do {
                try page.write(toFile: htmlPath, atomically: true, encoding: .utf8)
            } catch {
                errorOutput("\(htmlPath): cannot write the page: \(error.localizedDescription)")
                return nil
            }
        }
        let seconds =
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if invocation.isJSON {
            output(resultJSON(path, history.modelName, result, seconds: seconds))
        } else {
            output(resultText(path, result, seconds: seconds))
        }
        return result.verdict
    }

    /// `path: verdict (N operations, S s)`, plus the reason or the indented explanation.
    static func resultText(_ path: String, _ result: CheckResult, seconds: Double) -> String {
        var text = "\(path): \(result.verdict.rawValue) (\(result.operationCount) operations, "
        text += String(format: "%.3f s)", seconds)
        if let reason = result.unknownReason { text += ": " + reason }
        if let explanation = result.explanation { text += "\n" + explanation.text(indent: "    ") }
        return text
    }

    /// One JSON object describing a checked file.
    static func resultJSON(_ path: String, _ model: String, _ result: CheckResult, seconds: Double)
        -> String
    {
        var object = JSONObject([
            "file": .string(path), "model": .string(model),
            "verdict": .string(result.verdict.rawValue),
            "operations": .int(result.operationCount),
            "partitions": .int(result.partitionCount),
            "memoryPeakBytes": .int(result.cacheBytesPeak),
            "evictions": .int(result.evictionCount),
            "seconds": .double((seconds * 1000).rounded() / 1000),
        ])
        if let reason = result.unknownReason { object["reason"] = .string(reason) }
        if let explanation = result.explanation { object["explanation"] = explanation.json }
        return JSONWriter.string(.object(object))
    }

    private static func errorJSON(_ path: String, _ error: HistoryError) -> String {
        let object = JSONObject([
            "file": .string(path), "verdict": .string("error"),
            "line": error.line.map(JSONValue.int) ?? .null, "error": .string(error.message),
        ])
        return JSONWriter.string(.object(object))
    }

    /// A command-line mistake.
    public struct UsageError: Error, Equatable {
        /// What was wrong.
        public let message: String
    }

    /// Parses the arguments after `check-history`.
    public static func parse(_ args: [String]) -> Result<Invocation, UsageError> {
        var invocation = Invocation()
        var index = 0
        var isOptionsEnd = false
        while index < args.count {
            let arg = args[index]
            index += 1
            if isOptionsEnd || !arg.hasPrefix("-") || arg == "-" {
                invocation.paths.append(arg)
                continue
            }
            switch arg {
            case "--": isOptionsEnd = true
            case "--help", "-h": invocation.isHelp = true
            case "--json": invocation.isJSON = true
            default:
                // A valued option: `--name VALUE` or `--name=VALUE`.
                let parts = arg.split(separator: "=", maxSplits: 1).map(String.init)
                let name = parts[0]
                guard valuedOptions.contains(name) else {
                    return .failure(UsageError(message: "unknown option \(arg)"))
                }
                var value: String
                if parts.count == 2 {
                    value = parts[1]
                } else {
                    guard index < args.count else {
                        return .failure(UsageError(message: "\(name) needs a value"))
                    }
                    value = args[index]
                    index += 1
                }
                if let error = apply(name, value, to: &invocation) { return .failure(error) }
            }
        }
        if invocation.paths.isEmpty && !invocation.isHelp {
            return .failure(UsageError(message: "no history files given"))
        }
        if invocation.htmlPath != nil && invocation.paths.count > 1 {
            return .failure(UsageError(message: "--html writes the page of one history file"))
        }
        return .success(invocation)
    }

    private static let valuedOptions: Set<String> = ["--timeout", "--memory-limit", "--html"]

    /// Sets option `name` to `value`; the usage error if the value is bad.
    private static func apply(_ name: String, _ value: String, to invocation: inout Invocation)
        -> UsageError?
    {
        switch name {
        case "--timeout":
            guard let seconds = timeout(value) else { return badTimeout(value) }
            invocation.timeoutSeconds = seconds
        case "--memory-limit":
            guard let bytes = byteCount(value) else {
                return UsageError(
                    message: "--memory-limit wants a size such as 512, 512M or 2G (MiB by"
                        + " default), not \"\(value)\"")
            }
            invocation.memoryLimitBytes = bytes
        default:
            guard !value.isEmpty else { return UsageError(message: "--html needs a file name") }
            invocation.htmlPath = value
        }
        return nil
    }

    /// `512` (MiB), `512K`, `512M`, `2G` -> bytes; nil unless positive and below 2^50.
    public static func byteCount(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text)
        var unit = 1 << 20
        if let last = text.last?.uppercased().first, let scale = units[last] {
            unit = scale
            digits = digits.dropLast()
        }
        guard let number = Int(digits), number > 0, number < (1 << 50) / unit else { return nil }
        return number * unit
    }

    private static func timeout(_ text: String) -> Double? {
        guard let seconds = Double(text), seconds.isFinite, seconds > 0 else { return nil }
        return seconds
    }

    private static func badTimeout(_ text: String) -> UsageError {
        UsageError(message: "--timeout wants a positive number of seconds, not \"\(text)\"")
    }
}
