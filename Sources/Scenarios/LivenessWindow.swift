// The liveness window of a scenario, as the shrinker sees it. A liveness failure (a stuck job,
// no leader, a migration that never ends) fails only when its window after the last fault
// runs out, and a stuck run fills that window with heartbeats and polls: thousands of events
// that no edit of the faults can remove. So `dsim shrink` shortens the window first (spec
// parameter `livenessWindowMs`, never below the floor the scenario declares: the shortest
// window a correct run is expected to meet), shrinks the run with it, and then checks that
// the shrunk run still fails with the scenario's own window: the shrunk trace shows the
// short window, and the shrink verified that the long one runs out as well.
import DSimCore

/// A scenario's liveness window: its default and its floor, in milliseconds.
public struct LivenessWindow: Sendable, Equatable {
    /// The window a run has unless its parameters say otherwise.
    public var defaultMs: Int
    /// The shortest window the shrinker may use.
    public var floorMs: Int

    /// The invariants that fail when a liveness window runs out.
    public static let invariants: Set<String> = [
        "liveness", "liveness-no-leader", "liveness-no-progress", "job-finishes", "workers-gone",
    ]

    /// Default windows by `system/scenario` (each scenario reads its own; kept here in step).
    static let defaults: [String: Int] = [
        "mapreduce/fuzz": 60_000, "mapreduce/crash": 60_000, "raft/fuzz": 10_000,
        "shardkv/fuzz": 60_000,
    ]

    /// The window of `request`'s scenario (its parameters' value as the default), or nil when
    /// the scenario has none.
    public static func of(_ request: RunRequest) -> LivenessWindow? {
        let sc = request.scenario
        guard let p = sc.parameters.first(where: { $0.name == "livenessWindowMs" }),
            case .int(let range) = p.kind,
            let d = request.params["livenessWindowMs"]?.intValue
                ?? defaults[sc.system + "/" + sc.name]
        else { return nil }
        return LivenessWindow(defaultMs: d, floorMs: range.lowerBound)
    }

    /// The windows to try, shortest first: the floor, then doubling towards the default.
    public var shorter: [Int] {
        var out: [Int] = []
        var w = floorMs
        while w < defaultMs {
            out.append(w)
            w *= 2
        }
        return out
    }

    /// `request` with the window `ms`.
    public static func with(_ request: RunRequest, ms: Int) -> RunRequest {
        var r = request
        guard case .object(var fields) = r.params else { return r }
        fields.removeAll { $0.0 == "livenessWindowMs" }
        fields.append(("livenessWindowMs", .int(Int64(ms))))
        r.params = .object(fields)
        return r
    }
}
