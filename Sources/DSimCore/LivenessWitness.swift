// The lines a liveness violation cites. A wait that times out proves nothing by itself: a
// person needs the last fault (the heal or crash the system had to recover from), the last
// leader and the last progress before the wait, the call that never returned, and what the
// waiting node sent and got back in the window (`MessageLedger`). The witness watches the
// trace's observations and the network's messages from the harness, recorded or not (a fuzz
// run counts lines without writing them, and its re-run writes the same numbers), and keeps the
// line numbers here, outside every node value, so no fingerprint sees them.

/// Keeps the trace lines a liveness violation cites.
public final class LivenessWitness {
    /// Requests and replies per pair of nodes.
    public let ledger = MessageLedger()
    /// The last fault or heal: crash, restart, disconnect, connect, partition, heal,
    /// clientLinks (0: none yet).
    public private(set) var lastFault: TraceLine = 0
    /// The last `heal` (0: none yet): cited with the last fault, which may come after it.
    public private(set) var lastHeal: TraceLine = 0
    /// The last `role` line of each node that became leader.
    public private(set) var lastLeaderOf: [Int: TraceLine] = [:]
    /// The last line that showed progress (one of `progressEvents`: a call returned).
    public private(set) var lastProgress: TraceLine = 0
    /// The last `groupConfig` line of each node, with the configuration number it moved to.
    public private(set) var lastGroupConfig: [Int: (num: Int, line: TraceLine)] = [:]
    /// The observations that count as progress.
    let progressEvents: Set<String>
    /// Where each node's current wait began.
    private var marks: [Int: MessageLedger.Mark] = [:]

    static let faultEvents: Set<String> = [
        "crash", "restart", "disconnect", "connect", "partition", "heal", "clientLinks",
    ]

    /// A witness for which `progress` observations (e.g. `op`) mean a call returned.
    public init(progress: Set<String>) { progressEvents = progress }

    /// Watches `sim`'s trace and network from now on (replaces their observer and tap).
    public func attach<Node: SansIONode>(to sim: SansIOSimulation<Node>) {
        ledger.attach(to: sim)
        sim.trace.observer = { [unowned self] event, node, line, fields in
            self.saw(event, node: node, line: line, fields)
        }
    }

    private func saw(
        _ event: String, node: Int?, line: TraceLine, _ fields: () -> [(String, JSON)]
    ) {
        if Self.faultEvents.contains(event) {
            lastFault = line
            if event == "heal" { lastHeal = line }
        } else if progressEvents.contains(event) {
            lastProgress = line
        } else if event == "role", let n = node {
            if fields().contains(where: { $0.0 == "role" && $0.1 == .string("leader") }) {
                lastLeaderOf[n] = line
            }
        } else if event == "groupConfig", let n = node {
            if let num = fields().first(where: { $0.0 == "num" })?.1.intValue {
                lastGroupConfig[n] = (num, line)
            }
        }
    }

    /// Node `node` began waiting at `line` (a call): its requests count from now.
    public func began(node: Int, line: TraceLine, time: VirtualTime) {
        marks[node] = ledger.mark(node: node, time: time, line: line)
    }

    /// The violation `name` for the nodes in `waiting` (node, what it waited for), which never
    /// got their answer: writes the `waited` line, cites the last heal and the last fault, the
    /// last leader among the peers they asked, the last progress, each wait's first line, the
    /// `waited` line and the last unanswered request to each peer, and says so in the message.
    public func violation(
        _ name: String, _ message: String, waiting: [(node: Int, what: String)],
        trace: TraceRecorder, now: VirtualTime
    ) -> Violation {
        let marks = waiting.map { w in
            (mark: self.marks[w.node] ?? ledger.mark(node: w.node, time: now, line: 0), w.what)
        }
        let report = ledger.report(marks, trace: trace, now: now)
        var peers = Set<Int>()
        for (mark, _) in marks {
            for o in ledger.outstanding(since: mark) { peers.insert(o.to) }
        }
        let leader = peers.compactMap { lastLeaderOf[$0] }.max() ?? 0
        let lines =
            [lastHeal, lastFault, leader, lastProgress, report.line] + marks.map(\.mark.line)
            + report.cited
        var context: [String] = []
        if lastHeal > 0 && lastHeal != lastFault { context.append("last heal line \(lastHeal)") }
        if lastFault > 0 { context.append("last fault or heal line \(lastFault)") }
        context.append(leader > 0 ? "last leader line \(leader)" : "no leader among them")
        if lastProgress > 0 { context.append("last progress line \(lastProgress)") }
        let start = marks.map(\.mark.time).min() ?? now
        return Violation(
            name,
            message + "\nwaited from \(formatTime(start)) to \(formatTime(now)); "
                + context.joined(separator: ", ") + "\n" + report.text,
            events: Set(lines.filter { $0 > 0 }).sorted())
    }
}
