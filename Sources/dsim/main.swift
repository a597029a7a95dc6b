// dsim: the command line. Thin by design: it parses arguments, finds systems and scenarios in
// the catalog, runs them through `Runner`, and maps outcomes to exit codes (DESIGN §8):
// 0 success, 1 an invariant was violated (or a history is illegal), 2 unknown, 3 bad input or
// usage, 4 replay diverged.
import DSimCore
import Foundation
import Scenarios

/// Exit codes, as DESIGN §8 defines them.
enum Exit {
    static let ok: Int32 = 0
    static let violation: Int32 = 1
    static let unknown: Int32 = 2
    static let badInput: Int32 = 3
    static let diverged: Int32 = 4
}

let usage = """
    dsim: a deterministic-simulation model checker and fuzz tester for distributed systems

    usage: dsim <command> [options]     (dsim <command> --help for each)

    commands:
      fuzz           run a campaign of seeds; write failing traces and print how to replay them
      run            one run of one scenario, its full trace written whether it passes or not
      replay         re-execute a trace, print its timeline, stop at the same verdict
      shrink         reduce a failing trace to a minimal one that fails the same way
      explore        every run with at most K non-default decisions, each state once
      list           every scenario (system, name, original test) or every planted bug
      check          the bounded CI campaign: every spec under specs/ for a few seeds each
      stress         every ported test across many seeds, as a table of failures and times
      merge          the summary of a campaign from the results files of its shards
      check-history  check client histories for linearizability
      history        the client history of a key/value run's trace, in the history format
      view           a self-contained HTML space-time diagram of a trace
      bench          kernel and system throughput (use a release build)

    exit codes: 0 ok, 1 violation, 2 unknown, 3 bad input or usage, 4 replay diverged
    """

func fail(_ message: String) -> Int32 {
    FileHandle.standardError.write(Data(("dsim: " + message + "\n").utf8))
    return Exit.badInput
}

func dispatch(_ argv: [String]) -> Int32 {
    guard let command = argv.first else {
        print(usage)
        return Exit.badInput
    }
    let rest = Array(argv.dropFirst())
    do {
        switch command {
        case "fuzz": return try FuzzCommand.run(rest)
        case "run": return try RunCommand.run(rest)
        case "replay": return try ReplayCommand.run(rest)
        case "list": return try ListCommand.run(rest)
        case "check": return try CheckCommand.run(rest)
        case "shrink": return try ShrinkCommand.run(rest)
        case "explore": return try ExploreCommand.run(rest)
        case "stress": return try StressCommand.run(rest)
        case "history": return try HistoryCommand.run(rest)
        case "view": return try ViewCommand.run(rest)
        case "check-history": return CheckHistoryEntry.run(rest)
        case "bench": return try BenchCommand.run(rest)
        case "merge": return try MergeCommand.run(rest)
        case WorkerCommand.name: return WorkerCommand.run(rest)
        case "help", "--help", "-h":
            print(usage)
            return Exit.ok
        default:
            return fail("unknown command '\(command)' (try: dsim --help)")
        }
    } catch let e as UsageError {
        return fail("\(command): \(e.message)")
    } catch let e as TraceFileError {
        return fail(e.description)
    } catch let e as SpecError {
        return fail(e.description)
    } catch {
        return fail("\(command): \(error)")
    }
}

/// Deterministic hashing is a second guard behind "never let hash order reach a decision". The
/// runtime reads the variable before `main`, so setting it here is too late: re-exec instead.
func ensureDeterministicHashing() {
    guard getenv("SWIFT_DETERMINISTIC_HASHING") == nil else { return }
    setenv("SWIFT_DETERMINISTIC_HASHING", "1", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on; the code does not depend on hash order.
}

ensureDeterministicHashing()
setvbuf(stdout, nil, _IOLBF, 0)
exit(dispatch(Array(CommandLine.arguments.dropFirst())))
