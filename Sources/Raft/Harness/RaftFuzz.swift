// The Raft fuzz campaign (swarm testing, TigerBeetle-style liveness).
//
// Decisions are drawn so that 0, the shrinker's simplest answer, means the shortest run to a
// failure: 3 peers, no snapshots, no fault, the fewest client commands, the shortest gap before
// the next fault (a shrunk trace then has no idle stretches of heartbeats between the faults
// that matter), and the end of the fault phase. Each seed draws its own fault mix: network
// options via `NetworkOptions.swarm`, then whether crashes/restarts, disconnects and
// partitions happen at all and how often (possibly none).
// A client Starts fresh values on every live peer at a drawn rate. Safety invariants are
// checked as events run (RaftMonitor) and log matching every 100 virtual ms. After the fault
// phase everything is healed: a leader must appear within 5 s and new commands must commit on
// every server within one()'s 10 s budget.
//
// Spec parameters: nodes (3/5/7; drawn when absent), snapshots (drawn when absent),
// snapshotEvery (applies between snapshots, 1–10; drawn when absent), seconds
// (fault phase, default 10; `Choices.continuesFaultPhase` may end it sooner), lostMajority (a
// majority crashed for good right after the heal: a liveness violation on purpose, never drawn).
import DSimCore

/// The Raft fuzz scenario.
public enum RaftFuzz {
    /// The fault mix of one seed.
    struct Mix {
        var crashes: Bool
        var disconnects: Bool
        var partitions: Bool
        var faultGapMs: Int
        var clientGapMs: Int
    }

    /// Runs one seed; throws the first violation.
    public static func run(_ run: RaftRun) throws {
        // Drawn when the spec leaves them open, smallest first: a shrunk run has the fewest
        // peers and no snapshots unless the failure needs them.
        let n = run.params["nodes"]?.intValue ?? [3, 5, 7][run.choices.below(3, "fuzz.nodes")]
        let snapshots =
            run.params["snapshots"]?.boolValue ?? run.choices.chance(1, in: 2, "fuzz.snapshots")
        let seconds = run.params["seconds"]?.intValue ?? 10
        // Applies between snapshots: config.go's 10, or drawn (1–10, 0 = every apply) when the
        // spec leaves it open.
        let snapshotEvery =
            !snapshots
            ? RaftServer.snapshotInterval
            : run.params["snapshotEvery"]?.intValue
                ?? run.choices.between(1, RaftServer.snapshotInterval, "fuzz.snapevery")
        let h = RaftHarness(
            run, n: n, unreliable: false, snapshots: snapshots, snapshotEvery: snapshotEvery)
        var network = NetworkOptions.swarm(h.choices)
        network.longDelays = true
        h.sim.network = network
        let c = h.choices
        let mix = Mix(
            crashes: c.chance(1, in: 2, "fuzz.crashes"),
            disconnects: c.chance(1, in: 2, "fuzz.disconnects"),
            partitions: c.chance(1, in: 2, "fuzz.partitions"),
            faultGapMs: c.chance(1, in: 3, "fuzz.frantic")
                ? c.between(5, 50, "fuzz.faultgap") : c.between(50, 1500, "fuzz.faultgap"),
            clientGapMs: c.chance(1, in: 2, "fuzz.idle")
                ? 1000 - c.below(901, "fuzz.clientgap") : 100 - c.below(100, "fuzz.clientgap"))
        let client = FuzzClient(gapMs: mix.clientGapMs)
        try h.spawn(client)
        let end = VirtualTime(seconds) * Duration.second
        var nextLogCheck = 100 * Duration.millisecond
        while h.now < end && c.continuesFaultPhase() {
            try h.sleep(ms: 1 + c.below(mix.faultGapMs, "fuzz.gap"))
            injectFault(h, mix)
            if h.now >= nextLogCheck {
                try h.checkLogMatching()
                nextLogCheck = h.now + 100 * Duration.millisecond
            }
        }
        client.stop = true
        try h.waitForTasks()
        let windowMs = run.params["livenessWindowMs"]?.intValue ?? 10_000
        try healAndCheckLiveness(
            h, windowNs: VirtualTime(windowMs) * Duration.millisecond,
            lostMajority: run.params["lostMajority"]?.boolValue ?? false)
    }

    /// One fault among those the seed enabled (or nothing).
    static func injectFault(_ h: RaftHarness, _ mix: Mix) {
        let n = h.n
        let c = h.choices
        switch c.below(9, "fuzz.fault") {  // 0 and 6: no fault this time
        case 7 where mix.crashes:
            let i = c.below(n, "fuzz.node")
            if h.sim.isUp(i) { h.crash1(i) }
        case 1 where mix.crashes:
            let i = c.below(n, "fuzz.node")
            if !h.sim.isUp(i) {
                h.start1(i)
                h.connect(i)
            }
        case 2 where mix.disconnects:
            h.disconnect(c.below(n, "fuzz.node"))
        case 3 where mix.disconnects:
            let i = c.below(n, "fuzz.node")
            if h.sim.isUp(i) { h.connect(i) }
        case 4 where mix.partitions:
            let groups = c.between(2, 3, "fuzz.groups")
            var members = Array(repeating: [Int](), count: groups)
            for i in 0..<n { members[c.below(groups, "fuzz.group")].append(i) }
            h.sim.partition(members)
        case 5 where mix.partitions:
            h.sim.heal()
        case 8 where mix.crashes:
            // Figure 8: the leader takes a new entry and crashes before replicating it.
            if let leader = (0..<n).last(where: { h.state($0)?.isLeader == true }) {
                h.start(leader, LabCommand(1_000_000 + c.below(1_000_000, "fuzz.value")))
                h.crash1(leader)
            }
        default:
            break
        }
    }

    /// Heal everything, then require a leader within 5 s and progress within one()'s budget
    /// (the liveness window `windowNs`, 10 s by default: half of it for the leader; spec
    /// parameter `livenessWindowMs`, which `dsim shrink` shortens for a liveness failure).
    /// `lostMajority`: a majority crashes for good right after the heal (to see a report).
    static func healAndCheckLiveness(
        _ h: RaftHarness, windowNs: VirtualTime = 10 * Duration.second, lostMajority: Bool = false
    ) throws {
        var network = NetworkOptions()
        network.longDelays = true
        h.sim.network = network
        // A liveness violation cites the heal and each server's last role change: what the
        // cluster last did before the window it waited in.
        let healLine = h.sim.trace.nextLine
        h.sim.heal()
        for i in 0..<h.n {
            if !h.sim.isUp(i) { h.start1(i) }
            h.connect(i)
        }
        if lostMajority { for i in 0...(h.n / 2) { h.crash1(i) } }
        let healTime = h.now
        // What each server asked the others from the heal on: the messages the wait was for.
        let ledger = MessageLedger()
        ledger.attach(to: h.sim)
        let marks = (0..<h.n).map { ledger.mark(node: $0, time: healTime, line: healLine) }
        func waited(_ what: String) -> (lines: [TraceLine], text: String) {
            let r = ledger.report(marks.map { ($0, what) }, trace: h.sim.trace, now: h.now)
            return (livenessLines(h, heal: healLine) + [r.line] + r.cited, "\n" + r.text)
        }
        let elected = h.sim.run(for: windowNs / 2) { hasLeader(h) }
        try h.check()
        if !elected {
            let w = waited("server waiting for a leader")
            throw h.fail(
                "liveness-no-leader",
                "no leader within \(formatTime(windowNs / 2)) after healing at "
                    + "\(formatTime(healTime)) (waited until \(formatTime(h.now)))" + w.text,
                events: Set(w.lines).sorted())
        }
        for k in 0..<3 {
            do {
                try h.one(LabCommand(-1 - k), h.n, retry: true, budgetNs: windowNs)
            } catch let v as Violation where v.invariant == "one-failed-to-reach-agreement" {
                let w = waited("server waiting for command \(-1 - k) to commit")
                let p = Violation(
                    "liveness-no-progress",
                    "command \(-1 - k) not committed by all \(h.n) within "
                        + "\(formatTime(windowNs)) after healing" + w.text,
                    events: Set(v.events + w.lines).sorted())
                h.sim.violation = p
                throw p
            }
        }
        try h.finish()
    }

    /// The heal's line and each server's last role change, in line order.
    static func livenessLines(_ h: RaftHarness, heal: TraceLine) -> [TraceLine] {
        ([heal] + h.monitor.lastRoleLine.filter { $0 > 0 }).sorted()
    }

    /// A leader whose term no other server has passed.
    static func hasLeader(_ h: RaftHarness) -> Bool {
        var maxTerm = 0
        var leaderTerm = -1
        for i in 0..<h.n {
            guard let s = h.state(i) else { continue }
            maxTerm = max(maxTerm, s.term)
            if s.isLeader { leaderTerm = max(leaderTerm, s.term) }
        }
        return leaderTerm == maxTerm
    }
}

/// The fuzz workload: a fresh value Started on every live peer every `gapMs`.
final class FuzzClient: HarnessTask {
    let gapMs: Int
    var stop = false
    var next = 1

    init(gapMs: Int) { self.gapMs = gapMs }

    override func poll(_ h: RaftHarness) throws {
        if stop {
            isDone = true
            return
        }
        for i in 0..<h.n where h.sim.isUp(i) { h.start(i, next) }
        next += 1
        wakeAt =
            h.now + VirtualTime(gapMs - h.choices.below(gapMs, "client.gap"))
            * Duration.millisecond
    }
}
