// The end of an async run. A Swift task is freed only when its body returns: a task still
// suspended when the run stops — waiting on a channel, a timer, an RPC reply, or parked for
// good as a zombie — keeps its frame, and the frame keeps whatever it captured, the simulation
// first of all (whose timers, ready list and parkers keep the tasks: a cycle). A shrink runs
// thousands of candidates in one process; without this, every one of them stayed in memory
// (a weather shrink peaked at 3.4 GB).
//
// `end` unwinds every such task after the verdict, sealed: the trace takes no line and the
// choices answer 0 without drawing or recording, every wait throws `RunEnded` at once (the
// task cannot suspend again), spawns and timers are dropped, and the woken jobs run in the
// order they were woken (no decision). Only the system's own unwinding runs (its `catch` and
// `defer` paths); nothing it does can reach the trace, the choices or the verdict. Then every
// reference the simulation holds to tasks and closures is dropped. A task that still would not
// end (it catches and waits again more than `endWaitsMax` times in all) stays parked and is
// the only thing left behind.
import Foundation

/// Thrown into every wait once the run has ended (`AsyncSimulation.end`).
public struct RunEnded: Error, Equatable, Sendable {
    /// The error.
    public init() {}
}

extension AsyncSimulation {
    /// Waits that may throw `RunEnded` while `end` unwinds, in all.
    public static let endWaitsMax = 100_000
    /// Jobs `end` runs at most (the unwinding of every task left).
    public static let endJobsMax = 1_000_000

    /// Ends the run (after its verdict): unwinds every task left, sealed (see the file's
    /// header), and drops the tasks, timers and handlers the simulation holds. Idempotent.
    /// Call it when nothing more will be asked of the simulation's nodes.
    public func end() {
        guard !isEnded else { return }
        isEnded = true
        let (wasTraceSealed, wereChoicesSealed) = (trace.isSealed, choices.isSealed)
        trace.isSealed = true
        choices.isSealed = true
        defer {
            trace.isSealed = wasTraceSealed
            choices.isSealed = wereChoicesSealed
        }
        var parked = zombies
        zombies = []
        for e in executors {
            e.isAlive = false
            parked += e.pending
            e.pending = []
        }
        for p in parked where !p.isDone { p.abort(RunEnded()) }
        deferred.removeAll()
        timers = EventQueue<() -> Void>()
        var jobs = 0
        // In the order they were woken: a job's unwinding may wake others (appended to
        // `ready`, or deferred), which run after it.
        while !ready.isEmpty && jobs < Self.endJobsMax {
            let batch = ready
            ready.removeAll()
            for r in batch {
                jobs += 1
                current = r.executor
                currentTask = r.task
                r.job.runSynchronously(on: r.executor.asUnownedTaskExecutor())
                current = nil
                currentTask = nil
                let wakeups = deferred
                deferred.removeAll()
                for w in wakeups { w() }
            }
        }
        ready.removeAll()
        deferred.removeAll()
        timers = EventQueue<() -> Void>()
        handlers = handlers.map { _ in [:] }
        tasks.removeAll()
        zombies.removeAll()
        for e in executors { e.pending.removeAll() }
    }
}
