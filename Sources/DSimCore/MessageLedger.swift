// What a liveness violation waited on: per ordered pair of nodes, how many requests were sent,
// lost to a cut link or a down node, dropped, delivered, and how many replies came back. The
// counts are cumulative from the start of the run; a `Mark` copies a node's row when its wait
// begins (a clerk's call, a heal), so the report counts only the window. The ledger lives in the
// harness, outside every node value: nothing here is fingerprinted or steers the run.

/// What happened to one message at the simulated network.
public enum MessageEvent: Sendable {
    /// Not sent: the link was cut or the destination was down (no trace line).
    case cut
    /// Sent: each copy is then dropped, delivered, or discarded unrecorded (stale incarnation).
    case sent
    /// A copy dropped by the network, at this `drop` line.
    case dropped(TraceLine)
    /// A copy delivered, at this `recv` line.
    case delivered(TraceLine)
}

/// Counts requests and replies between every ordered pair of nodes.
public final class MessageLedger {
    /// One direction's counts.
    public struct Tally: Equatable, Sendable {
        /// Messages sent (not counting those lost to a cut link).
        public var sent = 0
        /// Messages not sent: cut link or destination down.
        public var cut = 0
        /// Copies dropped by the network.
        public var dropped = 0
        /// Copies delivered.
        public var delivered = 0
        /// The `recv` line of the last delivered copy (0: none).
        public var lastDelivered: TraceLine = 0

        /// The counts since `base` (an earlier reading of the same tally).
        func since(_ base: Tally) -> Tally {
            Tally(
                sent: sent - base.sent, cut: cut - base.cut, dropped: dropped - base.dropped,
                delivered: delivered - base.delivered,
                lastDelivered: lastDelivered > base.lastDelivered ? lastDelivered : 0)
        }
    }

    /// A node's counts when a wait began: its requests out and the replies in.
    public struct Mark: Sendable {
        /// The waiting node.
        public let node: Int
        /// When the wait began (virtual time).
        public let time: VirtualTime
        /// The line that began it (a call, a heal).
        public let line: TraceLine
        let requestsOut: [Tally]
        let repliesIn: [Tally]
    }

    /// What one node asked one peer during a wait.
    public struct Outstanding: Sendable {
        /// The waiting node and the node it asked.
        public let from: Int
        public let to: Int
        /// Its requests to `to` since the mark.
        public let requests: Tally
        /// Replies from `to` delivered to it since the mark.
        public let answered: Int
        /// Requests with no reply delivered (a duplicated reply can make this 0 early).
        public var unanswered: Int { max(0, requests.sent - answered) }
    }

    private var requests: [[Tally]] = []
    private var replies: [[Tally]] = []

    /// An empty ledger.
    public init() {}

    /// Counts one network event of a request (or reply) from `from` to `to`.
    public func record(isReply: Bool, from: Int, to: Int, _ event: MessageEvent) {
        let size = max(from, to) + 1
        if requests.count < size { grow(to: size) }
        if isReply {
            Self.apply(event, to: &replies[from][to])
        } else {
            Self.apply(event, to: &requests[from][to])
        }
    }

    private static func apply(_ event: MessageEvent, to t: inout Tally) {
        switch event {
        case .cut: t.cut += 1
        case .sent: t.sent += 1
        case .dropped: t.dropped += 1
        case .delivered(let line):
            t.delivered += 1
            t.lastDelivered = line
        }
    }

    private func grow(to size: Int) {
        for i in requests.indices {
            requests[i] += Array(repeating: Tally(), count: size - requests[i].count)
            replies[i] += Array(repeating: Tally(), count: size - replies[i].count)
        }
        let row = Array(repeating: Tally(), count: size)
        requests += Array(repeating: row, count: size - requests.count)
        replies += Array(repeating: row, count: size - replies.count)
    }

    /// Counts every message of `sim` from now on (replaces its `messageTap`).
    public func attach<Node: SansIONode>(to sim: SansIOSimulation<Node>) {
        sim.messageTap = { [unowned self] m, from, to, event in
            self.record(isReply: m.isReply, from: from, to: to, event)
        }
    }

    /// Node `node`'s counts now: the start of a wait that began at `line`.
    public func mark(node: Int, time: VirtualTime, line: TraceLine) -> Mark {
        if requests.count <= node { grow(to: node + 1) }
        return Mark(
            node: node, time: time, line: line, requestsOut: requests[node],
            repliesIn: replies.map { $0[node] })
    }

    /// What `mark.node` asked each peer since the mark, peers it sent nothing to left out.
    public func outstanding(since mark: Mark) -> [Outstanding] {
        let a = mark.node
        var out: [Outstanding] = []
        for b in requests[a].indices {
            let base = b < mark.requestsOut.count ? mark.requestsOut[b] : Tally()
            let req = requests[a][b].since(base)
            guard req.sent > 0 || req.cut > 0 else { continue }
            let replyBase = b < mark.repliesIn.count ? mark.repliesIn[b].delivered : 0
            out.append(
                Outstanding(
                    from: a, to: b, requests: req, answered: replies[b][a].delivered - replyBase))
        }
        return out
    }
}

extension MessageLedger {
    /// The report of a liveness violation: writes one `waited` observation (from each mark's
    /// time to now: for each waiting node the requests it sent to each peer and how many were
    /// cut, dropped, delivered and answered) and returns its line, the `recv` lines of the last
    /// request each peer received and never answered, and the same in words.
    public func report(
        _ marks: [(mark: Mark, what: String)], trace: TraceRecorder, now: VirtualTime
    ) -> (line: TraceLine, cited: [TraceLine], text: String) {
        var calls: [JSON] = []
        var asked: [JSON] = []
        var cited: [TraceLine] = []
        var text: [String] = []
        for (mark, what) in marks {
            calls.append(
                .object([
                    ("node", .int(Int64(mark.node))), ("what", .string(what)),
                    ("line", .int(Int64(mark.line))), ("since", .int(mark.time)),
                ]))
            var peers: [String] = []
            for o in outstanding(since: mark) {
                let r = o.requests
                asked.append(
                    .object([
                        ("from", .int(Int64(o.from))), ("to", .int(Int64(o.to))),
                        ("sent", .int(Int64(r.sent))), ("cut", .int(Int64(r.cut))),
                        ("dropped", .int(Int64(r.dropped))),
                        ("delivered", .int(Int64(r.delivered))),
                        ("answered", .int(Int64(o.answered))),
                        ("lastRecv", r.lastDelivered > 0 ? .int(Int64(r.lastDelivered)) : .null),
                    ]))
                if o.unanswered > 0 && r.lastDelivered > 0 { cited.append(r.lastDelivered) }
                peers.append(
                    "to \(o.to): \(r.sent) sent, \(r.cut) not sent (cut/down), \(r.dropped) "
                        + "dropped, \(r.delivered) delivered, \(o.answered) answered"
                        + (r.lastDelivered > 0 ? " (last received line \(r.lastDelivered))" : ""))
            }
            text.append(
                "node \(mark.node) \(what) since \(formatTime(mark.time)) (line \(mark.line)): "
                    + (peers.isEmpty ? "no request sent" : peers.joined(separator: "; ")))
        }
        let line = trace.observe(
            "waited", node: nil,
            [("until", .int(now)), ("calls", .array(calls)), ("requests", .array(asked))])
        return (line, cited, "waited on (line \(line)):\n" + text.joined(separator: "\n"))
    }
}
