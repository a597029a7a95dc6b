// The coordinator process (the lab's `mr/coordinator.go` with `mrcoordinator.go`'s main). It
// serves two RPCs: `GetTask` hands out an idle map task, or once every map is done an idle
// reduce task; a task handed out more than `taskTimeoutNs` ago without a report is handed out
// again (the worker may be dead or slow). `TaskDone` marks a task done (duplicates are
// harmless: outputs are renamed into place atomically). Handlers never await, so each runs
// atomically under the scheduler. The main task polls `done` every second and exits a second
// later (the process ends: its node goes down, and workers' calls fail).
import DSimCore

/// The MapReduce coordinator on one node.
public final class Coordinator {
    struct TaskState {
        var issuedAt: VirtualTime?
        var isDone = false
    }

    let sim: AsyncSimulation
    /// Its node.
    public let node: NodeID
    let files: [String]
    let options: MapReduceOptions
    private var maps: [TaskState]
    private var reduces: [TaskState]
    /// True once every task is done (`Done()`).
    public private(set) var isDone = false
    /// Trace line where the job became done.
    public private(set) var doneLine: TraceLine?
    /// Virtual time the job became done.
    public private(set) var doneAt: VirtualTime?
    /// The task rules, checked at every hand-out and report (the harness sets `onBreach`).
    public let rules: TaskRules
    /// Tasks handed out so far (re-issues included): progress a liveness watchdog can see.
    public private(set) var handouts = 0
    /// Tasks done so far (each counted once).
    public private(set) var tasksDone = 0

    /// A coordinator for `files` (one map task each) on `node`.
    public init(sim: AsyncSimulation, node: NodeID, files: [String], options: MapReduceOptions) {
        precondition(
            !files.isEmpty && options.nReduce > 0,
            "\(files.count) files, nReduce \(options.nReduce)")
        self.sim = sim
        self.node = node
        self.files = files
        self.options = options
        maps = Array(repeating: TaskState(), count: files.count)
        reduces = Array(repeating: TaskState(), count: options.nReduce)
        rules = TaskRules(
            maps: files.count, reduces: options.nReduce, timeoutNs: options.taskTimeoutNs)
    }

    /// Registers the handlers and spawns the main task as process `pid` of `processes`.
    @discardableResult
    public func start(pid: Int, processes: ProcessTable) -> SimTask {
        sim.handle(node, "GetTask") {
            [unowned self] (_: Int, _: NodeID) async throws -> TaskReply in
            self.getTask()
        }
        sim.handle(node, "TaskDone") {
            [unowned self] (r: TaskReport, _: NodeID) async throws -> Bool in
            self.taskDone(r)
        }
        let task = sim.spawn(node, "coordinator") { [unowned self] in
            while !self.isDone { try await self.sim.sleep(self.options.donePollNs) }
            try await self.sim.sleep(self.options.donePollNs)
            processes.exit(pid)
            self.sim.crash(self.node)
        }
        processes.attach(pid, task: task)
        return task
    }

    /// `GetTask`: the next task for a worker.
    func getTask() -> TaskReply {
        if isDone { return TaskReply(kind: .exit, nMap: files.count, nReduce: options.nReduce) }
        if let m = pick(&maps) { return issue(.map, m) }
        let mapsHandedOut = maps.allSatisfy { $0.issuedAt != nil }
        let mapsDone = maps.allSatisfy { $0.isDone }
        if mapsDone || (options.reduceBeforeMapsDone && mapsHandedOut), let r = pick(&reduces) {
            return issue(.reduce, r)
        }
        return TaskReply(kind: .wait, nMap: files.count, nReduce: options.nReduce)
    }

    /// An idle task, else one handed out longer ago than the timeout; marks it handed out now.
    private func pick(_ tasks: inout [TaskState]) -> Int? {
        let timeout = options.earlyReissue ? options.earlyReissueNs : options.taskTimeoutNs
        // Planted `no-reissue`: a task handed out is never handed out again, so one whose
        // worker died is never done and the job never finishes.
        let i =
            tasks.firstIndex { !$0.isDone && $0.issuedAt == nil }
            ?? (options.neverReissue
                ? nil : tasks.firstIndex { !$0.isDone && sim.now - $0.issuedAt! >= timeout })
        if let i { tasks[i].issuedAt = sim.now }
        return i
    }

    private func issue(_ kind: TaskKind, _ index: Int) -> TaskReply {
        handouts += 1
        let line = sim.trace.observe(
            "mr.issue", node: node,
            [("kind", .string(kind.rawValue)), ("task", .int(Int64(index)))])
        rules.issued(kind, index, now: sim.now, line: line)
        return TaskReply(
            kind: kind, index: index, file: kind == .map ? files[index] : "", nMap: files.count,
            nReduce: options.nReduce)
    }

    /// `TaskDone`: marks the task done; the job is done when every reduce is.
    func taskDone(_ r: TaskReport) -> Bool {
        // The report's delivery is the last line written.
        let line = sim.trace.nextLine - 1
        switch r.kind {
        case .map:
            if !maps[r.index].isDone { tasksDone += 1 }
            maps[r.index].isDone = true
        case .reduce:
            if !reduces[r.index].isDone { tasksDone += 1 }
            reduces[r.index].isDone = true
        case .wait, .exit:
            rules.reportedNonTask(r.kind, line: line)
            return false
        }
        rules.reportedDone(r.kind, r.index, line: line)
        if !isDone && maps.allSatisfy(\.isDone) && reduces.allSatisfy(\.isDone) {
            isDone = true
            doneAt = sim.now
            let done = sim.trace.observe("mr.done", node: node)
            doneLine = done
            rules.jobDone(line: done)
        }
        return true
    }
}
