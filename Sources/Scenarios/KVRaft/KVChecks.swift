// The end-of-run checks of the kvraft tests: checkClntAppends / checkConcurrentAppends (each
// client's appends appear exactly once and in order in the final value) and the porcupine
// check of the whole history with the kv model. Differences from the original: a checker
// timeout is `unknown` (the original passes), and the history is checked even by tests that
// pass a nil opLog (more checking, same expected verdict for a correct service).
import DSimCheck
import DSimCore

extension KVHarness {
    /// checkClntAppends(clnt, v, count): "x clnt j y" for j < count each appear exactly once,
    /// in increasing j order.
    func checkClientAppends(_ clnt: Int, _ v: String, _ count: Int) throws {
        let hay = Array(v.utf8)
        var lastOffset = -1
        for j in 0..<count {
            let wanted = Array("x \(clnt) \(j) y".utf8)
            let hits = Self.occurrences(of: wanted, in: hay, limit: 2)
            guard let off = hits.first else {
                throw fail(
                    "missing-element",
                    "\(clnt) missing element x \(clnt) \(j) y in Append result \(v)")
            }
            if hits.count > 1 {
                throw fail(
                    "duplicate-element", "duplicate element x \(clnt) \(j) y in Append result \(v)")
            }
            if off <= lastOffset {
                throw fail(
                    "wrong-order", "wrong order for element x \(clnt) \(j) y in Append result \(v)")
            }
            lastOffset = off
        }
    }

    /// checkConcurrentAppends(v, counts): every client's appends, each once and in order.
    func checkConcurrentAppends(_ v: String, _ counts: [Int]) throws {
        for (clnt, count) in counts.enumerated() { try checkClientAppends(clnt, v, count) }
    }

    /// Offsets of up to `limit` occurrences of `needle` in `hay` (naive search; values are
    /// a few kilobytes).
    static func occurrences(of needle: [UInt8], in hay: [UInt8], limit: Int) -> [Int] {
        var hits: [Int] = []
        guard !needle.isEmpty, hay.count >= needle.count else { return hits }
        var i = 0
        while i <= hay.count - needle.count {
            var k = 0
            while k < needle.count && hay[i + k] == needle[k] { k += 1 }
            if k == needle.count {
                hits.append(i)
                if hits.count >= limit { break }
            }
            i += 1
        }
        return hits
    }

    /// Ends the run: writes pending operations to the trace, then checks the history unless
    /// `body` already failed. Illegal → `linearizability`; checker timeout → `unknown`.
    /// `checksHistory: false` for tests whose original passes a nil opLog and whose history
    /// defeats the search (e.g. 50 concurrent appends to one key and a single final Get).
    func verdict(
        timeoutSeconds: Double = 20, checksHistory: Bool = true, _ body: () throws -> Void
    ) -> DSimCore.Verdict {
        var failure: Violation?
        do {
            try body()
        } catch let v as Violation {
            failure = v
        } catch {
            failure = Violation("harness-error", "\(error)")
        }
        workload.emitPending()
        if let v = failure { return .violation(v) }
        if !checksHistory { return .ok }
        return checkHistory(timeoutSeconds: timeoutSeconds)
    }

    /// Porcupine with the kv model, per key, sequential (we are inside a simulation).
    func checkHistory(timeoutSeconds: Double) -> DSimCore.Verdict {
        let options = CheckOptions(timeoutSeconds: timeoutSeconds, isParallel: false)
        let result = workload.history.check(options: options)
        switch result.verdict {
        case .linearizable:
            return .ok
        case .unknown:
            return .unknown(
                "linearizability check of \(result.operationCount) operations gave up: "
                    + (result.unknownReason ?? "?"))
        case .illegal:
            let e = result.explanation!
            let ids = e.blocked.map(\.id) + (e.deadline.map { [$0.id] } ?? [])
            let lines = Set(ids).sorted().compactMap { id -> TraceLine? in
                let l = workload.opLines[id]
                return l > 0 ? l : nil
            }
            let message =
                "history is not linearizable (\(result.operationCount) operations):\n"
                + e.text()
            return .violation(Violation("linearizability", message, events: lines))
        }
    }
}
