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
    /// Memory one partition's search may use for its caches, in bytes, before it gives up with
    /// `unknown`. Default 1 GiB.
    public var cacheBytesMax: Int
    /// Search iterations one partition may run before it gives up with `unknown`; nil (the
    /// default) for no limit. It counts work, not time, so a verdict within it is the same on
    /// every machine (a shrinker's candidates use it).
    public var iterationsMax: Int?

    /// Options with the documented defaults.
    public init(
        timeoutSeconds: Double? = 60, isParallel: Bool = true, cacheBytesMax: Int = 1 << 30,
        iterationsMax: Int? = nil
    ) {
        self.timeoutSeconds = timeoutSeconds
        self.isParallel = isParallel
        self.cacheBytesMax = cacheBytesMax
        self.iterationsMax = iterationsMax
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
