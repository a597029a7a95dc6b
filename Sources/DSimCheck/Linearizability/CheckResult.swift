/// The three possible answers of a linearizability check.
public enum LinearizabilityVerdict: String, Sendable, Equatable {
    /// Some order of the operations respects real time and the model.
    case linearizable
    /// No such order exists; the result carries an `Explanation`.
    case illegal
    /// The check gave up (time or memory limit) before deciding. Never read this as "ok".
    case unknown
}

/// How a check may spend time, memory and threads.
public struct CheckOptions: Sendable, Equatable {
    /// Wall-clock budget for the whole history, in seconds; nil means no limit. Default 60.
    /// When it runs out the verdict is `unknown`, never `linearizable`.
    public var timeoutSeconds: Double?
    /// Check independent partitions (keys) on several threads. Default true. The result does
    /// not depend on it (unless the timeout strikes, which depends on the machine anyway).
    public var isParallel: Bool
    /// Memory the whole check's searches may hold at once, in bytes (`--memory-limit`):
    /// configuration caches, interned model states, event lists. Each round splits what is
    /// left among the undecided partitions. A search over its share first empties its
    /// configuration cache and goes on (slower, still sound); it gives up with `unknown` only
    /// when the rest alone is over. Default 1 GiB.
    public var cacheBytesMax: Int
    /// Search iterations one partition may run before it gives up with `unknown`; nil (the
    /// default) for no limit. It counts work, not time, so a verdict within it is the same on
    /// every machine (a shrinker's candidates use it).
    public var iterationsMax: Int?
    /// Decide kv keys of appends with unique values from their reads, without search
    /// (`AppendAnalysis`). Default true; the verdict never depends on it, only the time (and
    /// the explanation's prefix, which may be shorter).
    public var isAppendAware: Bool

    /// Options with the documented defaults.
    public init(
        timeoutSeconds: Double? = 60, isParallel: Bool = true, cacheBytesMax: Int = 1 << 30,
        iterationsMax: Int? = nil, isAppendAware: Bool = true
    ) {
        self.timeoutSeconds = timeoutSeconds
        self.isParallel = isParallel
        self.cacheBytesMax = cacheBytesMax
        self.iterationsMax = iterationsMax
        self.isAppendAware = isAppendAware
    }
}

/// What a check found.
public struct CheckResult: Sendable, Equatable {
    /// The answer.
    public var verdict: LinearizabilityVerdict
    /// Operations in the history.
    public var operationCount: Int
    /// Independent partitions the history split into (keys, for kv).
    public var partitionCount: Int
    /// Why the history is not linearizable: set exactly when `verdict == .illegal`. When several
    /// partitions are illegal it explains the first, in key order, of those proven illegal in
    /// the checker's first round that proved any (see `LinearizabilityChecker`); the choice is
    /// deterministic.
    public var explanation: Explanation?
    /// Why the check gave up: set exactly when `verdict == .unknown`.
    public var unknownReason: String?
    /// Configurations (linearized set, state) the search explored, over all partitions it ran;
    /// deterministic unless a timeout stopped the check.
    public var configurationCount = 0
    /// The most bytes the searches held, summed over partitions (each at its own peak); the
    /// figure the memory limit bounds.
    public var cacheBytesPeak = 0
    /// Times a search emptied its configuration cache to stay within the memory limit.
    public var evictionCount = 0
    /// Partitions decided without search: kv keys from what their reads reveal
    /// (`AppendAnalysis`), bank partitions whose return order the model accepts
    /// (`ReturnOrderWitness`).
    public var directPartitionCount = 0

    /// A result; the explanation and reason must match the verdict.
    public init(
        verdict: LinearizabilityVerdict, operationCount: Int, partitionCount: Int,
        explanation: Explanation? = nil, unknownReason: String? = nil
    ) {
        precondition((verdict == .illegal) == (explanation != nil), "explanation vs \(verdict)")
        precondition((verdict == .unknown) == (unknownReason != nil), "reason vs \(verdict)")
        self.verdict = verdict
        self.operationCount = operationCount
        self.partitionCount = partitionCount
        self.explanation = explanation
        self.unknownReason = unknownReason
    }
}
