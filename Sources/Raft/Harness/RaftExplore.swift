// The Raft scenario for bounded exploration (`dsim explore`): a small world whose every
// decision has a small domain and whose driver keeps no state of its own, so the explorer can
// fingerprint the world between any two kernel steps and expand each state once.
//
// The driver wakes every `tickMs` of virtual time (its position is a function of the clock).
// At each tick before `horizonMs` it may Start a command on every live peer (at the ticks in
// `commandTicks`, the value being the tick number) and takes one fault decision: nothing (the
// default), crash or restart peer k (whichever it is not), cut or reconnect peer k, or (with
// `partitions`) heal or split the peers in two. The
// network is reliable with a delay of at most `delayMaxUs` per message, and each request and
// reply may be dropped (`drops`, 1 in 1,000 when fuzzed, so the default run loses nothing):
// each delivery is then two decision points (delivered or dropped; no delay or the longest),
// each election timeout one (the shortest or the longest). At the horizon the window closes:
// everything heals and a leader and progress are required, as in the fuzz scenario, while the
// monitor checks every safety invariant throughout.
//
// With `leaderCrashes`, one more fault kind (the last): the leader takes a command and crashes
// at once, and every peer that was down restarts. Figure 8 of the Raft paper is three of these
// in a row (an entry left on a crashed leader only, a rival's entry left the same way, the first
// leader back and re-elected replicates its old entry to a majority, then is replaced by the
// rival, who overwrites it): each step is otherwise two or three deviations (a command at the
// right instant, a crash, a restart), so the whole needed about 5 and stayed out of bound 3.
//
// Spec parameters: nodes (3), horizonMs (1000), tickMs (100), commandTicks ([2, 4, 6]),
// drops (true), partitions (true), delayMaxUs (1000), snapshots (false), snapshotEvery (10),
// leaderCrashes (false).
import DSimCore

/// The exploration scenario of Raft.
public enum RaftExplore {
    /// Runs one explored (or fuzzed, or replayed) run; throws the first violation.
    public static func run(_ run: RaftRun) throws {
        let p = run.params
        let n = p["nodes"]?.intValue ?? 3
        let horizon = VirtualTime(p["horizonMs"]?.intValue ?? 1000) * Duration.millisecond
        let tickMs = p["tickMs"]?.intValue ?? 100
        let commandTicks = p["commandTicks"]?.arrayValue?.compactMap(\.intValue) ?? [2, 4, 6]
        let snapshots = p["snapshots"]?.boolValue ?? false
        let partitions = p["partitions"]?.boolValue ?? true
        let leaderCrashes = p["leaderCrashes"]?.boolValue ?? false
        let h = RaftHarness(
            run, n: n, unreliable: false, snapshots: snapshots,
            snapshotEvery: p["snapshotEvery"]?.intValue ?? RaftServer.snapshotInterval)
        var network = NetworkOptions()
        network.longDelays = true
        network.delayMaxNs = VirtualTime(p["delayMaxUs"]?.intValue ?? 1000) * Duration.microsecond
        if p["drops"]?.boolValue ?? true {
            network.requestDropPerMille = 1
            network.replyDropPerMille = 1
        }
        h.sim.network = network
        var tick = 0
        // The driver's own state is its tick: the clock alone does not say it, since at a
        // tick's instant the world can be the same before and after the tick's decisions (the
        // soundness test found this).
        run.choices.explore?.fingerprint = {
            h.fingerprint(into: &$0)
            $0.combine(tick)
        }
        run.choices.explore?.testOnly_state = {
            (0..<n).map { h.sim.node($0)?.testOnly_state ?? "down" }.joined(separator: "\n")
        }
        while h.now < horizon {
            try h.sleep(ms: tickMs)
            tick += 1
            if commandTicks.contains(tick) {
                for i in 0..<n where h.sim.isUp(i) { h.start(i, 100 + tick) }
            }
            let kinds = faultKinds(n: n, partitions: partitions)
            let kind = h.choices.below(kinds + (leaderCrashes ? 1 : 0), "fault.kind")
            if kind == kinds {
                leaderTakesCommandAndCrashes(h, command: 200 + tick)
            } else {
                fault(h, kind)
            }
        }
        try h.check()
        run.choices.explore?.freeze()
        try RaftFuzz.healAndCheckLiveness(h)
    }

    /// Number of fault kinds: nothing, a crash or restart per peer, a cut or reconnect per peer,
    /// and with partitions a heal and every split in two (peer 0 on the first side).
    static func faultKinds(n: Int, partitions: Bool) -> Int {
        1 + 2 * n + (partitions ? 1 << (n - 1) : 0)
    }

    /// The Figure-8 step: the leader (of the highest term, if any peer believes it leads) Starts
    /// `command` and crashes before sending it; then every peer that was down (not this
    /// leader) restarts and reconnects.
    static func leaderTakesCommandAndCrashes(_ h: RaftHarness, command: Int) {
        let n = h.n
        let down = (0..<n).filter { !h.sim.isUp($0) }
        let leader = (0..<n).filter { h.state($0)?.isLeader == true }
            .max { h.state($0)!.term < h.state($1)!.term }
        if let l = leader {
            h.start(l, command)
            h.crash1(l)
        }
        for i in down {
            h.start1(i)
            h.connect(i)
        }
    }

    /// Fault `kind`: 0 nothing; 1...n crash or restart peer kind-1; n+1...2n cut or reconnect
    /// peer kind-n-1; 2n+1 heal; 2n+1+s for s ≥ 1: the split whose second side holds the peers
    /// i ≥ 1 with bit i-1 of s set.
    static func fault(_ h: RaftHarness, _ kind: Int) {
        let n = h.n
        if kind == 2 * n + 1 { return h.sim.heal() }
        if kind > 2 * n + 1 {
            return h.sim.partition(Connectivity.split(count: n, number: kind - 2 * n - 1))
        }
        switch kind {
        case 1...n:
            let i = kind - 1
            if h.sim.isUp(i) {
                h.crash1(i)
            } else {
                h.start1(i)
                h.connect(i)
            }
        case (n + 1)...(2 * n):
            let i = kind - n - 1
            if h.connected[i] {
                h.disconnect(i)
            } else if h.sim.isUp(i) {
                h.connect(i)
            }
        default:
            break
        }
    }
}
