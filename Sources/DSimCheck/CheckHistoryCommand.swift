import Foundation

/// `dsim check-history FILE... [--timeout S] [--json] [--help]`: checks history files (DESIGN
/// §6) for linearizability and prints one line per file.
///
/// Exit status: 0 every file linearizable; 1 some file illegal; 2 some file unknown (timeout)
/// and none illegal; 3 bad input (a file that cannot be read or parsed) or bad usage, which
/// wins over the others because the run's answer is incomplete.
public enum CheckHistoryCommand {
    /// The help text.
    public static let usage = """
        usage: dsim check-history FILE... [--timeout S] [--json] [--help]

        Checks each JSONL history file for linearizability against the model its header names
        (kv, register, etcd-register) and prints one line per file: path, verdict, operations,
        seconds (reading plus checking). Illegal histories also get an explanation: the longest
        linearizable prefix and the operations that cannot follow it.

          --timeout S   give up on a file after S seconds (default 60); the verdict is then
                        unknown, never linearizable
          --json        print one JSON object per file instead (with the full explanation)
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
        /// `--json`.
        public var isJSON = false
        /// `--help`.
        public var isHelp = false

        /// Creates an invocation.
        public init(
            paths: [String] = [], timeoutSeconds: Double = 60, isJSON: Bool = false,
            isHelp: Bool = false
        ) {
            self.paths = paths
            self.timeoutSeconds = timeoutSeconds
            self.isJSON = isJSON
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
        let result = history.check(options: CheckOptions(timeoutSeconds: invocation.timeoutSeconds))
        let elapsed = start.duration(to: .now)
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
            case "--timeout":
                guard index < args.count else {
                    return .failure(UsageError(message: "--timeout needs a value"))
                }
                guard let seconds = timeout(args[index]) else {
                    return .failure(badTimeout(args[index]))
                }
                invocation.timeoutSeconds = seconds
                index += 1
            case _ where arg.hasPrefix("--timeout="):
                let value = String(arg.dropFirst("--timeout=".count))
                guard let seconds = timeout(value) else { return .failure(badTimeout(value)) }
                invocation.timeoutSeconds = seconds
            default: return .failure(UsageError(message: "unknown option \(arg)"))
            }
        }
        if invocation.paths.isEmpty && !invocation.isHelp {
            return .failure(UsageError(message: "no history files given"))
        }
        return .success(invocation)
    }

    private static func timeout(_ text: String) -> Double? {
        guard let seconds = Double(text), seconds.isFinite, seconds > 0 else { return nil }
        return seconds
    }

    private static func badTimeout(_ text: String) -> UsageError {
        UsageError(message: "--timeout wants a positive number of seconds, not \"\(text)\"")
    }
}
