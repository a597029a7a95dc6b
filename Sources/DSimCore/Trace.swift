// The trace: one JSON object per line, keys sorted, integer times, no wall-clock values.
//
//   line 1   {"dsim":"trace","version":1,"system":…,"scenario":…,"seed":…,"options":{…},…}
//   then     {"dec":"net.delay","of":27000,"t":1500000,"v":1234}        a decision
//            {"ev":"role","node":2,"t":1500000,"term":3,"role":"leader"}  an observation
//   last     {"verdict":"ok"} or {"verdict":"violation","invariant":…,"message":…,"events":[…]}
//
// Decisions are the answers `Choices` gave; observations are what the system did. Every line
// has a number even when nothing is written (fuzzing runs without recording and re-runs a
// failing seed with recording on), so a violation can cite the lines of the events that prove
// it and those numbers are right in the re-recorded trace.

/// A line number in a trace (the header is line 1).
public typealias TraceLine = Int

/// Records a run's trace lines (or only counts them when not recording).
public final class TraceRecorder {
    /// True when lines are kept; false in fast fuzzing where only line numbers are counted.
    public let isRecording: Bool
    /// The lines written so far (empty when not recording).
    public private(set) var lines: [String] = []
    /// The number of the next line to be written.
    public private(set) var nextLine: TraceLine = 2
    /// Observation lines so far (recorded or only counted).
    public private(set) var eventCount = 0
    /// A run with more lines than this (decisions and observations, after the header) is
    /// stopped (`RunGuard`): a shrinker keeps only candidates no larger than its best, so it
    /// need not run a larger one to the end.
    public var lineCap = Int.max
    /// Kernel steps so far (counted by `RunGuard`; a history check at the end adds the
    /// configurations it explored), and the most a run may take before it is stopped: a
    /// shrinker allows a few times the original's, so a candidate that spins (zero delays, a
    /// Zeno loop) costs little instead of running up to the guard's own bounds.
    public var steps = 0
    /// See `steps`.
    public var stepCap = Int.max
    /// The per-run caps every run has (`RunCaps`, per scenario), independent of the clock: a
    /// run with more kernel steps (events) or more lines than these is stopped as an
    /// `event-budget` violation, so a livelocked run ends within seconds and stays small
    /// enough to shrink.
    public var eventBudget = Int.max
    /// See `eventBudget`.
    public var lineBudget = Int.max
    /// Events a run may take within one second of virtual time (`RunCaps`): a livelock
    /// exchanges messages far faster than any run that progresses, and stops as `no-progress`
    /// long before it reaches `eventBudget`.
    public var eventsPerSecondMax = Int.max
    /// The most events seen within one virtual second so far (to set `eventsPerSecondMax`).
    public var peakEventsPerSecond = 0
    /// Shrinking: the search iterations a history check at the end of the run may spend per
    /// partition before it answers unknown (nil: no limit). Counted, not timed, so a shrink's
    /// result is the same on every machine; a candidate whose history is hard to check is
    /// rejected quickly instead of costing the checker's wall-clock timeout.
    public var checkIterationsMax: Int?
    /// When recording, also called with every line as it is written (not the header, which
    /// the caller writes first): a worker process streams its trace to a file this way, so a
    /// run that crashes leaves every line up to the crash.
    public var sink: ((String) -> Void)?
    /// Virtual-time source for lines; set by the simulation that owns this recorder.
    public var clock: () -> VirtualTime = { 0 }
    /// While true, decisions and observations are dropped (no line, no number): set while an
    /// ended simulation unwinds its tasks (`AsyncSimulation.end`), after the verdict.
    public var isSealed = false
    /// Called with every observation's name, node and line number, recorded or not (a
    /// harness keeps the lines a liveness violation will cite: `LivenessWitness`). `fields`
    /// builds the line's fields; call it only for the few events whose fields are needed.
    public var observer:
        (
            (_ event: String, _ node: Int?, _ line: TraceLine, _ fields: () -> [(String, JSON)]) ->
                Void
        )?

    /// Creates a recorder.
    public init(recording: Bool) { isRecording = recording }

    /// Writes the header (line 1). `fields` are merged with the format marker.
    public func header(_ fields: [(String, JSON)]) {
        guard isRecording else { return }
        let line = JSON.object([("dsim", .string("trace")), ("version", .int(1))] + fields)
        lines.insert(line.serialized, at: 0)
    }

    /// Records a decision and returns its line number.
    @discardableResult
    public func decision(_ label: StaticString, bound: UInt64, value: UInt64) -> TraceLine {
        if isSealed { return nextLine }
        defer { nextLine += 1 }
        guard isRecording else { return nextLine }
        let t = clock()
        var s = "{\"dec\":\""
        s += label.description
        s += "\",\"of\":\(bound),\"t\":\(t),\"v\":\(value)}"
        lines.append(s)
        sink?(s)
        return nextLine
    }

    /// Records an observation and returns its line number. `fields` is evaluated only when
    /// recording.
    @discardableResult
    public func observe(
        _ event: String, node: Int?, _ fields: @autoclosure () -> [(String, JSON)] = []
    ) -> TraceLine {
        if isSealed { return nextLine }
        defer { nextLine += 1 }
        eventCount += 1
        observer?(event, node, nextLine, fields)
        guard isRecording else { return nextLine }
        var members: [(String, JSON)] = [("ev", .string(event)), ("t", .int(clock()))]
        if let n = node { members.append(("node", .int(Int64(n)))) }
        members.append(contentsOf: fields())
        lines.append(JSON.object(members).serialized)
        sink?(lines[lines.count - 1])
        return nextLine
    }

    /// Writes the verdict line (the last line).
    public func verdict(_ v: Verdict) {
        guard isRecording else { return }
        lines.append(v.json.serialized)
        sink?(lines[lines.count - 1])
    }

    /// The whole trace as JSONL text.
    public var text: String { lines.joined(separator: "\n") + "\n" }
}

/// A violated invariant: data about the system under test, not a crash of the checker.
public struct Violation: Error, Equatable, Sendable, CustomStringConvertible {
    /// The invariant's name, e.g. `election-safety`.
    public var invariant: String
    /// What was seen, with the numbers.
    public var message: String
    /// Trace lines of the events that prove it.
    public var events: [TraceLine]

    /// Creates a violation.
    public init(_ invariant: String, _ message: String, events: [TraceLine] = []) {
        self.invariant = invariant
        self.message = message
        self.events = events
    }

    /// `invariant: message`.
    public var description: String { "\(invariant): \(message)" }
}

/// The outcome of a run.
public enum Verdict: Equatable, Sendable {
    /// Every invariant held.
    case ok
    /// An invariant was violated.
    case violation(Violation)
    /// The checker could not decide (e.g. a linearizability check timed out). Never a pass.
    case unknown(String)
    /// Every safety invariant and the liveness window held, but the run missed a timing bound
    /// its original test asserts (test-mr.sh's 120 s for the crash test): a property of that
    /// test, which a correct implementation misses with some probability. Campaigns report
    /// these as a rate, against the rate a spec expects, never as a violation.
    case originalBound(Violation)

    /// The verdict as a trace line.
    public var json: JSON {
        switch self {
        case .ok:
            return .object([("verdict", .string("ok"))])
        case .violation(let v):
            return .object([
                ("verdict", .string("violation")), ("invariant", .string(v.invariant)),
                ("message", .string(v.message)),
                ("events", .array(v.events.map { .int(Int64($0)) })),
            ])
        case .unknown(let why):
            return .object([("verdict", .string("unknown")), ("message", .string(why))])
        case .originalBound(let v):
            return .object([
                ("verdict", .string("original-bound")), ("invariant", .string(v.invariant)),
                ("message", .string(v.message)),
                ("events", .array(v.events.map { .int(Int64($0)) })),
            ])
        }
    }

    /// Parses a verdict line.
    public init?(json: JSON) {
        switch json["verdict"]?.stringValue {
        case "ok": self = .ok
        case "unknown": self = .unknown(json["message"]?.stringValue ?? "")
        case "violation", "original-bound":
            guard let inv = json["invariant"]?.stringValue else { return nil }
            let events = (json["events"]?.arrayValue ?? []).compactMap { $0.intValue }
            let v = Violation(inv, json["message"]?.stringValue ?? "", events: events)
            self = json["verdict"]?.stringValue == "violation" ? .violation(v) : .originalBound(v)
        default: return nil
        }
    }

    /// One-word name: ok, violation, unknown, original-bound.
    public var name: String {
        switch self {
        case .ok: return "ok"
        case .violation: return "violation"
        case .unknown: return "unknown"
        case .originalBound: return "original-bound"
        }
    }

    /// The violated invariant or missed bound (`.violation`, `.originalBound`), else nil.
    public var failure: Violation? {
        switch self {
        case .violation(let v), .originalBound(let v): return v
        case .ok, .unknown: return nil
        }
    }
}
