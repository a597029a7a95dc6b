// When was a message sent? A trace writes a line when a message is received or dropped, not
// when it is sent; but every send draws its fate from `Choices` and the decisions are lines:
//
//   net.dup?                       the send: two copies when it says so
//     net.drop|net.dropreply?      per copy: dropped (a `drop` line follows at once) or not,
//     net.delay? net.shortdelay?   then its delay: delayMin + µs + µs
//     net.reorder? net.reorder1? net.reorder2?   + 200 ms + ms for a long-reordered reply
//
// A copy is queued for `sent + delay`; the kernel delivers equal times in queue order, so the
// receive at time T is the earliest unmatched copy queued for T. A copy whose delivery the
// kernel discards (the receiver crashed, a partition) writes no line and stays unmatched. A
// network that draws nothing (no drops, fixed delay) leaves no decision: the send is then
// taken as `T - delayMin` and marked as inferred without evidence.
import DSimCore

/// Pairs receive lines with the network decisions of their sends, in one pass over a trace.
struct SendInference {
    /// One queued copy of a message.
    struct Copy {
        var sentAt: Int
        var sentAfterLine: Int
        var delay: Int
        var stage: Int
        var group: Int
        var indexInGroup: Int
        var isReordered = false
    }

    let delayMinNs: Int
    /// The copy whose decisions are being read.
    var current: Copy?
    /// The send whose copies are being read (opened by `net.dup`), and its copies so far.
    var openGroup: Int?
    var copiesInOpenGroup = 0
    var nextGroup = 0
    /// Copies queued for each delivery time, in queue order.
    var queued: [Int: [Copy]] = [:]
    var lastObservationLine = 1

    init(delayMinNs: Int) { self.delayMinNs = delayMinNs }

    /// Position of each copy decision in a send's fixed order; a decision at or before the
    /// current one starts the next copy.
    static let stages: [String: Int] = [
        "net.drop": 0, "net.dropreply": 0, "net.delay": 1, "net.shortdelay": 2,
        "net.reorder": 3, "net.reorder1": 4, "net.reorder2": 5,
    ]

    mutating func decision(_ j: JSON) {
        let label = j["dec"]?.stringValue ?? ""
        let t = j["t"]?.intValue ?? 0
        let v = j["v"]?.intValue ?? 0
        if label == "net.dup" {
            flush()
            openGroup = nextGroup
            nextGroup += 1
            copiesInOpenGroup = 0
            return
        }
        guard let stage = Self.stages[label] else {
            flush()
            openGroup = nil
            return
        }
        if let c = current, stage <= c.stage { flush() }
        if current == nil { current = newCopy(at: t, stage: stage) }
        current!.stage = stage
        switch label {
        case "net.delay", "net.shortdelay": current!.delay += v * 1_000
        case "net.reorder":
            // chance(600, in: 900): "yes" is v >= 300; it adds 200 ms, reorder2 the rest.
            if v >= 300 {
                current!.isReordered = true
                current!.delay += 200_000_000
            }
        case "net.reorder2": current!.delay += v * 1_000_000
        default: break
        }
    }

    mutating func newCopy(at t: Int, stage: Int) -> Copy {
        let group: Int
        if let g = openGroup, copiesInOpenGroup < 2 {
            group = g
        } else {
            group = nextGroup
            nextGroup += 1
            openGroup = nil
            copiesInOpenGroup = 0
        }
        copiesInOpenGroup += 1
        return Copy(
            sentAt: t, sentAfterLine: lastObservationLine, delay: delayMinNs, stage: stage,
            group: group, indexInGroup: copiesInOpenGroup - 1)
    }

    /// Queues the copy being read, if any.
    mutating func flush() {
        guard let c = current else { return }
        queued[c.sentAt + c.delay, default: []].append(c)
        current = nil
    }

    /// Reads an observation; returns the message it is, for `recv` and `drop` lines.
    mutating func observation(_ j: JSON, line: Int) -> TraceView.Message? {
        let ev = j["ev"]?.stringValue ?? ""
        let t = j["t"]?.intValue ?? 0
        let kind = j["msg"]?.stringValue ?? "?"
        defer { lastObservationLine = line }
        if ev == "drop", let from = j["node"]?.intValue, let to = j["to"]?.intValue {
            // The drop line follows its copy's drop decision (none when the rate is 100%).
            let c = current ?? newCopy(at: t, stage: 0)
            current = nil
            return TraceView.Message(
                from: from, to: to, sentAt: c.sentAt, receivedAt: nil, line: line,
                sentAfterLine: c.sentAfterLine, kind: kind, isDuplicate: c.indexInGroup > 0,
                isSendTimeKnown: true, cause: nil, answers: nil)
        }
        flush()
        openGroup = nil
        guard ev == "recv", let to = j["node"]?.intValue, let from = j["from"]?.intValue else {
            return nil
        }
        if var q = queued[t], !q.isEmpty {
            let c = q.removeFirst()
            queued[t] = q.isEmpty ? nil : q
            return TraceView.Message(
                from: from, to: to, sentAt: c.sentAt, receivedAt: t, line: line,
                sentAfterLine: min(c.sentAfterLine, line - 1), kind: kind,
                isDuplicate: c.indexInGroup > 0, isSendTimeKnown: true, cause: nil, answers: nil)
        }
        return TraceView.Message(
            from: from, to: to, sentAt: max(0, t - delayMinNs), receivedAt: t, line: line,
            sentAfterLine: line - 1, kind: kind, isDuplicate: false, isSendTimeKnown: false,
            cause: nil, answers: nil)
    }
}
