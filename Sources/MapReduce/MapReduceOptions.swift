// Options of the distributed MapReduce and the messages between coordinator and workers.
import DSimCore

/// Options of one MapReduce job; every field has a documented default.
public struct MapReduceOptions: Equatable, Sendable {
    /// Reduce tasks (`MakeCoordinator(files, nReduce)`). Default 10.
    public var nReduce = 10
    /// A task not reported done this long after it was handed out is handed out again (the
    /// handout's ten seconds). Default 10 s.
    public var taskTimeoutNs: VirtualTime = 10 * Duration.second
    /// A worker's RPC gives up after this long. Default 5 s.
    public var callTimeoutNs: VirtualTime = 5 * Duration.second
    /// A worker exits after this many failed calls in a row (the coordinator is gone).
    /// Default 25: on a lossy network a live coordinator is not mistaken for an exited one.
    public var maxCallFailures = 25
    /// Pause after a failed call. Default 100 ms.
    public var retryNs: VirtualTime = 100 * Duration.millisecond
    /// Pause when the coordinator says "wait" (no task free yet). Default 200 ms.
    public var waitNs: VirtualTime = 200 * Duration.millisecond
    /// Output lines per file-system chunk write. Default 4.
    public var linesPerChunk = 4
    /// Fixed cost of a task. Default 5 ms.
    public var taskCostNs: VirtualTime = 5 * Duration.millisecond
    /// Cost per input or intermediate record. Default 20 µs.
    public var recordCostNs: VirtualTime = 20 * Duration.microsecond
    /// The coordinator polls `Done()` this often and exits one period after it. Default 1 s.
    public var donePollNs: VirtualTime = Duration.second
    /// Planted bug `write-in-place`: reduce output is written straight to `mr-out-Y`.
    public var writeInPlace = false
    /// Planted bug `early-reissue`: tasks are handed out again after `earlyReissueNs`.
    public var earlyReissue = false
    /// The too-short re-issue timeout of `early-reissue`. Default 2 s.
    public var earlyReissueNs: VirtualTime = 2 * Duration.second
    /// Planted bug `reduce-before-maps-done`: reduces start once every map was handed out.
    public var reduceBeforeMapsDone = false
    /// Planted bug `no-reissue`: a task is never handed out twice (a dead worker's task is
    /// lost, and the job never finishes).
    public var neverReissue = false

    /// The defaults.
    public init() {}
}

/// What a worker is told to do.
public enum TaskKind: String, Equatable, Sendable {
    /// Run Map over one input file.
    case map
    /// Run Reduce over one partition.
    case reduce
    /// Nothing free now; ask again later.
    case wait
    /// The job is done; exit.
    case exit
}

/// The reply to `GetTask`.
public struct TaskReply: Equatable, Sendable {
    /// What to do.
    public var kind: TaskKind
    /// Map or reduce task number.
    public var index = 0
    /// Map: the input file.
    public var file = ""
    /// Number of map tasks.
    public var nMap = 0
    /// Number of reduce tasks.
    public var nReduce = 0
}

/// A `TaskDone` report.
public struct TaskReport: Equatable, Sendable {
    /// `.map` or `.reduce`.
    public var kind: TaskKind
    /// Its number.
    public var index: Int
    /// The reporting process.
    public var pid: Int
}
