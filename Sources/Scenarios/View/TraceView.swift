// What `dsim view` draws, computed from a trace's lines alone (no re-execution, so a trace from
// another binary still shows): the observation events, one row each; the messages with the
// time they were sent; spans (roles and terms, crashed, disconnected, partitioned); the client
// operations of a key/value run; the verdict and the lines it cites.
//
// Sends are not trace lines, so a message's send time is inferred from the network decisions
// the sender drew (`TraceView+Sends.swift`). Causes are what the trace can support: an event's
// handler is the message its node received at the same instant just before it; a reply answers
// the latest request of the matching kind its sender received from its destination.
//
//   let view = TraceView(lines: file.lines)
//   let html = ViewPage.html(view)        // one self-contained page
import DSimCore

/// A trace prepared for the HTML viewer.
public struct TraceView {
    /// One observation line (a row of the diagram).
    public struct Event {
        /// Trace line number (the header is line 1).
        public var line: Int
        /// Virtual time, nanoseconds.
        public var t: Int
        /// The node it happened on; nil for world events (partition, heal, setup).
        public var node: Int?
        /// The `ev` name.
        public var ev: String
        /// The fields other than ev, t and node, as `key=value` text.
        public var summary: String
        /// The line of the message whose handler wrote it (same node, same instant), if any.
        public var cause: Int?
        /// The line as written in the trace.
        public var raw: String
    }

    /// A message: received (a `recv` line) or dropped (a `drop` line).
    public struct Message {
        /// Sender and destination nodes.
        public var from: Int
        /// See `from`.
        public var to: Int
        /// Send time (inferred; see `isSendTimeKnown`).
        public var sentAt: Int
        /// Receive time; nil when dropped.
        public var receivedAt: Int?
        /// The `recv` or `drop` line.
        public var line: Int
        /// The last observation line written before the send.
        public var sentAfterLine: Int
        /// The message kind (`msg`).
        public var kind: String
        /// True for the second copy of a duplicated send.
        public var isDuplicate: Bool
        /// True when the send time was found among the network decisions (else it is a guess).
        public var isSendTimeKnown: Bool
        /// The `recv` line that made the sender send it (same node, same instant), if any.
        public var cause: Int?
        /// For a reply: the `recv` line of the request it answers.
        public var answers: Int?
    }

    /// A span of rows on one lane (or on all lanes when `node` is nil).
    public struct Span {
        /// "role", "down", "cut" or "partition".
        public var kind: String
        /// The lane; nil for a partition.
        public var node: Int?
        /// First and last line of the span (`to` nil: to the end of the trace).
        public var from: Int
        /// See `from`.
        public var to: Int?
        /// What to write on it, e.g. `leader t5`.
        public var label: String
    }

    /// A client operation of a key/value run (an `op` line).
    public struct Operation {
        /// The `op` line.
        public var line: Int
        /// Operation id, client and the clerk's node.
        public var id: Int
        /// See `id`.
        public var client: Int
        /// See `id`.
        public var node: Int?
        /// Call and return times (`returnedAt` nil: it never returned).
        public var calledAt: Int
        /// See `calledAt`.
        public var returnedAt: Int?
        /// `append(k, v)`-style text, and the output.
        public var label: String
        /// See `label`.
        public var output: String
        /// Lines of the messages the clerk sent or received during the operation.
        public var served: [Int]
        /// True when the violation cites it.
        public var isCited: Bool
    }

    /// Line 1.
    public var header: JSON
    /// Every observation, in line order.
    public var events: [Event] = []
    /// Every received or dropped message, in line order.
    public var messages: [Message] = []
    /// Role, crash, disconnect and partition spans.
    public var spans: [Span] = []
    /// Client operations, by call time then id.
    public var operations: [Operation] = []
    /// The verdict line, if the trace has one.
    public var verdict: JSON?
    /// The lines the violation cites.
    public var cited: [Int] = []
    /// For an illegal history: the time of the point that cannot be passed, and the id of the
    /// operation whose return it is.
    public var illegalAt: Int?
    /// See `illegalAt`.
    public var illegalOperation: Int?
    /// The number of lines, and of decisions among them.
    public var lineCount = 0
    /// See `lineCount`.
    public var decisionCount = 0
    /// Every node that appears, ascending.
    public var nodes: [Int] = []

    /// Builds the view of `lines` (line 1 the header). Lines that do not parse are skipped:
    /// a viewer shows what it can.
    public init(lines: [String]) {
        header = lines.first.flatMap { try? JSON.parse($0) } ?? .object([])
        lineCount = lines.count
        var parsed: [(line: Int, json: JSON)] = []
        parsed.reserveCapacity(lines.count)
        for (index, text) in lines.enumerated().dropFirst() {
            guard let j = try? JSON.parse(text) else { continue }
            parsed.append((index + 1, j))
        }
        func raw(_ line: Int) -> String { lines[line - 1] }
        var sends = SendInference(delayMinNs: Self.delayMin(parsed, header: header))
        var nodeSet = Set<Int>()
        for (line, j) in parsed {
            if j["dec"] != nil {
                decisionCount += 1
                sends.decision(j)
            } else if let ev = j["ev"]?.stringValue {
                let node = j["node"]?.intValue
                if let n = node { nodeSet.insert(n) }
                if let to = j["to"]?.intValue, ev == "drop" { nodeSet.insert(to) }
                if let from = j["from"]?.intValue, ev == "recv" { nodeSet.insert(from) }
                events.append(
                    Event(
                        line: line, t: j["t"]?.intValue ?? 0, node: node, ev: ev,
                        summary: Self.summary(j), cause: nil, raw: raw(line)))
                if let m = sends.observation(j, line: line) { messages.append(m) }
            } else if j["verdict"] != nil {
                verdict = j
                cited = (j["events"]?.arrayValue ?? []).compactMap { $0.intValue }
            }
        }
        nodes = nodeSet.sorted()
        linkCauses()
        spans = Self.spans(events)
        operations = Self.operations(parsed, messages: messages, cited: Set(cited))
        illegalAt = Self.illegalPoint(verdict)
        illegalOperation = Self.illegalOperation(verdict)
    }

    /// The fixed minimum delay of the run's network, when its setup line states one.
    static func delayMin(_ parsed: [(line: Int, json: JSON)], header: JSON) -> Int {
        for (_, j) in parsed.prefix(200) {
            if let d = j["network"]?["delayMinNs"]?.intValue { return d }
        }
        return header["params"]?["network"]?["delayMinNs"]?.intValue ?? 0
    }

    static let fixedKeys: Set<String> = ["ev", "t", "node"]

    /// `key=value` text of an event's own fields, sorted by key.
    static func summary(_ j: JSON) -> String {
        guard case .object(let members) = j else { return "" }
        var parts: [String] = []
        for (k, v) in members.sorted(by: { $0.0 < $1.0 }) where !fixedKeys.contains(k) {
            if case .string(let s) = v {
                parts.append("\(k)=\(s)")
            } else {
                parts.append("\(k)=\(v.serialized)")
            }
        }
        return parts.joined(separator: " ")
    }
}
