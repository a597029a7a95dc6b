// Protocol knobs drawn per seed (swarm testing over the implementation, not only the faults).
// Each sans-IO system names the knobs that change its messages' shapes and timing, each with a
// small domain around today's value. A fuzz run (a seed-made run of the system's fuzz
// scenario) draws every knob its spec does not pin, from a generator of its own seeded by the
// seed (not the decision stream: the decisions of a seed keep their meaning), and writes them
// into the run's parameters: the trace header records them, so replay and shrink run with the
// same knobs. A run whose parameters lack a knob (a port, an explored run, every trace recorded
// before knobs existed) runs with today's default. A spec pins a knob with an integer, or
// narrows its draw with a list; an explore spec's list is enumerated (`Knobs.combinations`).
import DSimCore
import Raft

/// One protocol knob.
public struct Knob: Sendable {
    /// The parameter name.
    public let name: String
    /// Today's value (what a run without the knob gets).
    public let standard: Int
    /// The values a fuzz seed draws from.
    public let domain: [Int]
    /// The values a spec may give.
    public let allowed: ClosedRange<Int>
}

/// The knobs of each system, drawn per seed.
public enum Knobs {
    /// Raft's: heartbeat interval, election timeout lower end and width, AppendEntries batch.
    static let raft: [Knob] = [
        Knob(name: "heartbeatMs", standard: 100, domain: [50, 75, 100, 120], allowed: 10...1000),
        Knob(name: "electionMinMs", standard: 300, domain: [250, 300, 400], allowed: 50...5000),
        Knob(name: "electionRangeMs", standard: 300, domain: [150, 300, 500], allowed: 1...5000),
        Knob(
            name: "maxEntriesPerAppend", standard: 128, domain: [1, 8, 128], allowed: 1...100_000),
    ]
    /// A kv clerk's wait for a reply before it tries the next server.
    static let clerkRetry = Knob(
        name: "clerkRetryMs", standard: 100, domain: [50, 100, 200], allowed: 1...10_000)
    /// A shardkv group leader's duty period (configuration poll, pulls, deletes).
    static let configPoll = Knob(
        name: "configPollMs", standard: 100, domain: [50, 100, 200], allowed: 1...10_000)

    /// The knobs of `system` (none for the async systems).
    public static func of(system: String) -> [Knob] {
        switch system {
        case "raft": return raft
        case "kvraft", "shardctrler": return batched + [clerkRetry]
        case "shardkv": return batched + [clerkRetry, configPoll]
        default: return []
        }
    }

    /// Raft's knobs for the services on top of it, without a batch of one entry. One entry
    /// per AppendEntries cannot keep up with the services' clerks, whose every retry is a new
    /// log entry: the log outgrows what a round trip carries and clients starve. Measured, all
    /// with batch 1: 5 of 130 shardkv `dsim check` seeds missed the 60 s liveness budget, and
    /// 2 of 1,000 kvraft fuzz seeds (270, 725: a get not done within 60 s).
    static let batched = raft.map {
        $0.name != "maxEntriesPerAppend"
            ? $0 : Knob(name: $0.name, standard: 128, domain: [8, 128], allowed: $0.allowed)
    }

    /// The knobs as the parameter table declares them (an integer or a list of integers).
    static func parameters(system: String) -> [ScenarioParameter] {
        of(system: system).map { ScenarioParameter($0.name, .intOrInts($0.allowed)) }
    }

    /// `request` with every knob of its system drawn for `seed` when it is a run of the fuzz
    /// scenario; pinned knobs (an integer) stay, a list narrows the draw.
    public static func drawn(_ request: RunRequest, seed: UInt64) -> RunRequest {
        let knobs = of(system: request.system.name)
        guard request.scenario.name == request.system.fuzzScenario, !knobs.isEmpty,
            case .object(var members) = request.params
        else { return request }
        var rng = SplitMix64(seed: seed ^ 0x6b6e_6f62_7300_0000)
        for k in knobs {
            let given = members.firstIndex { $0.0 == k.name }
            let value = given.map { members[$0].1 }
            if value?.intValue != nil { continue }
            let domain = value?.arrayValue?.compactMap(\.intValue) ?? k.domain
            guard !domain.isEmpty else { continue }
            let v = JSON.int(Int64(domain[rng.next(below: domain.count)]))
            if let i = given { members[i].1 = v } else { members.append((k.name, v)) }
        }
        var r = request
        r.params = .object(members)
        return r
    }

    /// `request` with every knob it does not give set to today's value: nothing is drawn
    /// (tests that pin a seed's outcome, chosen before knobs were drawn).
    public static func standard(_ request: RunRequest) -> RunRequest {
        guard case .object(var members) = request.params else { return request }
        for k in of(system: request.system.name) where request.params[k.name] == nil {
            members.append((k.name, .int(Int64(k.standard))))
        }
        var r = request
        r.params = .object(members)
        return r
    }

    /// One request per combination of the knobs listed in `request`'s parameters (an explore
    /// spec's `"heartbeatMs": [50, 100]`), in the order they are listed; `request` itself when
    /// it lists none.
    public static func combinations(_ request: RunRequest) -> [RunRequest] {
        guard case .object(let members) = request.params else { return [request] }
        var out = [request]
        for k in of(system: request.system.name) {
            guard let values = request.params[k.name]?.arrayValue?.compactMap(\.intValue)
            else { continue }
            out = out.flatMap { r in
                values.map { v in
                    var c = r
                    if case .object(var m) = c.params,
                        let i = m.firstIndex(where: { $0.0 == k.name })
                    {
                        m[i].1 = .int(Int64(v))
                        c.params = .object(m)
                    }
                    return c
                }
            }
        }
        _ = members
        return out
    }
}
