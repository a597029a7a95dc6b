// Every run must end. A scenario bounds its virtual time, but virtual time can stop advancing:
// with zero delays and zero think time (which replays of diverged or shrunk traces produce, as
// 0 is every choice's simplest answer) a client can complete operation after operation at one
// instant, forever — a Zeno run. The guard counts events at the same instant and events in all,
// and stops the run with a violation when either passes its bound, so fuzzing, replay and
// shrinking always terminate. The bounds are far above what any real scenario uses.

/// Stops runs whose virtual time stalls or whose event count explodes: past the per-run caps
/// (`TraceRecorder.eventBudget`, `lineBudget`, set per scenario), or the trace's `lineCap` or
/// `stepCap` when a shrinker set them.
public struct RunGuard: Sendable {
    /// Events allowed at one virtual instant. Default 5,000,000.
    public var eventsPerInstantMax = 5_000_000
    /// Events allowed in one run. Default 500,000,000.
    public var eventsMax = 500_000_000
    /// The instant of the last event.
    public private(set) var lastTime: VirtualTime = -1
    private var atSameInstant = 0
    private var total = 0
    /// The current one-virtual-second window (`TraceRecorder.eventsPerSecondMax`): its start
    /// and the events in it.
    private var windowStart: VirtualTime = 0
    private var inWindow = 0

    /// A guard with the default bounds.
    public init() {}

    /// Accounts for one event at `time`; returns a violation when a bound is passed, or when
    /// a replay that must stop on divergence has diverged.
    @inline(__always)
    public mutating func step(time: VirtualTime, choices: Choices, trace: TraceRecorder)
        -> Violation?
    {
        if choices.shouldHalt {
            return Violation("replay-diverged", "the run left the recorded path; stopped")
        }
        trace.steps &+= 1
        if trace.steps > trace.stepCap {
            return Violation("step-cap", "more than \(trace.stepCap) steps: the run spins")
        }
        if trace.nextLine - 1 > trace.lineCap {
            return Violation(
                "line-cap", "more than \(trace.lineCap) lines: larger than the run to beat")
        }
        if trace.steps > trace.eventBudget || trace.nextLine - 1 > trace.lineBudget {
            let over = trace.steps > trace.eventBudget
            let line = trace.observe(
                "budget", node: nil,
                [("events", .int(Int64(trace.steps))), ("lines", .int(Int64(trace.nextLine - 1)))])
            return Violation(
                "event-budget",
                over
                    ? "more than \(trace.eventBudget) events in one run: it does not converge "
                        + "(a livelock?); the scenario's per-run cap"
                    : "more than \(trace.lineBudget) trace lines in one run: it does not converge "
                        + "(a livelock?); the scenario's per-run cap",
                events: [line])
        }
        total &+= 1
        if time - windowStart >= Duration.second {
            windowStart = time
            inWindow = 0
        }
        inWindow &+= 1
        if inWindow > trace.peakEventsPerSecond { trace.peakEventsPerSecond = inWindow }
        if inWindow > trace.eventsPerSecondMax {
            let line = trace.observe("budget", node: nil, [("events", .int(Int64(inWindow)))])
            return Violation(
                "no-progress",
                "\(inWindow) events within one virtual second (from \(formatTime(windowStart))): "
                    + "the run spins without progress (a livelock?); the scenario's cap is "
                    + "\(trace.eventsPerSecondMax)",
                events: [line])
        }
        if time == lastTime {
            atSameInstant &+= 1
        } else {
            lastTime = time
            atSameInstant = 0
        }
        if atSameInstant == eventsPerInstantMax {
            let line = trace.observe("zeno", node: nil, [("events", .int(Int64(atSameInstant)))])
            return Violation(
                "zeno",
                "\(atSameInstant) events at virtual time \(formatTime(time)) without time advancing "
                    + "(zero delays and think times let work repeat forever at one instant)",
                events: [line])
        }
        if total == eventsMax {
            let line = trace.observe("budget", node: nil, [("events", .int(Int64(total)))])
            return Violation(
                "event-budget", "\(total) events in one run: the run does not converge",
                events: [line])
        }
        return nil
    }
}
