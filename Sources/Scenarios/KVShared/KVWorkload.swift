// The clients of a key/value run (the Go tests' client goroutines), behind the clerks.
//
// Each clerk has a script (operations the scenario asked for, performed first, in order) and
// optionally a generator (the GenericTest loop: after each operation a think-time pause drawn
// from the choices, then the next generated operation) that runs until `stop` is set. Every
// call and return is recorded in the run's `KVHistory` at its virtual time and written to the
// trace as one `op` observation in the history format of DESIGN §6, so `dsim history TRACE`
// yields the same history the checker saw. Operations still pending at the end are written
// with `"return": null` by `emitPending`.
import DSimCheck
import DSimCore
import KVRaft

/// The workload and history recorder shared by the clerks of one run.
final class KVWorkload: KVClerkDriver {
    /// Per-clerk state.
    struct Clerk {
        /// Scripted operations; `script[head...]` are still to do.
        var script: [KVOperation] = []
        var head = 0
        /// Draw operations from `generator` when the script is empty (until `stop`).
        var isGenerating = false
        /// Pause before the next generated operation.
        var mustThink = false
        /// The operation in flight and its history index.
        var current: KVOperation?
        var currentId = -1
        /// Operations completed so far.
        var completed = 0
        /// The value the last completed operation returned.
        var lastValue = ""
    }

    /// Clerk states, by clerk index.
    var clerks: [Clerk]
    /// Node id of clerk 0 (clerk `c` is node `firstNode + c`).
    let firstNode: Int
    /// Every operation called so far.
    var history = KVHistory()
    /// Trace line of each returned operation's `op` observation, by history id.
    var opLines: [TraceLine] = []
    /// Trace line of each operation's `call` observation, by history id.
    var callLines: [TraceLine] = []
    /// Told where each call began (a liveness violation counts the clerk's requests from
    /// there); kept here in the harness, never in a node's state.
    var witness: LivenessWitness?
    let trace: TraceRecorder
    let choices: Choices
    /// Generated operations stop being started once set.
    var stop = false
    /// Smallest and largest think time between generated operations.
    var thinkMinMs = 0
    var thinkMaxMs = 0
    /// Makes clerk `c`'s next operation (GenericTest's loop body).
    var generator: ((Int) -> KVOperation)?
    /// Called when clerk `c`'s operation returned (for the tests' own checks).
    var onComplete: ((Int, KVOperation, String) -> Void)?
    /// The first failed check of a client (e.g. "get wrong value").
    var violation: Violation?

    init(clerks: Int, firstNode: Int, trace: TraceRecorder, choices: Choices) {
        self.clerks = Array(repeating: Clerk(), count: clerks)
        self.firstNode = firstNode
        self.trace = trace
        self.choices = choices
    }

    func next(clerk c: Int, now: VirtualTime) -> KVClerkNext {
        if clerks[c].head < clerks[c].script.count {
            let op = clerks[c].script[clerks[c].head]
            clerks[c].head += 1
            return call(c, op, now)
        }
        guard clerks[c].isGenerating, !stop, let generate = generator else { return .idle }
        if clerks[c].mustThink && thinkMaxMs > 0 {
            clerks[c].mustThink = false
            let ms = choices.between(thinkMinMs, thinkMaxMs, "kv.think")
            if ms > 0 { return .pause(VirtualTime(ms) * Duration.millisecond) }
        }
        clerks[c].mustThink = true
        return call(c, generate(c), now)
    }

    private func call(_ c: Int, _ op: KVOperation, _ now: VirtualTime) -> KVClerkNext {
        let id = history.recordCall(client: c, input: Self.input(op), time: Int(now))
        opLines.append(0)
        // The call is a line of its own: a call that never returns is cited from its start.
        let line = trace.observe(
            "call", node: firstNode + c,
            [
                ("client", .int(Int64(c))), ("opId", .int(Int64(id))),
                ("op", .string(Self.opName(Self.input(op)))), ("key", .string(op.key)),
            ])
        callLines.append(line)
        witness?.began(node: firstNode + c, line: line, time: now)
        clerks[c].current = op
        clerks[c].currentId = id
        return .perform(op)
    }

    func completed(clerk c: Int, value: String, now: VirtualTime) {
        guard let op = clerks[c].current else { preconditionFailure("clerk \(c) returned idle") }
        let id = clerks[c].currentId
        let output: KVOutput = op.op == .get ? .value(value) : .ok
        history.recordReturn(id, output: output, time: Int(now))
        opLines[id] = trace.observe("op", node: firstNode + c, opFields(id, output: output))
        clerks[c].current = nil
        clerks[c].completed += 1
        clerks[c].lastValue = value
        onComplete?(c, op, value)
    }

    /// Writes an `op` observation with `"return": null` for every operation still pending.
    func emitPending() {
        for op in history.operations where op.returnTime == nil {
            opLines[op.id] = trace.observe(
                "op", node: firstNode + op.client, opFields(op.id, output: nil))
        }
    }

    /// The fields of an `op` observation (history format, DESIGN §6).
    private func opFields(_ id: Int, output: KVOutput?) -> [(String, JSON)] {
        let op = history.operations[id]
        var input: [(String, JSON)] = [
            ("op", .string(Self.opName(op.input))), ("key", .string(op.input.key)),
        ]
        switch op.input {
        case .put(_, let v), .append(_, let v): input.append(("value", .string(v)))
        case .get: break
        }
        let out: JSON
        switch output {
        case .value(let v)?: out = .object([("value", .string(v))])
        case .ok?: out = .object([])
        case nil: out = .object([("unknown", .bool(true))])
        }
        return [
            ("client", .int(Int64(op.client))), ("opId", .int(Int64(id))),
            ("call", .int(Int64(op.callTime))),
            ("return", op.returnTime.map { .int(Int64($0)) } ?? .null),
            ("input", .object(input)), ("output", out),
        ]
    }

    static func opName(_ input: KVInput) -> String {
        switch input {
        case .get: return "get"
        case .put: return "put"
        case .append: return "append"
        }
    }

    static func input(_ op: KVOperation) -> KVInput {
        switch op.op {
        case .get: return .get(key: op.key)
        case .put: return .put(key: op.key, value: op.value)
        case .append: return .append(key: op.key, value: op.value)
        }
    }

    /// The `op` line of clerk `c`'s last returned operation (0: none yet): what a check of the
    /// value it returned cites.
    func lastOpLine(_ c: Int) -> TraceLine {
        let id = clerks[c].currentId
        return id >= 0 && id < opLines.count ? opLines[id] : 0
    }

    /// What clerk `c` is doing, in words: `clerk 2 Put(k1)` (or `clerk 2 idle`).
    func doing(_ c: Int) -> String {
        guard let op = clerks[c].current else { return "clerk \(c) idle" }
        return "clerk \(c) \(op.op.name)(\(op.key))"
    }

    /// True when no clerk has an operation in flight or scripted.
    var isQuiet: Bool {
        clerks.allSatisfy { $0.current == nil && $0.head == $0.script.count }
    }
}
