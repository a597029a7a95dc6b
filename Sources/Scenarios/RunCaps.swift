// Per-run caps, independent of the clock: every run stops as an `event-budget` violation once
// it passes its scenario's cap on kernel steps (events) or trace lines, and a fuzz run as a
// `no-progress` violation once it takes more events within one second of virtual time than
// any run that progresses does (see `byScenario`). The caps are about 10x
// the largest run measured over the fuzz scenarios (60 seeds) and every port (2 seeds) of each
// system, so no real run comes near them, while a livelock — messages exchanged forever
// without progress — ends within a few seconds (Raft: ~1 µs a step) instead of growing to
// millions of lines. A shrink's candidates have smaller caps of their own (`ShrinkSession`).
//
//   largest run measured (lines / steps)          cap (lines / steps)
//   raft         154 k / 52 k    (fuzz)            4 M / 4 M
//   kvraft       454 k / 236 k   (4B port)         10 M / 10 M
//   shardctrler  107 k / 48 k    (fuzz)            4 M / 4 M
//   shardkv      908 k / 499 k   (5B port)         20 M / 20 M
//   mapreduce    7 k / 6 k       (fuzz)            1 M / 1 M
//   weather      8 k / 4 k       (K=100 port)      1 M / 1 M
//   bank fuzz    2 k / 1 k                         1 M / 1 M
//   bank ports   7.6 M / 4.0 M   (many deposits)   80 M / 40 M
import DSimCore

/// The per-run caps of a scenario.
public struct RunCaps: Sendable, Equatable {
    /// Kernel steps (events) a run may take.
    public var events: Int
    /// Trace lines a run may make.
    public var lines: Int
    /// Events a run may take within one second of virtual time.
    public var eventsPerSecond = Int.max

    /// The caps of `request`'s scenario.
    public static func of(_ request: RunRequest) -> RunCaps {
        let key = request.system.name + "/" + request.scenario.name
        return byScenario[key] ?? bySystem[request.system.name]
            ?? RunCaps(events: 10_000_000, lines: 10_000_000)
    }

    static let bySystem: [String: RunCaps] = [
        "raft": RunCaps(events: 4_000_000, lines: 4_000_000),
        "kvraft": RunCaps(events: 10_000_000, lines: 10_000_000),
        "shardctrler": RunCaps(events: 4_000_000, lines: 4_000_000),
        "shardkv": RunCaps(events: 20_000_000, lines: 20_000_000),
        "mapreduce": RunCaps(events: 1_000_000, lines: 1_000_000),
        "weather": RunCaps(events: 1_000_000, lines: 1_000_000),
        "bank": RunCaps(events: 40_000_000, lines: 80_000_000),
    ]

    /// The fuzz scenarios also cap events per virtual second at about 11x the busiest second
    /// measured (40 seeds each): raft 8.9 k, kvraft 72.7 k, shardctrler 11.2 k, shardkv 25.1 k,
    /// mapreduce 0.9 k, weather 0.6 k, bank 0.7 k; the planted raft livelock reaches 825 k.
    /// Ports keep no such cap: their originals bound them, and some are busy by design.
    static let byScenario: [String: RunCaps] = [
        "raft/fuzz": RunCaps(events: 4_000_000, lines: 4_000_000, eventsPerSecond: 100_000),
        "kvraft/fuzz": RunCaps(events: 10_000_000, lines: 10_000_000, eventsPerSecond: 800_000),
        "shardctrler/fuzz": RunCaps(
            events: 4_000_000, lines: 4_000_000, eventsPerSecond: 120_000),
        "shardkv/fuzz": RunCaps(events: 20_000_000, lines: 20_000_000, eventsPerSecond: 300_000),
        "mapreduce/fuzz": RunCaps(events: 1_000_000, lines: 1_000_000, eventsPerSecond: 20_000),
        "weather/fuzz": RunCaps(events: 1_000_000, lines: 1_000_000, eventsPerSecond: 20_000),
        "bank/fuzz": RunCaps(events: 1_000_000, lines: 1_000_000, eventsPerSecond: 20_000),
    ]
}
