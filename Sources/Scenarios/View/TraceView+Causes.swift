// Causes, spans and client operations of a `TraceView`.
//
// A node runs one handler at a time and a handler runs in one instant, so the events a node
// writes at time t right after it received a message at t are that message's doing; a reply's
// request is the latest one of its kind the replier received from the reply's destination
// before sending it. Both are what the trace supports, and the page says "handler" and
// "answers", not more.
import DSimCore

extension TraceView {
    /// Receives per node, in line order, as indexes into `messages`.
    func receivesByNode() -> [Int: [Int]] {
        var out: [Int: [Int]] = [:]
        for (i, m) in messages.enumerated() where m.receivedAt != nil {
            out[m.to, default: []].append(i)
        }
        return out
    }

    /// Fills `Event.cause`, `Message.cause` and `Message.answers`.
    mutating func linkCauses() {
        var lastReceive: [Int: (line: Int, t: Int)] = [:]
        for i in events.indices {
            guard let n = events[i].node else { continue }
            if events[i].ev == "recv" {
                lastReceive[n] = (events[i].line, events[i].t)
            } else if let r = lastReceive[n], r.t == events[i].t {
                events[i].cause = r.line
            }
        }
        let receives = receivesByNode()
        for i in messages.indices {
            let m = messages[i]
            guard let list = receives[m.from] else { continue }
            // The sender's receives up to the send, latest last.
            var hi = list.count
            var lo = 0
            while lo < hi {
                let mid = (lo + hi) / 2
                if messages[list[mid]].line <= m.sentAfterLine { lo = mid + 1 } else { hi = mid }
            }
            if lo > 0, messages[list[lo - 1]].receivedAt == m.sentAt {
                messages[i].cause = messages[list[lo - 1]].line
            }
            if m.kind.hasSuffix("Reply") {
                messages[i].answers = request(of: m, among: list[..<lo])
            }
        }
    }

    /// The latest receive in `candidates` that `reply` answers.
    func request(of reply: Message, among candidates: ArraySlice<Int>) -> Int? {
        let base = String(reply.kind.dropLast("Reply".count))
        var looked = 0
        for k in candidates.reversed() {
            let r = messages[k]
            if r.from == reply.to && (r.kind == base || r.kind == base + "Request") {
                return r.line
            }
            looked += 1
            if looked > 2_000 { break }
        }
        return nil
    }

    /// Role and term bands, crashed and disconnected stretches, partitions.
    static func spans(_ events: [Event]) -> [Span] {
        var out: [Span] = []
        var openRole: [Int: Int] = [:]
        var openDown: [Int: Int] = [:]
        var openCut: [Int: Int] = [:]
        var openPartition: Int?
        func close(_ open: inout [Int: Int], _ node: Int, at line: Int) {
            if let i = open.removeValue(forKey: node) { out[i].to = line }
        }
        for e in events {
            let n = e.node ?? -1
            switch e.ev {
            case "role", "boot":
                close(&openRole, n, at: e.line)
                close(&openDown, n, at: e.line)
                guard let label = roleLabel(e) else { break }
                openRole[n] = out.count
                out.append(Span(kind: "role", node: n, from: e.line, to: nil, label: label))
            case "crash":
                close(&openRole, n, at: e.line)
                openDown[n] = out.count
                out.append(Span(kind: "down", node: n, from: e.line, to: nil, label: "crashed"))
            case "disconnect":
                openCut[n] = out.count
                out.append(Span(kind: "cut", node: n, from: e.line, to: nil, label: "cut off"))
            case "connect": close(&openCut, n, at: e.line)
            case "partition", "heal":
                if let i = openPartition { out[i].to = e.line }
                openPartition = nil
                guard e.ev == "partition" else { break }
                openPartition = out.count
                out.append(
                    Span(kind: "partition", node: nil, from: e.line, to: nil, label: e.summary))
            default: break
            }
        }
        return out
    }

    /// `leader t5` from a role line, `follower t0` from a boot line with a term.
    static func roleLabel(_ e: Event) -> String? {
        var role: String?
        var term: String?
        for part in e.summary.split(separator: " ") {
            if part.hasPrefix("role=") { role = String(part.dropFirst(5)) }
            if part.hasPrefix("term=") { term = String(part.dropFirst(5)) }
        }
        if e.ev == "boot" { role = term == nil ? nil : "follower" }
        guard let r = role else { return nil }
        return term.map { "\(r) t\($0)" } ?? r
    }

    /// The operation whose return a linearizability explanation says cannot be passed
    /// ("operation N returned at T").
    static func illegalOperation(_ verdict: JSON?) -> Int? {
        guard let message = verdict?["message"]?.stringValue,
            let r = message.range(of: " returned at ")
        else { return nil }
        let before = message[..<r.lowerBound]
        let digits = before.reversed().prefix { $0.isNumber }
        return Int(String(digits.reversed()))
    }

    /// The time a linearizability explanation says cannot be passed ("returned at T").
    static func illegalPoint(_ verdict: JSON?) -> Int? {
        guard let message = verdict?["message"]?.stringValue,
            let r = message.range(of: "returned at ")
        else { return nil }
        let digits = message[r.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }
}
