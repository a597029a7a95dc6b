// What every key/value harness shares (kvraft's and shardkv's config.go in virtual time): the
// clients and their history (`KVWorkload`), synchronous clerk calls for a test's own steps
// (`call`, `get`, `put`, `append`, config.go's `check`), waiting for the clients, and the
// end-of-run checks — checkClntAppends / checkConcurrentAppends and the porcupine check of the
// whole history with the kv model (per key): illegal is a `linearizability` violation naming
// the operations that cannot be placed, a checker timeout is `unknown`, never ok. A harness
// provides only how to wake a clerk and how to run its simulation until a condition holds.
import DSimCheck
import DSimCore
import KVRaft

/// A harness whose clerks are driven by a `KVWorkload`.
protocol KVClientHarness: AnyObject {
    /// The clients and the history.
    var workload: KVWorkload { get }
    /// The first violation seen by the simulation's checkers, if any.
    var simViolation: Violation? { get set }
    /// Wakes clerk `c` so it looks for work.
    func kick(_ c: Int)
    /// Runs the simulation until `condition` holds or `timeout` passes; returns whether it held.
    func run(for timeout: VirtualTime, until condition: () -> Bool) -> Bool
    /// What a liveness failure should also report about the servers ("" for nothing).
    var diagnostics: String { get }
    /// The lines a liveness failure cites.
    var witness: LivenessWitness { get }
    /// Virtual now.
    var now: VirtualTime { get }
    /// How long a synchronous call or the clients' drain may take (`kvCallBudgetNs`; a fuzz
    /// scenario's liveness window).
    var callBudgetNs: VirtualTime { get }
}

/// How long a harness waits for one synchronous clerk call before calling it a liveness
/// failure (the originals wait forever, up to the 120 s test limit).
let kvCallBudgetNs = 60 * Duration.second

extension KVClientHarness {
    /// Nothing.
    var diagnostics: String { "" }
    /// `kvCallBudgetNs`.
    var callBudgetNs: VirtualTime { kvCallBudgetNs }

    /// Number of clerks.
    var clerkCount: Int { workload.clerks.count }

    /// Throws the first violation seen so far.
    func check() throws {
        if let v = simViolation ?? workload.violation { throw v }
    }

    /// Fails the run with check `name`.
    func fail(_ name: String, _ message: String, events: [TraceLine] = []) -> Violation {
        let v = Violation(name, message, events: events.filter { $0 > 0 })
        if simViolation == nil { simViolation = v }
        return v
    }

    /// Fails the run with a `liveness` violation: the nodes in `waiting` (node, what it
    /// waited for) never got their answer. Cites the witness's lines (`LivenessWitness`).
    func livenessFailure(_ message: String, waiting: [(node: Int, what: String)]) -> Violation {
        let v = witness.violation(
            "liveness", message + diagnostics, waiting: waiting, trace: workload.trace, now: now)
        if simViolation == nil { simViolation = v }
        return v
    }

    /// `livenessFailure` for clerks `clerks`.
    func livenessFailure(_ message: String, clerks: [Int]) -> Violation {
        livenessFailure(
            message, waiting: clerks.map { (workload.firstNode + $0, workload.doing($0)) })
    }

    /// Queues `op` on clerk `c` and starts it when the clerk is free (a goroutine's call).
    func start(_ c: Int, _ op: KVOperation) {
        workload.clerks[c].script.append(op)
        kick(c)
    }

    /// Clerk `c` performs `op` and the harness waits for it up to `timeoutNs`; returns its
    /// value, or nil when it did not complete in time.
    func perform(_ c: Int, _ op: KVOperation, timeoutNs: VirtualTime? = nil) throws
        -> String?
    {
        let timeoutNs = timeoutNs ?? callBudgetNs
        let target =
            workload.clerks[c].completed + workload.clerks[c].script.count
            - workload.clerks[c].head + (workload.clerks[c].current == nil ? 0 : 1) + 1
        start(c, op)
        let done = run(for: timeoutNs) { [workload] in workload.clerks[c].completed >= target }
        try check()
        return done ? workload.clerks[c].lastValue : nil
    }

    /// A synchronous call that must complete within the call budget.
    @discardableResult
    func call(_ c: Int, _ op: KVOperation) throws -> String {
        guard let v = try perform(c, op) else {
            throw livenessFailure(
                "clerk \(c): \(op.op.name)(\(op.key)) did not complete within \(formatTime(callBudgetNs))",
                clerks: [c])
        }
        return v
    }

    /// Get through clerk `c`.
    func get(_ c: Int, _ key: String) throws -> String { try call(c, KVOperation(.get, key)) }
    /// Put through clerk `c`.
    func put(_ c: Int, _ key: String, _ value: String) throws {
        try call(c, KVOperation(.put, key, value))
    }
    /// Append through clerk `c`.
    func append(_ c: Int, _ key: String, _ value: String) throws {
        try call(c, KVOperation(.append, key, value))
    }

    /// config.go `check`: Get(key) through clerk `c` must be `expected`.
    func checkValue(_ c: Int, _ key: String, _ expected: String) throws {
        let v = try get(c, key)
        if v != expected {
            throw fail(
                "get-wrong-value", "Get(\(key)): expected:\n\(expected)\nreceived:\n\(v)",
                events: [workload.lastOpLine(c)])
        }
    }

    /// Runs until no clerk has work left, or fails after `budgetNs`.
    func waitClientsDone(budgetNs: VirtualTime? = nil) throws {
        let budgetNs = budgetNs ?? callBudgetNs
        let done = run(for: budgetNs) { [workload] in workload.isQuiet }
        try check()
        if !done {
            let busy = workload.clerks.indices.filter { workload.clerks[$0].current != nil }
            throw livenessFailure(
                "clerks \(busy) still had operations in flight after \(formatTime(budgetNs))",
                clerks: busy)
        }
    }
}

extension KVClientHarness {
    /// checkClntAppends(clnt, v, count): "x clnt j y" for j < count each appear exactly once,
    /// in increasing j order. `read`: the `op` line of the Get that returned `v` (cited).
    func checkClientAppends(_ clnt: Int, _ v: String, _ count: Int, read: TraceLine = 0) throws {
        let hay = Array(v.utf8)
        var lastOffset = -1
        for j in 0..<count {
            let wanted = Array("x \(clnt) \(j) y".utf8)
            let hits = KVWorkload.occurrences(of: wanted, in: hay, limit: 2)
            guard let off = hits.first else {
                throw fail(
                    "missing-element",
                    "\(clnt) missing element x \(clnt) \(j) y in Append result \(v)",
                    events: [read])
            }
            if hits.count > 1 {
                throw fail(
                    "duplicate-element", "duplicate element x \(clnt) \(j) y in Append result \(v)",
                    events: [read])
            }
            if off <= lastOffset {
                throw fail(
                    "wrong-order", "wrong order for element x \(clnt) \(j) y in Append result \(v)",
                    events: [read])
            }
            lastOffset = off
        }
    }

    /// checkConcurrentAppends(v, counts): every client's appends, each once and in order.
    func checkConcurrentAppends(_ v: String, _ counts: [Int], read: TraceLine = 0) throws {
        for (clnt, count) in counts.enumerated() {
            try checkClientAppends(clnt, v, count, read: read)
        }
    }

    /// Each append to `key` appears at most once in `v`, and a client's appends that appear
    /// do so in the order it issued them (a Put erases a prefix, never reorders; presence is
    /// the linearizability check's job). Cites `read` (the Get that returned `v`) and the
    /// append's own `op` line.
    func checkAppendsOnce(key: String, _ v: String, read: TraceLine = 0) throws {
        let hay = Array(v.utf8)
        var lastOffset = Array(repeating: -1, count: clerkCount)
        for op in workload.history.operations {  // in call order: per client, issue order
            guard case .append(let k, let value) = op.input, k == key else { continue }
            let hits = KVWorkload.occurrences(of: Array(value.utf8), in: hay, limit: 2)
            let cited = [op.id < workload.opLines.count ? workload.opLines[op.id] : 0, read]
            if hits.count > 1 {
                throw fail(
                    "duplicate-element", "duplicate element \(value) in key \(key): \(v)",
                    events: cited.sorted())
            }
            guard let off = hits.first else { continue }
            if off <= lastOffset[op.client] {
                throw fail(
                    "wrong-order", "wrong order for element \(value) in key \(key): \(v)",
                    events: cited.sorted())
            }
            lastOffset[op.client] = off
        }
    }

    /// Ends the run: writes pending operations to the trace, then checks the history unless
    /// `body` already failed. Illegal → `linearizability`; the check's counted budget spent →
    /// `unknown` (a count, not seconds, so the verdict is the same on every machine). Every
    /// run is checked: no scenario opts out.
    func verdict(_ body: () throws -> Void) -> DSimCore.Verdict {
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
        return workload.checkHistory()
    }

    /// Porcupine with the kv model over the whole history (see `KVWorkload.checkHistory`).
    func checkHistory() -> DSimCore.Verdict {
        workload.checkHistory()
    }
}

extension KVWorkload {
    /// Search iterations per key an in-run history check may spend when the run sets no
    /// smaller budget (`TraceRecorder.checkIterationsMax`, a shrink's): a count, never a clock,
    /// so `unknown` reproduces like `ok` does. 2^26 iterations is about what the former 10-20 s
    /// wall-clock deadline allowed on a fast machine.
    static let checkIterationsDefault = 1 << 26
    /// Cache bytes the whole history's search may hold in a run, every key's share together
    /// (counted, so deterministic too): keeps a campaign job's memory bounded. 96 MiB was too
    /// little for TestConcurrent3_5B's 43,582 operations (a key of 6,882 needed more than its
    /// 19 MiB share); fuzz histories stay far below it.
    static let checkCacheBytesMax = 256 << 20

    /// Porcupine with the kv model, per key, sequential (we are inside a simulation).
    func checkHistory() -> DSimCore.Verdict {
        let options = CheckOptions(
            timeoutSeconds: nil, isParallel: false, cacheBytesMax: Self.checkCacheBytesMax,
            iterationsMax: trace.checkIterationsMax ?? Self.checkIterationsDefault)
        let result = history.check(options: options)
        // The check's work counts as steps too, so a shrink's step budget bounds it (the
        // configurations explored are a count: the same on every machine).
        trace.steps &+= result.configurationCount
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
                let l = opLines[id]
                return l > 0 ? l : nil
            }
            let message =
                "history is not linearizable (\(result.operationCount) operations):\n"
                + e.text()
            return .violation(Violation("linearizability", message, events: lines))
        }
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
}
