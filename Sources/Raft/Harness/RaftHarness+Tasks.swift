// Concurrent test helpers (the originals' goroutines) as cooperative tasks: each task has a
// wake-up time, and the harness's `sleep` stops the simulation at every wake-up to poll the
// due tasks in creation order. A task is a small state machine; polling it never blocks.
import DSimCore

/// A goroutine of an original test, as a state machine polled in virtual time.
public class HarnessTask {
    /// When the task wants to be polled next.
    public var wakeAt: VirtualTime = 0
    /// True once the task has finished.
    public internal(set) var isDone = false

    /// Creates a task due immediately.
    public init() {}

    /// Runs one step at `h.now`; sets `wakeAt` or `isDone`. Throws a violation to fail the run.
    public func poll(_ h: RaftHarness) throws {}
}

extension RaftHarness {
    /// Starts `task` (go func …); it is first polled now.
    public func spawn(_ task: HarnessTask) throws {
        task.wakeAt = now
        tasks.append(task)
        try pollDueTasks()
    }

    /// Runs the simulation to `deadline`, polling tasks when they are due.
    func advance(to deadline: VirtualTime) throws {
        while true {
            var next = deadline
            for t in tasks where !t.isDone && t.wakeAt < next { next = t.wakeAt }
            sim.run(until: next)
            try check()
            try pollDueTasks()
            if next >= deadline { break }
        }
    }

    /// Polls every task due now, in creation order, until none is due.
    func pollDueTasks() throws {
        var polled = true
        while polled {
            polled = false
            for t in tasks where !t.isDone && t.wakeAt <= now {
                try t.poll(self)
                try check()
                polled = true
            }
            tasks.removeAll { $0.isDone }
        }
    }

    /// wg.Wait(): sleeps until every task has finished (bounded by `timeout`).
    public func waitForTasks(timeout: VirtualTime = 60 * Duration.second) throws {
        let deadline = now + timeout
        while !tasks.isEmpty && now < deadline {
            let next = tasks.map(\.wakeAt).min() ?? deadline
            try advance(to: max(now, min(next, deadline)))
            if next > deadline { break }
        }
        if !tasks.isEmpty {
            throw fail("tasks-did-not-finish", "\(tasks.count) concurrent helpers still running")
        }
    }
}

/// `go cfg.one(cmd, expected, retry=true)`: the agreement helper running concurrently.
public final class OneTask: HarnessTask {
    let cmd: LabCommand
    let expectedServers: Int
    var t0: VirtualTime = -1
    var index = -1
    /// The last index a leader accepted `cmd` at (-1: none): what a failure cites.
    var tried = -1
    var t1: VirtualTime = 0
    var starts = 0
    /// The index agreed on, once done.
    public private(set) var result = -1

    /// one(cmd, expectedServers, true) as a task.
    public init(_ cmd: LabCommand, _ expectedServers: Int) {
        self.cmd = cmd
        self.expectedServers = expectedServers
    }

    /// One step of one(): try Start round-robin, then poll nCommitted every 20 ms.
    public override func poll(_ h: RaftHarness) throws {
        if t0 < 0 { t0 = h.now }
        if index != -1 {
            let (nd, cmd1) = try h.nCommitted(index)
            if nd > 0 && nd >= expectedServers && cmd1 == cmd {
                result = index
                isDone = true
                return
            }
            if h.now - t1 < 2 * Duration.second {
                wakeAt = h.now + 20 * Duration.millisecond
                return
            }
            index = -1
        }
        guard h.now - t0 < 10 * Duration.second else {
            throw h.agreementFailure(cmd, index: tried)
        }
        for _ in 0..<h.n {
            starts = (starts + 1) % h.n
            if h.connected[starts], let r = h.start(starts, cmd), r.isLeader {
                index = r.index
                tried = index
                break
            }
        }
        if index != -1 {
            t1 = h.now
            wakeAt = h.now
            try poll(h)
        } else {
            wakeAt = h.now + 50 * Duration.millisecond
        }
    }
}
