// The parent side of crash isolation: one worker process (`dsim __worker`, see `WorkerServer`)
// with a pipe to its stdin, a pipe from its stdout, and its stderr in a file, so that when it
// dies the first lines of what it said (Swift's "Fatal error: Index out of range") can be
// reported with the signal. `WorkerProcess.exchange` sends one request and collects the reply
// lines until the end marker, or reports how the worker died.
//
//   let w = try WorkerProcess(executable: "/proc/self/exe")
//   switch w.exchange(requestLine) {
//   case .replies(let lines): …                      // every reply, in order
//   case .died(let lines, let death): …              // the replies before it died, and how
//   }
//
// Pipes are created close-on-exec, so a worker never holds another worker's pipe open (which
// would hide that one's death from the parent). Workers ignore SIGINT: the parent ends them.
import DSimCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a worker ended.
public struct WorkerDeath: Sendable, Equatable {
    /// The signal that killed it, if one did.
    public var signal: Int32?
    /// Its exit status otherwise.
    public var status: Int32
    /// The first lines of its stderr (at most `WorkerProcess.stderrLinesMax`).
    public var stderr: [String]

    /// A death by `signal` (or with exit `status`), having said `stderr`.
    public init(signal: Int32?, status: Int32, stderr: [String]) {
        self.signal = signal
        self.status = status
        self.stderr = stderr
    }

    /// `signal 4 (SIGILL)` or `exit status 3`.
    public var cause: String {
        guard let s = signal else { return "exit status \(status)" }
        return "signal \(s) (\(WorkerDeath.signalName(s)))"
    }

    /// The `crash` violation of a run whose worker died this way: the cause, then what it
    /// wrote on stderr.
    public var violation: Violation {
        let said = stderr.isEmpty ? "" : ": " + stderr.joined(separator: " | ")
        return Violation("crash", "worker died with \(cause)\(said)")
    }

    /// The usual name of signal `s`.
    public static func signalName(_ s: Int32) -> String {
        let names: [Int32: String] = [
            SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS",
            SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGTERM: "SIGTERM",
            SIGINT: "SIGINT", SIGPIPE: "SIGPIPE", SIGXCPU: "SIGXCPU",
        ]
        return names[s] ?? "SIG\(s)"
    }
}

/// What one exchange with a worker gave.
public enum WorkerExchange {
    /// Every reply line, the worker still alive.
    case replies([String])
    /// The reply lines before the worker died, and how it died.
    case died([String], WorkerDeath)
}

/// Why a worker could not be started.
public struct WorkerStartError: Error, CustomStringConvertible {
    /// One line.
    public let description: String
}

/// One worker process.
public final class WorkerProcess {
    private static let spawnLock = NSLock()
    /// Workers spawned so far (under `spawnLock`): names each one's stderr file.
    nonisolated(unsafe) private static var spawned = 0
    /// Lines of a dead worker's stderr kept for its report.
    public static let stderrLinesMax = 3
    /// The worker's process id.
    public let pid: pid_t
    private let toWorker: Int32
    private var fromWorker: LineReader
    private let fromWorkerFD: Int32
    private let stderrPath: String
    private var death: WorkerDeath?

    /// Starts `executable __worker`; `environment` adds variables to ours.
    public init(executable: String, environment: [String: String] = [:]) throws {
        // Writing to a worker that just died must be an error to handle, not our death.
        signal(SIGPIPE, SIG_IGN)
        // One spawn at a time: between pipe() and fcntl() another thread's spawn would
        // inherit these pipes (Glibc does not export pipe2).
        WorkerProcess.spawnLock.lock()
        defer { WorkerProcess.spawnLock.unlock() }
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else {
            throw WorkerStartError(description: "cannot create pipes: errno \(errno)")
        }
        for fd in input + output { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // Unique per worker, never reused within the process: a replacement worker spawned
        // before the dead one's object is gone (same pipe fd number) must not truncate or
        // unlink the other's stderr.
        WorkerProcess.spawned += 1
        stderrPath = "/tmp/dsim-worker-\(getpid())-\(WorkerProcess.spawned).err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(
            &actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = WorkerProcess.environment(adding: environment)
        let argv = [executable, "__worker"]
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
            env.removeAll()
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, &cArgs, &cEnv)
        close(input[0])
        close(output[1])
        guard rc == 0 else {
            close(input[1])
            close(output[0])
            throw WorkerStartError(description: "cannot start \(executable): error \(rc)")
        }
        pid = child
        toWorker = input[1]
        fromWorkerFD = output[0]
        fromWorker = LineReader(fd: output[0])
    }

    deinit {
        stop()
        unlink(stderrPath)
    }

    /// Our environment with `extra` added: hashing deterministic, and Swift's backtracer kept
    /// short (three frames of the crashed thread, a tenth of a second): a release build prints
    /// no precondition message, so the crashing functions are what names the crash.
    public static func environment(adding extra: [String: String]) -> [String] {
        var vars: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                vars[String(s[..<eq])] = String(s[s.index(after: eq)...])
            }
            p += 1
        }
        vars["SWIFT_BACKTRACE"] =
            "enable=yes,interactive=no,threads=crashed,registers=none,images=none,limit=3,"
            + "top=0,symbolicate=fast"
        vars["SWIFT_DETERMINISTIC_HASHING"] = "1"
        for (k, v) in extra { vars[k] = v }
        return vars.keys.sorted().map { "\($0)=\(vars[$0]!)" }
    }

    /// Resident memory a worker may reach before it is replaced (between requests): runs of
    /// the async systems leave memory behind (tasks parked for good when a run ends hold
    /// their simulation), and a fresh worker gives it all back.
    public static let residentBytesMax = 150 << 20

    /// The worker's resident memory now (from /proc), 0 if unknown.
    public var residentBytes: Int {
        guard let text = readTextFile("/proc/\(pid)/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// True when the worker has grown past `residentBytesMax`.
    public var isBloated: Bool { residentBytes > WorkerProcess.residentBytesMax }

    /// True until the worker has died or been stopped.
    public var isAlive: Bool { death == nil }

    /// Sends `request` (one line) and reads replies until `{"end":true}`.
    public func exchange(_ request: String) -> WorkerExchange {
        if let d = death { return .died([], d) }
        WorkerServer.writeLine(toWorker, request)
        var replies: [String] = []
        while let line = fromWorker.next() {
            if line == #"{"end":true}"# { return .replies(replies) }
            replies.append(line)
        }
        return .died(replies, reap())
    }

    /// Sends `request` and calls `each` with every reply as it arrives (a campaign counts
    /// progress this way); the death, if the worker died.
    public func exchange(_ request: String, each: (String) -> Void) -> WorkerDeath? {
        if let d = death { return d }
        WorkerServer.writeLine(toWorker, request)
        while let line = fromWorker.next() {
            if line == #"{"end":true}"# { return nil }
            each(line)
        }
        return reap()
    }

    /// Waits for the dead worker and reads how it ended.
    private func reap() -> WorkerDeath {
        if let d = death { return d }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFSIGNALED / WTERMSIG / WEXITSTATUS, which Swift does not import as functions.
        let signal = status & 0x7f
        let d = WorkerDeath(
            signal: signal != 0 && signal != 0x7f ? signal : nil, status: (status >> 8) & 0xff,
            stderr: stderrHead())
        death = d
        close(toWorker)
        close(fromWorkerFD)
        return d
    }

    /// What the dead worker said: the runtime's "Fatal error" or "Program crashed" line and the
    /// crashing frames' function names (from Swift's backtracer, configured in `environment`),
    /// or else its first lines.
    private func stderrHead() -> [String] {
        guard let f = fopen(stderrPath, "r") else { return [] }
        defer { fclose(f) }
        var all: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while all.count < 200, fgets(&buffer, 4096, f) != nil {
            let line = String(cString: buffer).trimmingSuffixNewline()
            if !line.trimmingCharacters(in: .whitespaces).isEmpty { all.append(line) }
        }
        return WorkerProcess.summarise(all)
    }

    /// See `stderrHead`.
    public static func summarise(_ lines: [String]) -> [String] {
        var said: [String] = []
        var frames: [String] = []
        for line in lines {
            if let r = line.range(of: "Fatal error") {
                said.append(String(line[r.lowerBound...]))
            } else if let r = line.range(of: "Program crashed: ") {
                let what = line[r.upperBound...].split(separator: " at 0x").first ?? ""
                said.append("Program crashed: " + what.replacingOccurrences(of: " ***", with: ""))
            } else if let frame = functionOfFrame(line) {
                frames.append(frame)
            }
        }
        if !frames.isEmpty { said.append("in " + frames.prefix(3).joined(separator: " < ")) }
        let out = said.isEmpty ? Array(lines.prefix(stderrLinesMax)) : said
        return Array(out.prefix(stderrLinesMax))
    }

    /// `Raft.step(_:from:_:)` from `  1 [ra]  0x00… specialized Raft.step(_:from:_:) + 184 in…`.
    static func functionOfFrame(_ line: String) -> String? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard let first = t.first, first.isNumber, let addr = t.range(of: " 0x") else {
            return nil
        }
        let rest = t[addr.upperBound...].drop { $0.isHexDigit }.trimmingCharacters(
            in: .whitespaces)
        guard let plus = rest.range(of: " + ") else { return nil }
        var name = String(rest[..<plus.lowerBound])
        if name.hasPrefix("specialized ") { name.removeFirst("specialized ".count) }
        return name
    }

    /// Ends the worker (SIGKILL) and reaps it; a no-op once it has died.
    public func stop() {
        guard death == nil else { return }
        kill(pid, SIGKILL)
        _ = reap()
    }
}

extension String {
    fileprivate func trimmingSuffixNewline() -> String {
        var s = self
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}
