// The parameters each scenario declares: a spec's `params` (and a trace header's) are checked
// against them before anything runs, so `{"peers": 1000000}`, `{"nodes": -3}` or `{"bogus": 1}`
// is bad input (exit 3, naming the key, the value and what is allowed), never a run that
// silently ignores the key or builds a world of a million nodes.
//
// The declarations sit in one table, keyed by system and scenario, beside the ranges the
// scenarios were written for; `ScenarioParameterTests` checks that every key a scenario file
// reads (`ctx.int("…"`, `params["…"]`) is declared for its system.
import DSimCore
import MapReduce

/// One parameter a scenario reads from its spec.
public struct ScenarioParameter: Sendable {
    /// What values it takes.
    public enum Kind: Sendable {
        /// An integer in the range.
        case int(ClosedRange<Int>)
        /// true or false.
        case bool
        /// One of these strings.
        case oneOf([String])
        /// A list of integers, each in the range.
        case ints(ClosedRange<Int>)
        /// An integer or a list of integers in the range (a knob: pinned, or its draw narrowed).
        case intOrInts(ClosedRange<Int>)
    }

    /// The key in `params`.
    public let name: String
    /// Its values.
    public let kind: Kind

    /// Creates a declaration.
    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// What is allowed, in words: `an integer in 1...9`, `true or false`, `one of wc, indexer`.
    public var allowed: String {
        switch kind {
        case .int(let r): return "an integer in \(r.lowerBound)...\(r.upperBound)"
        case .bool: return "true or false"
        case .oneOf(let values): return "one of " + values.joined(separator: ", ")
        case .ints(let r): return "a list of integers in \(r.lowerBound)...\(r.upperBound)"
        case .intOrInts(let r):
            return "an integer or a list of integers in \(r.lowerBound)...\(r.upperBound)"
        }
    }

    /// True when `value` is one of its values.
    public func accepts(_ value: JSON) -> Bool {
        switch kind {
        case .int(let r): return value.intValue.map { r.contains($0) } ?? false
        case .bool: return value.boolValue != nil
        case .oneOf(let values): return value.stringValue.map { values.contains($0) } ?? false
        case .ints(let r):
            return value.arrayValue?.allSatisfy { $0.intValue.map(r.contains) ?? false } ?? false
        case .intOrInts(let r):
            if let v = value.intValue { return r.contains(v) }
            guard let xs = value.arrayValue, !xs.isEmpty else { return false }
            return xs.allSatisfy { $0.intValue.map(r.contains) ?? false }
        }
    }
}

/// Why a scenario's parameters cannot be used: one line naming the key, the value and what
/// is allowed.
public struct ParameterError: Error, CustomStringConvertible {
    /// The line.
    public let description: String
}

extension Scenario {
    /// The parameters this scenario reads (none: its spec's `params` must be empty), its
    /// system's protocol knobs included for its fuzz and explore scenarios.
    public var parameters: [ScenarioParameter] {
        (ScenarioParameters.declared[system + "/" + name]
            ?? (portOf.flatMap { ScenarioParameters.declared[system + "/" + $0] } ?? []))
            + ScenarioParameters.knobs(self)
    }

    /// Checks `params` against `parameters`: an object whose every key is declared and whose
    /// every value is in its range.
    public func validate(params: JSON) throws {
        guard case .object(let members) = params else {
            throw ParameterError(description: "\"params\" must be an object")
        }
        let declared = parameters + ScenarioParameters.strategy
        for (key, value) in members {
            guard let p = declared.first(where: { $0.name == key }) else {
                let known =
                    declared.isEmpty
                    ? "it takes no parameters"
                    : "known: " + declared.map(\.name).joined(separator: ", ")
                throw ParameterError(
                    description: "unknown parameter \"\(key)\" for \(system)/\(name) (\(known))")
            }
            guard p.accepts(value) else {
                throw ParameterError(
                    description:
                        "parameter \"\(key)\" of \(system)/\(name) is \(value.serialized): "
                        + "must be \(p.allowed)")
            }
        }
    }
}

/// The declarations, by `system/scenario`.
enum ScenarioParameters {
    static let seconds = ScenarioParameter("seconds", .int(1...600))
    static let maxRaftState = ScenarioParameter("maxraftstate", .int(-1...1_000_000))
    /// The liveness window after the last fault (or progress): a stuck run fails once it
    /// passes. `dsim shrink` shortens it for a liveness failure (see `LivenessWindow`), never
    /// below the range's floor: the shortest window a correct run is expected to meet.
    static func livenessWindow(floorMs: Int) -> ScenarioParameter {
        ScenarioParameter("livenessWindowMs", .int(floorMs...3_600_000))
    }

    /// The exploration strategy, which every scenario takes (`dsim fuzz --strategy`).
    static let strategy: [ScenarioParameter] = [
        .init("strategy", .oneOf(["random", "pct"])), .init("pctDepth", .int(1...64)),
        .init("pctWindowUs", .int(0...1_000_000)), .init("pctSteps", .int(1...100_000_000)),
    ]

    /// The system's protocol knobs, which its fuzz and explore scenarios take (`Knobs`).
    static func knobs(_ s: Scenario) -> [ScenarioParameter] {
        s.name == "fuzz" || s.name == "explore" ? Knobs.parameters(system: s.system) : []
    }

    static let declared: [String: [ScenarioParameter]] = [
        "raft/explore": [
            .init("nodes", .int(1...9)), .init("horizonMs", .int(1...60_000)),
            .init("tickMs", .int(1...10_000)), .init("commandTicks", .ints(0...100_000)),
            .init("drops", .bool), .init("partitions", .bool),
            .init("delayMaxUs", .int(0...1_000_000)), .init("snapshots", .bool),
            .init("snapshotEvery", .int(1...1000)), .init("leaderCrashes", .bool),
        ],
        "kvraft/explore": [
            .init("servers", .int(1...7)), .init("clients", .int(1...8)),
            .init("horizonMs", .int(1...60_000)), .init("tickMs", .int(1...10_000)),
            maxRaftState,
        ],
        "raft/fuzz": [
            .init("nodes", .int(1...9)), .init("snapshots", .bool), seconds,
            .init("snapshotEvery", .int(0...1000)), .init("lostMajority", .bool),
            livenessWindow(floorMs: 2_000),
        ],
        "kvraft/fuzz": [
            .init("servers", .int(1...9)), .init("clients", .int(1...50)),
            .init("keys", .int(1...100)), seconds, maxRaftState, .init("crashes", .bool),
            .init("partitions", .bool), .init("lostMajority", .bool),
        ],
        "shardctrler/explore": [
            .init("servers", .int(1...7)), .init("horizonMs", .int(1...60_000)),
            .init("tickMs", .int(1...10_000)),
        ],
        "shardctrler/fuzz": [
            .init("servers", .int(1...9)), .init("clients", .int(1...20)), seconds,
            .init("crashes", .bool), .init("partitions", .bool), .init("lostMajority", .bool),
        ],
        "shardkv/explore": [
            .init("groups", .int(1...5)), .init("groupServers", .int(1...5)),
            .init("clients", .int(1...4)), .init("keys", .int(1...20)),
            .init("horizonMs", .int(1...60_000)), .init("tickMs", .int(1...10_000)), maxRaftState,
            .init("gidBase", .int(1...100_000)), .init("adminTicks", .ints(0...100_000)),
        ],
        "shardkv/fuzz": [
            .init("clients", .int(1...20)), .init("keys", .int(1...100)), seconds, maxRaftState,
            .init("crashes", .bool), .init("partitions", .bool), .init("ctrlerChurn", .bool),
            .init("gidBase", .int(1...100_000)), .init("groupServers", .int(1...7)),
            .init("lostMajority", .bool),
            livenessWindow(floorMs: 1_000),
        ],
        "mapreduce/fuzz": [
            .init("app", .oneOf(MapReduceSystem.fuzzApps)),
            .init("inputs", .int(1...InputData.books.count)), .init("workers", .int(1...16)),
            .init("nReduce", .int(1...100)), livenessWindow(floorMs: 15_000),
        ],
        "mapreduce/test-mr.sh/crash": [livenessWindow(floorMs: 15_000)],
        "weather/fuzz": [
            .init("k", .int(1...1000)), .init("periodMs", .int(200...60_000)),
            .init("batches", .int(1...100)),
        ],
        "bank/fuzz": [
            .init("accounts", .int(1...1000)), .init("clients", .int(1...100)),
            .init("ops", .int(0...10_000)),
        ],
        "bank/TestCreateAccountMany": [.init("accounts", .int(1...10_000))],
        "bank/TestManyDepositsAndWithdraws": [
            .init("accounts", .int(1...10_000)), .init("rounds", .int(0...1_000_000)),
        ],
        "bank/TestManyTransfers": [
            .init("accounts", .int(2...10_000)), .init("rounds", .int(0...1_000_000)),
        ],
        "bank/TestDepositAndCompare": [
            .init("accounts", .int(1...10_000)), .init("calls", .int(0...100_000)),
        ],
        "bank/TestHiddenBonus": [
            .init("accounts", .int(1...10_000)), .init("rounds", .int(0...1_000_000)),
        ],
    ]
}
