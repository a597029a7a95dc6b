// The scheduler of the async style: ready jobs, timers, spawn, crash and restart.
import Foundation

/// The driver for async processes on simulated nodes.
public final class AsyncSimulation {
    struct ReadyJob {
        let job: UnownedJob
        let executor: NodeExecutor
        /// The simulated task the job belongs to (PCT's thread), nil when unknown (see
        /// `enqueue`).
        let task: SimTask?
    }

    /// The run's decisions.
    public let choices: Choices
    /// The run's trace.
    public let trace: TraceRecorder
    /// Current virtual time.
    public internal(set) var now: VirtualTime = 0
    /// Set by a checker to stop the run.
    public var violation: Violation?
    /// Guard against runs that cannot end: see `RunGuard`.
    public var guardrail = RunGuard()
    /// Jobs run so far.
    public private(set) var jobsRun = 0
    /// The network's fault options.
    public var network = NetworkOptions()
    /// Who can reach whom.
    public var connectivity: Connectivity
    /// Traffic counters.
    public var counters: NetworkCounters

    var ready: [ReadyJob] = []
    /// Wake-ups deferred to the scheduler loop. A continuation resumed inside its own body does
    /// not suspend the task at all, so a wait that must be a scheduling point (`yield`, taking
    /// a mutex) registers here and is fired before the next job is chosen.
    var deferred: [() -> Void] = []
    var timers = EventQueue<() -> Void>()
    var executors: [NodeExecutor] = []
    var tasks: [SimTask] = []
    var handlers: [[String: (Any) async throws -> Any]]
    /// Waits of crashed incarnations' tasks: never fired during the run (a zombie cannot act),
    /// kept so that `end` can unwind those tasks.
    var zombies: [AnyParker] = []
    /// True once `end` ran: waits throw `RunEnded`, spawns and timers are dropped.
    public internal(set) var isEnded = false
    /// Waits that threw `RunEnded` during `end` (bounded by `endWaitsMax`).
    var endWaits = 0
    var current: NodeExecutor?
    /// The task of the job running now (nil between jobs, or when unknown).
    var currentTask: SimTask?
    /// The task whose job the runtime is about to enqueue: set around a `Parker`'s resume and
    /// around `spawn`'s task creation, which enqueue synchronously (see `enqueue`).
    var waking: SimTask?
    /// Jobs enqueued whose task was unknown (PCT ranks them first); 0 in every system so far.
    public private(set) var untaggedJobs = 0
    /// Waits whose task was not the one their job was enqueued for (a broken tag); must stay 0.
    public private(set) var mistaggedJobs = 0
    private let driver = pthread_self()
    private var nextTaskID = 0

    /// A simulation of `nodes` nodes, each with a first incarnation and no tasks yet.
    public init(nodes: Int, choices: Choices, trace: TraceRecorder) {
        self.choices = choices
        self.trace = trace
        connectivity = Connectivity(count: nodes)
        counters = NetworkCounters(count: nodes)
        handlers = Array(repeating: [:], count: nodes)
        for i in 0..<nodes {
            executors.append(NodeExecutor(sim: self, node: i, incarnation: 0))
        }
        // Weak: the trace outlives the simulation; `deinit` leaves the last time behind.
        trace.clock = { [weak self] in self?.now ?? 0 }
    }

    deinit {
        let end = now
        trace.clock = { end }
    }

    /// Number of nodes.
    public var nodeCount: Int { executors.count }
    /// True while node `i`'s current incarnation is alive.
    public func isUp(_ i: NodeID) -> Bool { executors[i].isAlive }
    /// True while `task`'s incarnation is its node's current one and alive (a task of a
    /// crashed incarnation is parked for good on purpose).
    public func isCurrent(_ task: SimTask) -> Bool {
        executors[task.node].isAlive && executors[task.node].incarnation == task.incarnation
    }
    /// The node whose job is running now (nil between jobs).
    public var currentNode: NodeID? { current?.node }

    func enqueue(_ job: UnownedJob, on e: NodeExecutor) {
        guard pthread_equal(pthread_self(), driver) != 0 else {
            fatalError(
                "a job for node \(e.node) arrived from another thread: an unstructured task or a "
                    + "real-clock sleep escaped the simulation (use sim.spawn and sim.sleep)")
        }
        // Whose job this is: the runtime enqueues a task's job synchronously inside the
        // continuation's resume (a `Parker` firing: `waking`) or the task's creation (`spawn`:
        // `waking`); any other enqueue happens while a job runs, from the runtime itself — an
        // `async let` or task-group child started or finishing, which shares its parent's
        // `SimTask` (the task-local is inherited) — so it is the running job's task.
        let task = waking ?? currentTask
        if task == nil { untaggedJobs += 1 }
        ready.append(ReadyJob(job: job, executor: e, task: task))
    }

    /// Starts `body` as a task on node `node`'s current incarnation.
    @discardableResult
    public func spawn(
        _ node: NodeID, _ name: String, _ body: @escaping @Sendable () async throws -> Void
    ) -> SimTask {
        let e = executors[node]
        let task = SimTask(id: nextTaskID, node: node, incarnation: e.incarnation, name: name)
        if isEnded {
            task.isFinished = true
            return task
        }
        nextTaskID += 1
        tasks.append(task)
        trace.observe("spawn", node: node, [("task", .string(task.label))])
        let saved = waking
        waking = task
        Task(executorPreference: e) {
            await SimTaskLocal.$task.withValue(task) {
                do { try await body() } catch {}
                task.isFinished = true
            }
        }
        waking = saved
        return task
    }

    /// Schedules `action` (run on the driver, outside any task) at `time`.
    public func schedule(at time: VirtualTime, _ action: @escaping () -> Void) {
        precondition(time >= now, "scheduling in the past: \(time) < \(now)")
        guard !isEnded else { return }
        timers.push(action, at: time)
    }

    /// Crashes node `i`: its pending waits fail with `NodeCrashed`, its tasks unwind, and later
    /// waits of that incarnation never return.
    public func crash(_ i: NodeID) {
        let e = executors[i]
        guard e.isAlive else { return }
        e.isAlive = false
        trace.observe("crash", node: i)
        let pending = e.pending
        e.pending = []
        for p in pending where !p.isDone { p.abort(NodeCrashed(node: i)) }
    }

    /// Restarts node `i` as a new incarnation (crashing it first if needed); the caller spawns
    /// the new incarnation's tasks.
    public func restart(_ i: NodeID) {
        crash(i)
        executors[i] = NodeExecutor(sim: self, node: i, incarnation: executors[i].incarnation + 1)
        handlers[i] = [:]
        trace.observe("restart", node: i, [("incarnation", .int(Int64(executors[i].incarnation)))])
    }

    /// Node `i`'s current incarnation number.
    public func incarnation(_ i: NodeID) -> Int { executors[i].incarnation }
}

extension AsyncSimulation {
    /// Runs jobs and timers up to `deadline`, then sets the clock to it (also when everything
    /// went idle before: time passes whether or not anything happens). Returns why it stopped.
    @discardableResult
    public func run(until deadline: VirtualTime) -> RunStatus {
        let status = drain(until: deadline)
        if status != .stopped { now = max(now, deadline) }
        return status
    }

    private func drain(until deadline: VirtualTime) -> RunStatus {
        while true {
            if violation != nil { return .stopped }
            if !deferred.isEmpty {
                let wakeups = deferred
                deferred.removeAll(keepingCapacity: true)
                for w in wakeups { w() }
            }
            if !ready.isEmpty {
                runOneJob()
                continue
            }
            guard let t = timers.nextTime else { return .quiescent }
            guard t <= deadline else { break }
            now = t
            while let next = timers.nextTime, next == t, let (_, action) = timers.pop() {
                action()
            }
        }
        return .deadline
    }

    /// Runs for `duration` of virtual time.
    @discardableResult
    public func runFor(_ duration: VirtualTime) -> RunStatus { run(until: now + duration) }

    /// Runs until nothing is ready and no timer is pending (or `limit` passes); the clock stays
    /// at the last event.
    @discardableResult
    public func runToQuiescence(limit: VirtualTime = 3600 * Duration.second) -> RunStatus {
        drain(until: limit)
    }

    private func runOneJob() {
        let index: Int
        if ready.count == 1 {
            index = 0
        } else if let pct = choices.pct {
            index = pctPick(pct)
        } else {
            index = choices.below(ready.count, "sched.job")
        }
        let r = ready[index]
        ready[index] = ready[ready.count - 1]
        ready.removeLast()
        choices.pct?.picked(r.task?.id)
        current = r.executor
        currentTask = r.task
        jobsRun &+= 1
        if let v = guardrail.step(time: now, choices: choices, trace: trace) {
            violation = v
        }
        r.job.runSynchronously(on: r.executor.asUnownedTaskExecutor())
        current = nil
        currentTask = nil
    }

    /// PCT: the first ready job of the task with the highest priority (threads are tasks; a job
    /// of no known task ranks above every task, so it runs as soon as it is ready).
    private func pctPick(_ pct: PCTScheduler) -> Int {
        var best = 0
        var bestRank = Int.min
        for (i, r) in ready.enumerated() {
            let rank = r.task.map { pct.priority(of: $0.id, choices) } ?? Int.max
            if rank > bestRank {
                best = i
                bestRank = rank
            }
        }
        return best
    }

    /// Tasks of live incarnations that have not finished and are not in an intended hang, with
    /// what they wait on. (A task of a crashed incarnation that waits again is parked for good
    /// on purpose: it is not a deadlock.)
    public func blockedTasks() -> [String] {
        tasks.filter { t in
            !t.isFinished && !t.isHanging && executors[t.node].isAlive
                && executors[t.node].incarnation == t.incarnation
        }
        .map { t in "\(t.label) waits on \(t.waitingOn?() ?? "something")" }
    }

    /// A deadlock violation if the run is quiescent with live tasks still blocked, else nil.
    public func deadlock() -> Violation? {
        guard ready.isEmpty, timers.isEmpty, deferred.isEmpty else { return nil }
        let blocked = blockedTasks()
        guard !blocked.isEmpty else { return nil }
        let line = trace.observe("deadlock", node: nil, [("blocked", .int(Int64(blocked.count)))])
        let shown = blocked.prefix(8).joined(separator: "; ")
        let more = blocked.count > 8 ? " (and \(blocked.count - 8) more)" : ""
        return Violation(
            "deadlock", "every task is blocked and nothing is scheduled: \(shown)\(more)",
            events: [line])
    }

    /// Forgets finished tasks and tasks of crashed incarnations (long runs spawn many).
    public func compactTasks() {
        tasks.removeAll { t in
            t.isFinished || executors[t.node].incarnation != t.incarnation
        }
    }
}

extension AsyncSimulation {
    /// Suspends the current task until `register`'s parker fires. `register` runs inside the
    /// continuation body, so it may fire at once (no suspension lost between check and wait).
    /// `waitingOn` describes the wait for deadlock reports. A dead incarnation never returns.
    public func park<T>(
        _ waitingOn: @autoclosure @escaping () -> String,
        hang: Bool = false, _ register: (Parker<T>) -> Void
    ) async throws -> T {
        guard let e = current else {
            preconditionFailure("park called outside a simulated task (use sim.spawn)")
        }
        if isEnded {
            // Unwinding after the run (`end`): no wait can suspend; a task that catches and
            // waits again in a loop gets `endWaitsMax` throws in all, then is left parked.
            endWaits += 1
            if endWaits <= Self.endWaitsMax { throw RunEnded() }
            return try await withUnsafeThrowingContinuation { (_: UnsafeContinuation<T, Error>) in }
        }
        if !e.isAlive {
            // A zombie that keeps waiting: suspended for good so it can neither act nor spin;
            // its parker is kept (never fired during the run) so `end` can unwind it.
            let task = SimTaskLocal.task
            if let t = task, t !== currentTask { mistaggedJobs += 1 }
            return try await withUnsafeThrowingContinuation { c in
                zombies.append(Parker(c, task: task, sim: self))
            }
        }
        let task = SimTaskLocal.task
        if let t = task, t !== currentTask { mistaggedJobs += 1 }
        return try await withUnsafeThrowingContinuation { c in
            let p = Parker(c, task: task, sim: self)
            e.pending.append(p)
            if e.pending.count >= e.compactAt {
                e.pending.removeAll { $0.isDone }
                e.compactAt = max(64, 2 * e.pending.count)
            }
            if let t = task {
                t.waitingOn = waitingOn
                t.isHanging = hang
            }
            register(p)
        }
    }

    /// Sleeps for `duration` of virtual time.
    public func sleep(_ duration: VirtualTime) async throws {
        let at = now + max(0, duration)
        try await park("sleep until \(formatTime(at))") { (p: Parker<Void>) in
            timers.push({ p.fire(.success(())) }, at: at)
        }
    }

    /// A scheduling point: the task suspends and the scheduler chooses, among every ready job
    /// (this one included), which runs next.
    public func yield() async throws {
        try await park("yield") { (p: Parker<Void>) in deferred.append { p.fire(.success(())) } }
    }

    /// Blocks the calling task forever, as an intended hang (Go's `select {}`); not a deadlock.
    public func hangForever() async throws {
        try await park("nothing (hangs forever on purpose)", hang: true) { (_: Parker<Void>) in }
    }

    /// The node of the running task's incarnation, for processes that need their own id.
    public var currentIncarnation: Int { current?.incarnation ?? -1 }
    /// True when called from a task of a crashed incarnation.
    public var isZombie: Bool { !(current?.isAlive ?? true) }
}
