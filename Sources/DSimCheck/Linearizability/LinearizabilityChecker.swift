import Foundation

/// Checks histories for linearizability: splits a history into independent partitions (keys),
/// searches each (`LinearizationSearch`), and combines the answers.
///
/// Rounds. All undecided partitions advance together in rounds of search iterations, the budget
/// doubling each round (partitions within a round may run on several threads). The check ends
/// after the first round in which some partition proves illegal: one illegal key makes the
/// history illegal, and a hard key need not be finished first (Porcupine stops early the same
/// way, but by wall clock). Because budgets count iterations, not time, which partitions are
/// decided after each round — and so the verdict and the explanation — never depend on thread
/// timing or the machine. The explanation is of the first illegal key, in key order, of that
/// round. Only a timeout (wall clock) makes a result machine-dependent, and it yields unknown.
public enum LinearizabilityChecker {
    /// Iterations every partition may run in the first round; doubled each round.
    static var firstRoundIterations: Int { 1 << 14 }

    /// Checks `history` against its model within `options`' limits.
    public static func check<Model: LinearizabilityModel>(
        _ history: History<Model>, options: CheckOptions = CheckOptions()
    ) -> CheckResult {
        // Generic code is specialized only where the type is known at the call, and callers
        // (the reader's existential, other modules) reach here unspecialized; so known models
        // take a concrete path, several times faster. Any other model still works, generically.
        if let history = history as? History<KVModel> { return checkRounds(history, options) }
        if let history = history as? History<RegisterModel> {
            return checkRounds(history, options)
        }
        return checkRounds(history, options)
    }

    private static func checkRounds<Model: LinearizabilityModel>(
        _ history: History<Model>, _ options: CheckOptions
    ) -> CheckResult {
        let runs = partition(history).enumerated().map { PartitionRun(history, $1, index: $0) }
        let limits = SearchLimits(
            deadline: options.timeoutSeconds.map { ContinuousClock.now + .seconds(max(0, $0)) },
            cacheBytesMax: options.cacheBytesMax)
        var iterationsMax = firstRoundIterations
        var isCapped = false
        while true {
            // Biggest partitions first, so the threads finish a round together.
            let active = runs.filter { $0.outcome == nil }.sorted {
                ($1.operations.count, $0.index) < ($0.operations.count, $1.index)
            }
            if active.isEmpty || runs.contains(where: \.isIllegal) { break }
            if isCapped, let cap = options.iterationsMax {
                active.forEach { $0.giveUp(.iterations(cap)) }
                break
            }
            let budget = min(iterationsMax, options.iterationsMax ?? .max)
            isCapped = budget == options.iterationsMax
            let work = { (position: Int) in
                active[position].advance(iterationsMax: budget, limits: limits)
            }
            if options.isParallel && active.count > 1 {
                DispatchQueue.concurrentPerform(iterations: active.count, execute: work)
            } else {
                active.indices.forEach(work)
            }
            iterationsMax = iterationsMax > Int.max / 2 ? Int.max : iterationsMax * 2
        }
        return combine(runs, history.operations.count, options)
    }

    /// One independent part of a history: the operations (indices into the history) on one key.
    struct Partition {
        /// The key, nil for an unpartitioned model.
        let key: String?
        /// Indices into `History.operations`, in history order.
        let operations: [Int]
    }

    /// The history's partitions, ordered by key (nil first).
    static func partition<Model>(_ history: History<Model>) -> [Partition] {
        var groups: [String?: [Int]] = [:]
        for (index, operation) in history.operations.enumerated() {
            groups[history.model.partitionKey(for: operation.input), default: []].append(index)
        }
        return groups.map { Partition(key: $0.key, operations: $0.value) }.sorted {
            switch ($0.key, $1.key) {
            case (nil, _): return $1.key != nil
            case (_, nil): return false
            case (let left?, let right?): return left < right
            }
        }
    }

    private static func combine<Model>(
        _ runs: [PartitionRun<Model>], _ operationCount: Int, _ options: CheckOptions
    ) -> CheckResult {
        var result = CheckResult(
            verdict: .linearizable, operationCount: operationCount, partitionCount: runs.count)
        for run in runs {
            result.configurationCount += run.configurationCount
            switch run.outcome {
            case .illegal(let explanation)? where result.verdict != .illegal:
                result.verdict = .illegal
                result.explanation = explanation
                result.unknownReason = nil
            case .stopped(let stop)? where result.verdict == .linearizable:
                result.verdict = .unknown
                result.unknownReason = describe(stop, run, options)
            default: break
            }
        }
        return result
    }

    private static func describe<Model>(
        _ stop: SearchStop, _ run: PartitionRun<Model>, _ options: CheckOptions
    ) -> String {
        let place =
            (run.key.map { "key \(quoted($0))" } ?? "the history")
            + " (\(run.operations.count) operations)"
        switch stop {
        case .timeout:
            return "timed out after \(options.timeoutSeconds ?? 0) s while checking \(place)"
        case .iterations(let n):
            return "gave up after \(n) search iterations while checking \(place)"
        case .memory(let bytes):
            return "search caches reached \(bytes / (1 << 20)) MiB (limit"
                + " \(options.cacheBytesMax / (1 << 20)) MiB) while checking \(place)"
        }
    }
}

/// One partition's search across rounds. Each round touches a run from one thread only.
private final class PartitionRun<Model: LinearizabilityModel> {
    /// What the search found, once it has.
    enum Outcome {
        case linearizable
        case illegal(Explanation)
        case stopped(SearchStop)
    }

    let index: Int
    let key: String?
    let model: Model
    let operations: [HistoryOperation<Model.Input, Model.Output>]
    private var stepper: ModelStepper<Model>?
    private var search: LinearizationSearch?  // nil before the first round and once decided
    private(set) var outcome: Outcome?
    private(set) var configurationCount = 0

    init(_ history: History<Model>, _ partition: LinearizabilityChecker.Partition, index: Int) {
        self.index = index
        key = partition.key
        model = history.model
        operations = partition.operations.map { history.operations[$0] }
    }

    var isIllegal: Bool {
        if case .illegal? = outcome { return true }
        return false
    }

    /// Stops the search undecided.
    func giveUp(_ stop: SearchStop) {
        outcome = .stopped(stop)
        search = nil
        stepper = nil
    }

    /// Continues the search up to `iterationsMax` iterations in total.
    func advance(iterationsMax: Int, limits: SearchLimits) {
        precondition(outcome == nil, "partition \(index) already decided")
        if search == nil {
            let stepper = ModelStepper(
                model: model, inputs: operations.map(\.input), outputs: operations.map(\.output))
            self.stepper = stepper
            let stepping = LinearizationSearch.Stepping(
                step: { stepper.step(from: $0, operation: $1) },
                stateBytes: { stepper.byteCount })
            search = LinearizationSearch(
                callTimes: operations.map(\.callTime), returnTimes: operations.map(\.returnTime),
                isReadOnly: stepper.isReadOnly, stepping: stepping)
        }
        guard var search, let stepper else { return }
        self.search = nil  // keep the search uniquely referenced while it runs
        let result = search.run(iterationsMax: iterationsMax, limits: limits)
        configurationCount = search.configurationCount
        switch result {
        case .paused:
            self.search = search
            return
        case .linearizable: outcome = .linearizable
        case .stopped(let stop): outcome = .stopped(stop)
        case .illegal(let longestPrefix):
            outcome = .illegal(
                Explanation(
                    partitionKey: key, operations: operations, longestPrefix: longestPrefix,
                    stepper: stepper))
        }
        self.stepper = nil  // decided: free the caches
    }
}
