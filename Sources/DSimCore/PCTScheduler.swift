// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010) over both kernels.
//
// PCT finds a bug of depth d with probability at least 1/(n·k^(d-1)) by running, among the
// events that are ready together, the one of the thread with the highest priority, the threads
// having distinct random priorities, and lowering the running thread's priority below every
// other at d−1 random steps (the change points). A thread is an integer the kernel chooses:
// - sans-IO: the node. The events ready together are those due within `windowNs` of the
//   earliest pending one (the network's delay range: a delivery among them could as well have
//   been delayed a little more); the chosen one runs at its time or the clock's, whichever is
//   later, so time never runs backwards and a skipped event runs a little late, as if delayed.
// - async: the simulated task (`SimTask.id`; bank runs many on one node). The jobs ready
//   together are the ready list of the instant (`AsyncSimulation.runOneJob`).
// Every draw — each thread's priority when it is first ranked, the change points at the start
// — goes through `Choices` (`pct.prio`, `pct.change`), so a PCT run's trace replays and
// shrinks like any other.

/// The PCT strategy's state for one run.
public final class PCTScheduler {
    /// The bug depth d the run targets (d−1 change points).
    public let depth: Int
    /// Events due within this much of the earliest are ready together (sans-IO only).
    public let windowNs: VirtualTime
    /// Priority by thread (higher runs first); nil until the thread is first ranked.
    private var priority: [Int?] = []
    /// Steps (PCT picks) at which the running thread's priority drops, in increasing order.
    private var changePoints: [Int] = []
    private var nextChange = 0
    /// PCT picks so far.
    public private(set) var steps = 0
    /// The longest ready set considered (bounds the work per pick).
    public static let readyMax = 64

    /// Draws the d−1 change points uniformly over the first `stepsExpected` picks.
    public init(depth: Int, windowNs: VirtualTime, stepsExpected: Int, choices: Choices) {
        precondition(depth >= 1 && windowNs >= 0 && stepsExpected >= 1, "pct \(depth) \(windowNs)")
        self.depth = depth
        self.windowNs = windowNs
        changePoints = (1..<depth).map { _ in 1 + choices.below(stepsExpected, "pct.change") }
            .sorted()
    }

    /// The priority of `thread`, drawn when it is first asked for.
    func priority(of thread: Int, _ choices: Choices) -> Int {
        grow(to: thread)
        if let p = priority[thread] { return p }
        // Initial priorities are at least `depth`, so the lowered ones (0..<depth-1) sit below.
        let p = depth + choices.below(1 << 30, "pct.prio")
        priority[thread] = p
        return p
    }

    /// The priority of `thread` so far, without drawing one (nil: never ranked nor lowered).
    public func currentPriority(of thread: Int) -> Int? {
        thread >= 0 && thread < priority.count ? priority[thread] : nil
    }

    /// Accounts for one pick that ran an event of `thread` (nil: a pick that belongs to no
    /// known thread, which counts as a step but has no priority to lower); at a change point
    /// the thread's priority drops below every initial one (the i-th change point to d−1−i).
    func picked(_ thread: Int?) {
        steps += 1
        while nextChange < changePoints.count && changePoints[nextChange] <= steps {
            if let t = thread {
                grow(to: t)
                priority[t] = depth - 2 - nextChange
            }
            nextChange += 1
        }
    }

    private func grow(to thread: Int) {
        if thread >= priority.count {
            priority.append(contentsOf: repeatElement(nil, count: thread + 1 - priority.count))
        }
    }
}

extension EventQueue {
    /// Removes the event that PCT runs next: among those due within `window` of the earliest
    /// (at most `PCTScheduler.readyMax`), the first whose `owner` has the highest `rank`.
    @inlinable
    public mutating func popReady(
        window: VirtualTime, owner: (Payload) -> Int, rank: (Int) -> Int
    ) -> (time: VirtualTime, payload: Payload)? {
        guard let first = heap.first else { return nil }
        let limit = first.time + window
        var ready: [Entry] = []
        while ready.count < PCTScheduler.readyMax, let top = heap.first, top.time <= limit {
            ready.append(top)
            _ = pop()
        }
        var best = 0
        var bestRank = rank(owner(ready[0].payload))
        for i in 1..<ready.count {
            let r = rank(owner(ready[i].payload))
            if r > bestRank {
                best = i
                bestRank = r
            }
        }
        for i in ready.indices where i != best { insert(ready[i]) }
        return (ready[best].time, ready[best].payload)
    }
}
