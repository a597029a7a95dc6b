// One MapReduce job's processes on an `AsyncSimulation`: the coordinator on one node, workers
// on others, sharing one `SimFileSystem` and `ProcessTable`. A test script (the scenario)
// decides when to start which worker; starting a worker on a node that already ran one makes a
// new incarnation of that node (a new process with a new pid).
import DSimCore

/// The coordinator and workers of one job.
public final class MapReduceCluster {
    /// The simulation.
    public let sim: AsyncSimulation
    /// The shared file system.
    public let fs: SimFileSystem
    /// Every process started.
    public let processes: ProcessTable
    /// The application the workers run.
    public let app: MapReduceApp
    /// Job options.
    public let options: MapReduceOptions
    /// Harness hooks for the workers.
    public var hooks = WorkerHooks()
    /// The coordinator's node.
    public let coordinatorNode: NodeID
    /// The coordinator, once started.
    public private(set) var coordinator: Coordinator?
    private var lastIncarnation: [Int]

    /// A cluster whose coordinator will run on `coordinatorNode`.
    public init(
        sim: AsyncSimulation, fs: SimFileSystem, app: MapReduceApp, options: MapReduceOptions,
        coordinatorNode: NodeID = 0
    ) {
        self.sim = sim
        self.fs = fs
        self.app = app
        self.options = options
        self.coordinatorNode = coordinatorNode
        processes = ProcessTable(sim)
        lastIncarnation = Array(repeating: -1, count: sim.nodeCount)
    }

    /// Makes `node` ready for a new process: a new incarnation if it already ran one.
    private func freshIncarnation(_ node: NodeID) {
        if lastIncarnation[node] == sim.incarnation(node) { sim.restart(node) }
        lastIncarnation[node] = sim.incarnation(node)
    }

    /// Starts the coordinator over `files`; returns its pid.
    @discardableResult
    public func startCoordinator(files: [String]) -> Int {
        precondition(coordinator == nil, "coordinator started twice")
        freshIncarnation(coordinatorNode)
        let c = Coordinator(sim: sim, node: coordinatorNode, files: files, options: options)
        coordinator = c
        let pid = processes.register(node: coordinatorNode)
        c.start(pid: pid, processes: processes)
        return pid
    }

    /// Starts a worker process on `node`; returns its pid.
    @discardableResult
    public func startWorker(on node: NodeID) -> Int {
        precondition(node != coordinatorNode, "worker on the coordinator's node \(node)")
        freshIncarnation(node)
        let pid = processes.register(node: node)
        let env = AppEnv(sim: sim, fs: fs, node: node, pid: pid, processes: processes)
        let worker = Worker(
            env: env, app: app, coordinator: coordinatorNode, options: options, hooks: hooks)
        sim.trace.observe("mr.start", node: node, [("pid", .int(Int64(pid)))])
        let task = sim.spawn(node, "worker \(pid)") { try await worker.run() }
        processes.attach(pid, task: task)
        return pid
    }

    /// True while the coordinator process runs (the lab's socket exists).
    public var isCoordinatorUp: Bool { coordinator != nil && sim.isUp(coordinatorNode) }
}
