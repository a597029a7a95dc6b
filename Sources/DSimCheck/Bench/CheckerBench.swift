import DSimCore
import Foundation

/// Timings for the linearizability checker, run by the bench target in release builds.
///
/// Three workloads: the 108 Porcupine histories (etcd register + kv), a hard single-key kv
/// history (10 clients x 15 overlapping get/append operations with long intervals), and a
/// 100,000-operation kv history over 1,000 keys. Synthetic histories come from a seeded
/// `SplitMix64`, so every run checks the same bytes.
public enum CheckerBench {
    /// Runs every workload and returns one line of text per measurement, e.g.
    /// `checker: porcupine 108 files 0.41 s`. `historiesDirectory` defaults to
    /// the repository's `histories/porcupine`.
    public static func run(historiesDirectory: String? = nil) -> [String] {
        var lines = porcupine(directory: historiesDirectory ?? defaultHistoriesDirectory)
        lines += hardSingleKey()
        lines += manyKeys()
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

/// Linearizable kv histories from a simulated store, for tests and the bench.
///
/// Each client runs operations back to back: call, a random duration, return, a random gap.
/// Each operation takes effect at a random instant inside its interval; applying them in that
/// order to a real store gives the gets' values, so the history is linearizable by
/// construction. Appended values are unique (`c<client>.<n>;`).
public enum SyntheticKVHistory {
    /// A history of `clients * operationsPerClient` operations over `keys` keys.
    public static func generate(
        clients: Int, operationsPerClient: Int, keys: Int, durationMax: Int, gapMax: Int,
        seed: UInt64
    ) -> KVHistory {
        var random = SplitMix64(seed: seed)
        var history = KVHistory()
        var effectTimes: [Int] = []
        for client in 0..<clients {
            var time = random.next(below: gapMax + 1)
            for number in 0..<operationsPerClient {
                let key = String(random.next(below: keys))
                let input: KVInput
                switch random.next(below: 10) {
                case 0..<5: input = .get(key: key)
                case 5: input = .put(key: key, value: "p\(client).\(number);")
                default: input = .append(key: key, value: "c\(client).\(number);")
                }
                let duration = 1 + random.next(below: durationMax)
                let index = history.recordCall(client: client, input: input, time: time)
                history.recordReturn(index, output: .ok, time: time + duration)
                effectTimes.append(time + random.next(below: duration + 1))
                time += duration + 1 + random.next(below: gapMax + 1)
            }
        }
        applyInEffectOrder(&history, effectTimes: effectTimes)
        return history
    }

    /// Fills in the gets' values by applying operations in effect-time order.
    private static func applyInEffectOrder(_ history: inout KVHistory, effectTimes: [Int]) {
        var store: [String: String] = [:]
        let order = history.operations.indices.sorted {
            (effectTimes[$0], $0) < (effectTimes[$1], $1)
        }
        for index in order {
            switch history.operations[index].input {
            case .get(let key): history.operations[index].output = .value(store[key] ?? "")
            case .put(let key, let value): store[key] = value
            case .append(let key, let value): store[key, default: ""] += value
            }
        }
    }
}
