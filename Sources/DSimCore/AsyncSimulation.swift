// The async-process style: ordinary `async` Swift code — loops, channels, select, mutexes, RPC —
// run deterministically on one thread (reference/swift-async-sim-findings.md).
//
// Each node incarnation has its own `NodeExecutor` (a TaskExecutor). Tasks are created with
// `spawn`, which prefers that executor, so every job of the task, and of its `async let` and
// task-group children, is enqueued here. Nothing runs until the scheduler picks it: the ready
// list is drained one job at a time, the next job drawn through `Choices`, and when nothing is
// ready the virtual clock jumps to the next timer. A job enqueued from any other thread (a
// `Task {}` or `Task.sleep` escaping the simulation) is a fatal error.
//
// Every suspension goes through `park`, whose registration runs inside the continuation body so
// a check-and-suspend cannot lose a wake-up; a `Parker` fires once (first fire wins), which gives
// select, timeouts and crash-abort for free. A crash marks the executor dead and fails its
// pending parkers with `NodeCrashed`, so its tasks unwind and free their memory; a dead
// incarnation that parks again is suspended forever (it cannot livelock the run, and it can no
// longer act).
import Foundation

/// Thrown into the pending waits of a node when it crashes.
public struct NodeCrashed: Error, Equatable, Sendable {
    /// The node that crashed.
    public let node: NodeID

    /// Creates the error for `node`.
    public init(node: NodeID) { self.node = node }
}

/// A simulated task: a name for deadlock reports and a completion flag.
public final class SimTask: @unchecked Sendable {
    /// Sequential id within the run.
    public let id: Int
    /// The node it runs on.
    public let node: NodeID
    /// The node incarnation that spawned it.
    public let incarnation: Int
    /// A name for reports, e.g. `transfer 0->1`.
    public let name: String
    /// True once its body returned or threw.
    public internal(set) var isFinished = false
    /// True while it waits on something marked as an intended hang (not a deadlock).
    var isHanging = false
    /// What it waits on right now, for deadlock reports.
    var waitingOn: (() -> String)?

    init(id: Int, node: NodeID, incarnation: Int, name: String) {
        self.id = id
        self.node = node
        self.incarnation = incarnation
        self.name = name
    }

    /// `n1/transfer 0->1#7`.
    public var label: String { "n\(node)/\(name)#\(id)" }

    /// What it waits on right now (`send on answers 3`), nil while it runs or once finished.
    public var waitDescription: String? { isFinished ? nil : waitingOn?() }

    /// The simulated task running the caller, nil outside one.
    public static var current: SimTask? { SimTaskLocal.task }
}

enum SimTaskLocal {
    @TaskLocal static var task: SimTask?
}

/// One node incarnation's executor: the only way jobs of its tasks enter the scheduler.
public final class NodeExecutor: TaskExecutor, @unchecked Sendable {
    unowned let sim: AsyncSimulation
    /// The node this executor belongs to.
    public let node: NodeID
    /// The incarnation (0 first, +1 per restart).
    public let incarnation: Int
    /// False once the incarnation crashed.
    public internal(set) var isAlive = true
    var pending: [AnyParker] = []
    /// Compact `pending` when it grows past this (twice its size after the last compaction),
    /// so compaction stays amortized O(1) however many tasks wait at once.
    var compactAt = 64

    init(sim: AsyncSimulation, node: NodeID, incarnation: Int) {
        self.sim = sim
        self.node = node
        self.incarnation = incarnation
    }

    /// Called by the runtime when a job of one of our tasks becomes runnable.
    public func enqueue(_ job: consuming ExecutorJob) {
        sim.enqueue(UnownedJob(job), on: self)
    }
}

/// Type-erased parker, so a crash can fail every pending wait of a node.
protocol AnyParker: AnyObject {
    var isDone: Bool { get }
    func abort(_ error: Error)
}

/// A one-shot wake-up for a suspended task. The first `fire` wins; later ones return false.
public final class Parker<T>: AnyParker {
    private var continuation: UnsafeContinuation<T, Error>?
    /// True once fired.
    public private(set) var isDone = false
    let task: SimTask?
    /// Told which task's job the resume enqueues (PCT's threads are tasks).
    weak var sim: AsyncSimulation?

    init(_ c: UnsafeContinuation<T, Error>, task: SimTask?, sim: AsyncSimulation) {
        continuation = c
        self.task = task
        self.sim = sim
    }

    /// Resumes the waiting task with `result`; false if it was already resumed.
    @discardableResult
    public func fire(_ result: Result<T, Error>) -> Bool {
        guard !isDone, let c = continuation else { return false }
        isDone = true
        continuation = nil
        task?.waitingOn = nil
        nonisolated(unsafe) let r = result
        // The runtime enqueues the task's job (if it had suspended) inside `resume`.
        let s = sim
        let saved = s?.waking
        s?.waking = task
        c.resume(with: r)
        s?.waking = saved
        return true
    }

    func abort(_ error: Error) { fire(.failure(error)) }
}

/// Why `run` returned.
public enum RunStatus: Equatable {
    /// The deadline was reached.
    case deadline
    /// Nothing is ready and no timer is pending.
    case quiescent
    /// A checker set `violation`.
    case stopped
}
