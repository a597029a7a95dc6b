// `dsim replay` runs the replay in a child process (the same binary, the same arguments), so a
// trace whose run traps — a `crash` trace written by a campaign — is replayed to its crash and
// reported, instead of ending `dsim replay` itself. The child streams the lines it makes to a
// file; when it dies, the parent compares them with the trace (every line before the crash
// must match) and the crash with the trace's `crash` verdict (same signature).
import DSimCore
import Foundation
import Scenarios

enum ReplayInWorker {
    /// Set in the child: the file its lines stream to.
    static let variable = "DSIM_REPLAY_STREAM"

    /// In the child, where each line of the replayed run goes (nil in the parent, and with
    /// `--in-process`).
    static let stream: ((String) -> Void)? = {
        guard let p = getenv(variable) else { return nil }
        let fd = open(String(cString: p), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return nil }
        return { WorkerServer.writeLine(fd, $0) }
    }()

    /// In the parent: runs `dsim replay args` as a child and returns its exit code (or the
    /// crash's outcome); nil in the child or with `--in-process` (the caller replays itself).
    static func delegate(_ args: [String]) throws -> Int32? {
        guard getenv(variable) == nil, !args.contains("--in-process") else { return nil }
        let streamPath = "/tmp/dsim-replay-\(getpid()).jsonl"
        let errPath = "/tmp/dsim-replay-\(getpid()).err"
        defer {
            unlink(streamPath)
            unlink(errPath)
        }
        let status = try spawnAndWait(
            [selfExecutable, "replay"] + args, environment: [variable: streamPath],
            stderrPath: errPath)
        let signal = status & 0x7f
        let stderrText = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        guard signal != 0 && signal != 0x7f else {
            FileHandle.standardError.write(Data(stderrText.utf8))
            return (status >> 8) & 0xff
        }
        let death = WorkerDeath(
            signal: signal, status: 0,
            stderr: WorkerProcess.summarise(stderrText.split(separator: "\n").map(String.init)))
        return try judgeCrash(args, death, streamPath)
    }

    /// The child crashed: exit 1 when the trace recorded the same crash after the same lines,
    /// else 4 (diverged), naming the first difference.
    static func judgeCrash(_ args: [String], _ death: WorkerDeath, _ streamPath: String) throws
        -> Int32
    {
        let made = (readTextFile(streamPath) ?? "").split(separator: "\n").map(String.init)
        guard let path = args.first(where: { !$0.hasPrefix("--") }) else { return Exit.badInput }
        let file = try TraceFile.load(path)
        let crash = Verdict.violation(death.violation)
        let recorded = Array(file.lines.dropLast())
        for i in 1..<max(recorded.count, made.count) {
            let want = i < recorded.count ? recorded[i] : "(the recorded crash)"
            let got = i < made.count ? made[i] : "(the crash: \(death.cause))"
            if want != got {
                print(
                    "replay DIVERGED at \(file.path):\(i + 1): trace has "
                        + "\(ReplayCommand.clip(want)) but the run gives \(ReplayCommand.clip(got))"
                )
                return Exit.diverged
            }
        }
        guard FailureSignature.of(file.verdict) == FailureSignature.of(crash) else {
            print(
                "replay DIVERGED at \(file.path):\(file.lines.count): the run crashed "
                    + "(\(describe(crash))) where the trace recorded \(describe(file.verdict))")
            return Exit.diverged
        }
        print("replay matches the trace (\(file.lines.count) lines): \(describe(crash))")
        return Exit.violation
    }
}

/// Runs `argv` with our stdin and stdout, its stderr to `stderrPath`, and returns its raw wait
/// status.
func spawnAndWait(_ argv: [String], environment: [String: String], stderrPath: String) throws
    -> Int32
{
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let env = WorkerProcess.environment(adding: environment)
    var cArgs = argv.map { strdup($0) } + [nil]
    var cEnv = env.map { strdup($0) } + [nil]
    defer {
        cArgs.forEach { free($0) }
        cEnv.forEach { free($0) }
    }
    var child: pid_t = 0
    let rc = posix_spawn(&child, argv[0], &actions, nil, &cArgs, &cEnv)
    guard rc == 0 else { throw UsageError("cannot start \(argv[0]): error \(rc)") }
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0 && errno == EINTR {}
    return status
}
