// Raft's protocol knobs as a run's parameters set them (swarm testing over the implementation:
// the fuzz scenarios draw them per seed, explore specs may list them). An absent knob keeps
// today's default, so a trace recorded before knobs existed replays exactly as it did.
import DSimCore

extension RaftConfig {
    /// The knob names this configuration reads: heartbeat interval, the election timeout's
    /// lower end and width, and the largest AppendEntries batch.
    public static let knobNames = [
        "heartbeatMs", "electionMinMs", "electionRangeMs", "maxEntriesPerAppend",
    ]

    /// Sets the knobs `params` carries (each an integer; a missing one keeps its default:
    /// 100 ms, 300 ms, 300 ms, 128).
    public mutating func apply(knobs params: JSON) {
        let ms: Int64 = 1_000_000
        if let v = params["heartbeatMs"]?.intValue { heartbeatIntervalNs = Int64(v) * ms }
        let range = electionTimeoutMaxNs - electionTimeoutMinNs
        if let v = params["electionMinMs"]?.intValue { electionTimeoutMinNs = Int64(v) * ms }
        let width = params["electionRangeMs"]?.intValue.map { Int64($0) * ms } ?? range
        electionTimeoutMaxNs = electionTimeoutMinNs + width
        if let v = params["maxEntriesPerAppend"]?.intValue { maxEntriesPerAppend = v }
    }
}
