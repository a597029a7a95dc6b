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
        if let history = history as? History<KVModel> {
            // Keys of appends with unique values are decided from their reads (AppendAnalysis).
            let direct = options.isAppendAware ? AppendAnalysis.decide : nil
            return checkRounds(history, options, direct: direct)
        }
        if let history = history as? History<RegisterModel> {
            return checkRounds(history, options)
        }
        if let history = history as? History<BankModel> {
            // A partition whose return order the model accepts needs no search.
            let model = history.model
            return checkRounds(history, options, direct: { ReturnOrderWitness.decide(model, $0) })
        }
        return checkRounds(history, options)
    }

    /// A model-specific decision procedure for one partition (local operation indices); nil
    /// when it does not apply, and the search runs.
    typealias DirectDecision<Model: LinearizabilityModel> =
        ([HistoryOperation<Model.Input, Model.Output>]) -> AppendAnalysis.Outcome?

    private static func checkRounds<Model: LinearizabilityModel>(
        _ history: History<Model>, _ options: CheckOptions, direct: DirectDecision<Model>? = nil
    ) -> CheckResult {
        let runs = partition(history).enumerated().map {
            PartitionRun(history, $1, index: $0, direct: direct)
        }
        let deadline = options.timeoutSeconds.map { ContinuousClock.now + .seconds(max(0, $0)) }
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
            let shares = memoryShares(active, bytesMax: options.cacheBytesMax)
            let work = { (position: Int) in
                let limits = SearchLimits(deadline: deadline, cacheBytesMax: shares[position])
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

    /// Each active partition's memory limit for a round: what it holds plus an equal share of
    /// what the budget has left, so all of them together never pass the budget. Computed from
    /// byte counts between rounds, so it does not depend on thread timing.
    private static func memoryShares<Model>(_ active: [PartitionRun<Model>], bytesMax: Int)
        -> [Int]
    {
        let held = active.reduce(0) { $0 + $1.byteCount }
        let free = max(0, bytesMax - held) / max(1, active.count)
        return active.map { $0.byteCount + free }
    }

    /// One independent part of a history: the operations (indices into the history) on one key,
    /// or on keys linked by operations that act on several (`partitionKeys`).
    struct Partition {
        /// The key (linked keys joined by ",": `componentNames`), nil for an unpartitioned model.
        let key: String?
        /// Indices into `History.operations`, in history order.
        let operations: [Int]
    }

    /// The history's partitions, ordered by key (nil first).
    static func partition<Model>(_ history: History<Model>) -> [Partition] {
        let keys = history.operations.map { history.model.partitionKeys(for: $0.input) }
        let names = componentNames(keys)
        var groups: [String?: [Int]] = [:]
        for (index, operationKeys) in keys.enumerated() {
            groups[operationKeys.first.map { names[$0] ?? $0 }, default: []].append(index)
        }
        return groups.map { Partition(key: $0.key, operations: $0.value) }.sorted {
            switch ($0.key, $1.key) {
            case (nil, _): return $1.key != nil
            case (_, nil): return false
            case (let left?, let right?): return left < right
            }
        }
    }

    /// Each partition's key, per operation of `history` (what `partition` groups them by).
    static func partitionKeys<Model>(_ history: History<Model>) -> [String?] {
        let keys = history.operations.map { history.model.partitionKeys(for: $0.input) }
        let names = componentNames(keys)
        return keys.map { $0.first.map { names[$0] ?? $0 } }
    }

    /// For every key linked to another by an operation with several keys, the name of its
    /// connected component (its keys sorted and joined by ",", the first four and a count when
    /// there are more); keys never linked are absent.
    /// Union-find; the names depend only on the sets, never on hash order.
    static func componentNames(_ keys: [[String]]) -> [String: String] {
        var parent: [String: String] = [:]
        func root(_ key: String) -> String {
            var key = key
            while let up = parent[key], up != key { key = up }
            return key
        }
        for operationKeys in keys where operationKeys.count > 1 {
            for key in operationKeys where parent[key] == nil { parent[key] = key }
            for key in operationKeys.dropFirst() {
                let (a, b) = (root(operationKeys[0]), root(key))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var members: [String: [String]] = [:]
        for key in parent.keys { members[root(key), default: []].append(key) }
        var names: [String: String] = [:]
        for component in members.values {
            // The first key alone tells components apart; a few more make the name readable.
            let sorted = component.sorted()
            let more = sorted.count > 4 ? ",…(\(sorted.count) keys)" : ""
            let name = sorted.prefix(4).joined(separator: ",") + more
            for key in component { names[key] = name }
        }
        return names
    }

    private static func combine<Model>(
        _ runs: [PartitionRun<Model>], _ operationCount: Int, _ options: CheckOptions
    ) -> CheckResult {
        var result = CheckResult(
            verdict: .linearizable, operationCount: operationCount, partitionCount: runs.count)
        for run in runs {
            result.configurationCount += run.configurationCount
            result.cacheBytesPeak += run.bytesPeak
            result.evictionCount += run.evictionCount
            if run.isDecidedDirectly { result.directPartitionCount += 1 }
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
        var place =
            (run.key.map { "key \(quoted($0))" } ?? "the history")
            + " (\(run.operations.count) operations)"
        if run.evictionCount > 0 {
            place +=
                "; its configuration cache was emptied \(run.evictionCount) times to stay"
                + " within the \(mebibytes(options.cacheBytesMax)) memory limit"
        }
        switch stop {
        case .timeout:
            return "timed out after \(options.timeoutSeconds ?? 0) s while checking \(place)"
        case .iterations(let n):
            return "gave up after \(n) search iterations while checking \(place)"
        case .memory(let bytes, let limitBytes):
            return "search caches reached \(mebibytes(bytes)) with the configuration cache"
                + " emptied (this key's share \(mebibytes(limitBytes)) of the"
                + " \(mebibytes(options.cacheBytesMax)) memory limit) while checking \(place)"
        }
    }

    /// `12.5 MiB`.
    static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
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
    private var direct: LinearizabilityChecker.DirectDecision<Model>?  // nil once tried
    private(set) var outcome: Outcome?
    private(set) var configurationCount = 0
    /// Bytes the search holds now (0 before it starts and once decided), its peak, and the
    /// times it emptied its configuration cache.
    private(set) var byteCount = 0
    private(set) var bytesPeak = 0
    private(set) var evictionCount = 0
    /// True if `direct` decided the partition (no search ran).
    private(set) var isDecidedDirectly = false

    init(
        _ history: History<Model>, _ partition: LinearizabilityChecker.Partition, index: Int,
        direct: LinearizabilityChecker.DirectDecision<Model>?
    ) {
        self.index = index
        key = partition.key
        model = history.model
        operations = partition.operations.map { history.operations[$0] }
        self.direct = direct
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
        byteCount = 0
    }

    /// Continues the search up to `iterationsMax` iterations in total.
    func advance(iterationsMax: Int, limits: SearchLimits) {
        precondition(outcome == nil, "partition \(index) already decided")
        if let decide = direct {
            direct = nil
            if let decided = decide(operations) {
                isDecidedDirectly = true
                switch decided {
                case .linearizable: outcome = .linearizable
                case .illegal(let prefix): outcome = .illegal(explain(prefix))
                }
                return
            }
        }
        if search == nil {
            let stepper = ModelStepper(
                model: model, inputs: operations.map(\.input), outputs: operations.map(\.output))
            self.stepper = stepper
            let stepping = LinearizationSearch.Stepping(
                step: { stepper.step(from: $0, operation: $1) },
                stateBytes: { stepper.byteCount }, compact: { stepper.compact(keeping: $0) })
            search = LinearizationSearch(
                callTimes: operations.map(\.callTime), returnTimes: operations.map(\.returnTime),
                isReadOnly: stepper.isReadOnly, stepping: stepping)
        }
        guard var search, let stepper else { return }
        self.search = nil  // keep the search uniquely referenced while it runs
        let result = search.run(iterationsMax: iterationsMax, limits: limits)
        configurationCount = search.configurationCount
        byteCount = search.byteCount
        bytesPeak = max(bytesPeak, search.bytesPeak)
        evictionCount = search.evictionCount
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
        byteCount = 0
    }

    /// The explanation of an illegal partition whose `prefix` no candidate can extend.
    private func explain(_ prefix: [Int32]) -> Explanation {
        let stepper = ModelStepper(
            model: model, inputs: operations.map(\.input), outputs: operations.map(\.output))
        return Explanation(
            partitionKey: key, operations: operations, longestPrefix: prefix, stepper: stepper)
    }
}
