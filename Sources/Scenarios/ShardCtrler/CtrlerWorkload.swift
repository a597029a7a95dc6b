// The clients of a controller run (the Go tests' clerks and goroutines), behind the clerk
// nodes. Each clerk has a script (operations the scenario asked for, performed in order) and
// optionally a generator (the fuzz workload) that runs until `stop`. Every return is written
// to the trace as one `ctrlerOp` observation and handed to the monitor, with the latest
// committed configuration number at the call, so the monitor can tell a stale Query(-1).
import DSimCore
import ShardCtrler

/// The workload shared by the clerks of one run.
final class CtrlerWorkload: CtrlerDriver {
    /// Per-clerk state.
    struct Clerk {
        /// Scripted operations; `script[head...]` are still to do.
        var script: [CtrlerOp] = []
        var head = 0
        /// Draw operations from `generator` when the script is empty (until `stop`).
        var isGenerating = false
        /// Pause before the next generated operation.
        var mustThink = false
        /// The operation in flight, its call time and the latest committed number then.
        var current: CtrlerOp?
        var callTime: VirtualTime = 0
        var minNum = 0
        /// Operations completed so far.
        var completed = 0
        /// The last completion.
        var last: CtrlerCompletion?
    }

    /// Clerk states, by clerk index.
    var clerks: [Clerk]
    /// Node id of clerk 0 (clerk `c` is node `firstNode + c`; its client id is its node id).
    let firstNode: Int
    let monitor: CtrlerMonitor
    let trace: TraceRecorder
    let choices: Choices
    /// Generated operations stop being started once set.
    var stop = false
    /// Largest think time between generated operations.
    var thinkMaxMs = 0
    /// Makes clerk `c`'s next operation.
    var generator: ((Int) -> CtrlerOp)?
    /// Called when clerk `c`'s operation returned (the scenario's own bookkeeping).
    var onComplete: ((Int, CtrlerCompletion) -> Void)?
    /// Told where each call began (a liveness violation counts the clerk's requests from
    /// there); kept in the harness, never in a node's state.
    var witness: LivenessWitness?
    /// The `ctrlerOp` line of each clerk's last return (0: none yet); kept out of `Clerk`, which
    /// explore fingerprints, because a line number is not state.
    private(set) var lastLines: [TraceLine]

    init(
        clerks: Int, firstNode: Int, monitor: CtrlerMonitor, trace: TraceRecorder, choices: Choices
    ) {
        self.clerks = Array(repeating: Clerk(), count: clerks)
        lastLines = Array(repeating: 0, count: clerks)
        self.firstNode = firstNode
        self.monitor = monitor
        self.trace = trace
        self.choices = choices
    }

    func next(clerk c: Int, now: VirtualTime) -> CtrlerClerkNext {
        if clerks[c].head < clerks[c].script.count {
            let op = clerks[c].script[clerks[c].head]
            clerks[c].head += 1
            return call(c, op, now)
        }
        guard clerks[c].isGenerating, !stop, let generate = generator else { return .idle }
        if clerks[c].mustThink && thinkMaxMs > 0 {
            clerks[c].mustThink = false
            let ms = choices.between(0, thinkMaxMs, "ctrler.think")
            if ms > 0 { return .pause(VirtualTime(ms) * Duration.millisecond) }
        }
        clerks[c].mustThink = true
        return call(c, generate(c), now)
    }

    private func call(_ c: Int, _ op: CtrlerOp, _ now: VirtualTime) -> CtrlerClerkNext {
        clerks[c].current = op
        clerks[c].callTime = now
        clerks[c].minNum = monitor.latestNum
        // The call is a line of its own: a call that never returns is cited from its start.
        let line = trace.observe(
            "call", node: firstNode + c,
            [("client", .int(Int64(firstNode + c))), ("op", .string(op.name))])
        witness?.began(node: firstNode + c, line: line, time: now)
        return .perform(op)
    }

    func completed(clerk c: Int, _ done: CtrlerCompletion, now: VirtualTime) {
        let k = clerks[c]
        var fields: [(String, JSON)] = [
            ("client", .int(Int64(firstNode + c))), ("seq", .int(Int64(done.seq))),
            ("op", .string(done.op.name)), ("call", .int(k.callTime)), ("return", .int(now)),
        ]
        if case .query(let n) = done.op { fields.append(("arg", .int(Int64(n)))) }
        if let cfg = done.config { fields.append(("num", .int(Int64(cfg.num)))) }
        let line = trace.observe("ctrlerOp", node: firstNode + c, fields)
        monitor.completed(clientId: firstNode + c, done, minNum: k.minNum, line: line)
        lastLines[c] = line
        clerks[c].current = nil
        clerks[c].completed += 1
        clerks[c].last = done
        onComplete?(c, done)
    }

    /// What clerk `c` is doing, in words: `clerk 2 Join` (or `clerk 2 idle`).
    func doing(_ c: Int) -> String {
        guard let op = clerks[c].current else { return "clerk \(c) idle" }
        return "clerk \(c) \(op.name)"
    }

    /// True when no clerk has an operation in flight or scripted.
    var isQuiet: Bool {
        clerks.allSatisfy { $0.current == nil && $0.head == $0.script.count }
    }
}
