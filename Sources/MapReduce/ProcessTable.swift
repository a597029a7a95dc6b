// The processes of a MapReduce run (coordinator and workers), with Unix-like pids. A process is
// one incarnation of a node running one main task; it ends when that task returns (a normal
// exit) or when its node crashes (`os.Exit(1)` or a fault). The test apps ask it whether a pid
// is alive, as the Go apps do with `kill(pid, 0)`, and the test script asks whether a process
// is still running before restarting it.
import DSimCore

/// The processes started in a run.
public final class ProcessTable {
    struct Entry {
        let node: NodeID
        let incarnation: Int
        var task: SimTask?
        var exitedNormally = false
    }

    unowned let sim: AsyncSimulation
    private var entries: [Entry] = []
    /// Called once per normal exit, synchronously, with the pid and the exit's trace line.
    public var onExit: ((Int, TraceLine) -> Void)?
    /// The first pid handed out.
    public static let firstPid = 1000

    /// An empty table.
    public init(_ sim: AsyncSimulation) { self.sim = sim }

    /// A new pid for the current incarnation of `node`, running `task` (attach later if nil).
    public func register(node: NodeID) -> Int {
        entries.append(Entry(node: node, incarnation: sim.incarnation(node)))
        return Self.firstPid + entries.count - 1
    }

    /// Records the main task of `pid`.
    public func attach(_ pid: Int, task: SimTask) { entries[index(pid)].task = task }

    private func index(_ pid: Int) -> Int {
        let i = pid - Self.firstPid
        precondition(i >= 0 && i < entries.count, "unknown pid \(pid) (\(entries.count) processes)")
        return i
    }

    /// True while `pid` runs: its incarnation is current and up and its main task not done.
    public func isAlive(_ pid: Int) -> Bool {
        let i = pid - Self.firstPid
        guard i >= 0 && i < entries.count else { return false }
        let e = entries[i]
        return !e.exitedNormally && sim.incarnation(e.node) == e.incarnation && sim.isUp(e.node)
            && !(e.task?.isFinished ?? false)
    }

    /// Records that `pid` exits normally (call from the process just before it returns).
    public func exit(_ pid: Int) {
        let i = index(pid)
        guard !entries[i].exitedNormally else { return }
        entries[i].exitedNormally = true
        let line = sim.trace.observe("mr.exit", node: entries[i].node, [("pid", .int(Int64(pid)))])
        onExit?(pid, line)
    }

    /// Pids still running, in order.
    public var running: [Int] {
        entries.indices.map { $0 + Self.firstPid }.filter { isAlive($0) }
    }

    /// Number of processes started.
    public var count: Int { entries.count }
}
