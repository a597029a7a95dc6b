import DSimCore
import Foundation

/// Timings for the linearizability checker, run by the bench target in release builds.
///
/// Workloads: the 108 Porcupine histories (etcd register + kv), a hard single-key kv history
/// (10 clients x 15 overlapping get/append operations with long intervals), 100 one-key append
/// histories of the labs' shape (issue 18's acceptance), a 100,000-operation kv history over
/// 1,000 keys, and the memory figure against the process's real peak. Synthetic histories come
/// from a seeded `SplitMix64`, so every run checks the same bytes.
public enum CheckerBench {
    /// Runs every workload and returns one line of text per measurement, e.g.
    /// `checker: porcupine 108 files 0.41 s`. `historiesDirectory` defaults to
    /// the repository's `histories/porcupine`.
    public static func run(historiesDirectory: String? = nil) -> [String] {
        var lines = porcupine(directory: historiesDirectory ?? defaultHistoriesDirectory)
        lines += hardSingleKey()
        lines += oneKeyAppends()
        lines += manyKeys()
        lines += memoryHonesty()
        return lines
    }

    /// `<repo>/histories/porcupine`, found from this source file's path (the bench runs from a
    /// build of this checkout, so the path is the checkout's).
    static var defaultHistoriesDirectory: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // file, Bench, DSimCheck, Sources
        return url.appendingPathComponent("histories/porcupine").path
    }

    /// Reads and checks every `.jsonl` file in `directory`, comparing each verdict with the
    /// header's `"expected"`.
    static func porcupine(directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let files = names.filter { $0.hasSuffix(".jsonl") }.sorted()
        guard !files.isEmpty else {
            return ["checker: porcupine histories not found in \(directory)"]
        }
        var histories: [(name: String, history: any CheckableHistory)] = []
        let read = time {
            for name in files {
                if let history = try? HistoryReader.read(path: directory + "/" + name) {
                    histories.append((name, history))
                }
            }
        }
        var mismatches: [String] = []
        var groups: [String: Timing] = [:]
        for (name, history) in histories {
            var verdict = LinearizabilityVerdict.unknown
            let timing = time { verdict = history.check(options: CheckOptions()).verdict }
            let group = name.hasPrefix("etcd") ? "etcd" : String(name.dropLast(".jsonl".count))
            groups[group, default: Timing()] = groups[group, default: Timing()] + timing
            if case .string(let expected)? = history.header["expected"],
                expected != verdict.rawValue
            {
                mismatches.append("\(name): \(verdict.rawValue), expected \(expected)")
            }
        }
        let check = groups.values.reduce(Timing(), +)
        var lines = [
            "checker: porcupine \(histories.count) files \((read + check).text);"
                + " read \(read.text), check \(check.text); \(mismatches.count) verdict mismatches"
        ]
        lines += groups.keys.sorted().map {
            "checker: porcupine \($0) check \((groups[$0] ?? Timing()).text)"
        }
        lines += mismatches.map { "checker: MISMATCH \($0)" }
        return lines
    }

    /// The hard single-key history, as generated and with one get corrupted.
    static func hardSingleKey() -> [String] {
        let history = SyntheticKVHistory.generate(
            clients: 10, operationsPerClient: 15, keys: 1, durationMax: 2_000, gapMax: 20,
            seed: 0x4A7D)
        return measure("hard 1 key 10x15", history, timeoutSeconds: 10)
            + measure("hard 1 key 10x15 corrupted", corruptLastGet(history), timeoutSeconds: 10)
    }

    /// The 100,000-operation, 1,000-key history, as generated and with one get corrupted.
    static func manyKeys() -> [String] {
        let history = SyntheticKVHistory.generate(
            clients: 50, operationsPerClient: 2_000, keys: 1_000, durationMax: 40, gapMax: 10,
            seed: 0x100_000)
        return measure("100000 ops 1000 keys", history, timeoutSeconds: 60)
            + measure("100000 ops 1000 keys corrupted", corruptLastGet(history), timeoutSeconds: 60)
    }

    /// Issue 18's acceptance: 100 histories of up to 200 operations on one key from 10-12
    /// clients, unique appended values, up to 5 pending; each checked as generated and with its
    /// last get corrupted, with half the operations gets and with a fifth (mostly appends, the
    /// issue's hardest shape). Reports the slowest check, the total, and any unknown.
    static func oneKeyAppends() -> [String] {
        var lines: [String] = []
        for (isCorrupted, getsPerTen) in [(false, 5), (true, 5), (false, 2), (true, 2)] {
            var slowest = (seconds: 0.0, seed: UInt64(0))
            var total = Timing()
            var verdicts: [String: Int] = [:]
            for seed in UInt64(1)...100 {
                let clients = 10 + Int(seed % 3)
                var history = SyntheticKVHistory.generate(
                    clients: clients, operationsPerClient: 200 / clients, keys: 1,
                    durationMax: 2_000, gapMax: 20, seed: seed, hasPuts: false, pendingMax: 5,
                    getsPerTen: getsPerTen)
                if isCorrupted { history = corruptLastGet(history) }
                var verdict = LinearizabilityVerdict.unknown
                let timing = time {
                    verdict = history.check(options: CheckOptions(timeoutSeconds: 10)).verdict
                }
                total = total + timing
                verdicts[verdict.rawValue, default: 0] += 1
                if timing.wallSeconds > slowest.seconds { slowest = (timing.wallSeconds, seed) }
            }
            let counts = verdicts.keys.sorted().map { "\($0) \(verdicts[$0] ?? 0)" }
            lines.append(
                "checker: one key appends 100 x <=200 ops, 10-12 clients, <=5 pending,"
                    + " \(getsPerTen * 10)% gets" + (isCorrupted ? " corrupted" : "")
                    + ": \(counts.joined(separator: ", "));"
                    + " slowest \(format(slowest.seconds)) s (seed \(slowest.seed)),"
                    + " total \(total.text)")
        }
        return lines
    }

    /// The memory limit and figure against the process: the general search (append analysis
    /// off) on a one-key append history it cannot finish, with a 128 MiB limit, within a
    /// counted budget. The process's peak resident memory is reset first (Linux
    /// `/proc/self/clear_refs`), so its growth over the check is the search's.
    static func memoryHonesty() -> [String] {
        let history = SyntheticKVHistory.generate(
            clients: 12, operationsPerClient: 16, keys: 1, durationMax: 2_000, gapMax: 20,
            seed: 7, hasPuts: false, pendingMax: 5)
        let options = CheckOptions(
            timeoutSeconds: 60, isParallel: false, cacheBytesMax: 128 << 20,
            iterationsMax: 1 << 23, isAppendAware: false)
        guard let before = ProcessMemory.read(resettingPeak: true) else {
            return ["checker: memory figure not measured (no /proc/self/status)"]
        }
        var result: CheckResult?
        let timing = time { result = history.check(options: options) }
        guard let after = ProcessMemory.read(resettingPeak: false), let result else { return [] }
        let growth = max(0, after.peakBytes - before.residentBytes)
        let ratio = growth > 0 ? Double(result.cacheBytesPeak) / Double(growth) : 0
        return [
            "checker: memory limit 128 MiB, general search on one key (192 ops): reported peak"
                + " \(LinearizabilityChecker.mebibytes(result.cacheBytesPeak)), process peak"
                + " growth \(LinearizabilityChecker.mebibytes(growth)) (reported/real"
                + " \(String(format: "%.2f", ratio))), \(result.evictionCount) evictions,"
                + " \(result.verdict.rawValue) in \(timing.text)"
                + (result.unknownReason.map { ": " + $0 } ?? "")
        ]
    }

    private static func measure(_ label: String, _ history: KVHistory, timeoutSeconds: Double)
        -> [String]
    {
        var result: CheckResult?
        let timing = time {
            result = history.check(options: CheckOptions(timeoutSeconds: timeoutSeconds))
        }
        let verdict = result?.verdict.rawValue ?? "none"
        return [
            "checker: \(label) \(timing.text) \(verdict) (\(history.operations.count) ops,"
                + " \(result?.configurationCount ?? 0) configurations, peak RSS"
                + " \(peakResidentMiB()) MiB)"
        ]
    }

    /// The history with its last returned get's value changed to one no state can have.
    public static func corruptLastGet(_ history: KVHistory) -> KVHistory {
        var corrupted = history
        let index = corrupted.operations.lastIndex {
            if case .get = $0.input, case .value? = $0.output { return true }
            return false
        }
        if let index { corrupted.operations[index].output = .value("corrupted") }
        return corrupted
    }

    /// Wall-clock and process CPU seconds (CPU counts every thread; on a busy machine it is the
    /// steadier number).
    struct Timing {
        var wallSeconds = 0.0
        var cpuSeconds = 0.0

        static func + (left: Timing, right: Timing) -> Timing {
            Timing(
                wallSeconds: left.wallSeconds + right.wallSeconds,
                cpuSeconds: left.cpuSeconds + right.cpuSeconds)
        }

        /// `0.412 s (cpu 0.398 s)`.
        var text: String { "\(format(wallSeconds)) s (cpu \(format(cpuSeconds)) s)" }
    }

    private static func time(_ body: () -> Void) -> Timing {
        let cpuStart = cpuSeconds()
        let start = ContinuousClock.now
        body()
        let elapsed = start.duration(to: .now)
        return Timing(
            wallSeconds: Double(elapsed.components.seconds)
                + Double(elapsed.components.attoseconds) * 1e-18,
            cpuSeconds: cpuSeconds() - cpuStart)
    }

    private static func cpuSeconds() -> Double {
        var now = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now) == 0 else { return 0 }
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    private static func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    private static func peakResidentMiB() -> Int {
        var usage = rusage()
        #if os(Linux)
            let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
            let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return -1 }
        return Int(usage.ru_maxrss) / 1024  // Linux reports KiB
    }
}
