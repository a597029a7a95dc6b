// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010) over the sans-IO kernel.
//
// PCT finds a bug of depth d with probability at least 1/(n·k^(d-1)) by running, among the
// events that are ready together, the one of the node with the highest priority, the nodes
// having distinct random priorities, and lowering the running node's priority below every
// other at d−1 random steps (the change points). Here the events ready together are those due
// within `windowNs` of the earliest pending one (the network's delay range: a delivery among
// them could as well have been delayed a little more); the chosen one runs at its time or the
// clock's, whichever is later, so time never runs backwards and a skipped event runs a little
// late, as if delayed. Every draw — each node's priority when it is first scheduled, the
// change points at the start — goes through `Choices` (`pct.prio`, `pct.change`), so a PCT
// run's trace replays and shrinks like any other.

/// The PCT strategy's state for one run.
public final class PCTScheduler {
    /// The bug depth d the run targets (d−1 change points).
    public let depth: Int
    /// Events due within this much of the earliest are ready together.
    public let windowNs: VirtualTime
    /// Priority by node (higher runs first); nil until the node is first scheduled.
    private var priority: [Int?] = []
    /// Steps (PCT picks) at which the running node's priority drops, in increasing order.
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

    /// The priority of `node`, drawn when it is first asked for.
    func priority(of node: Int, _ choices: Choices) -> Int {
        if node >= priority.count {
            priority.append(contentsOf: repeatElement(nil, count: node + 1 - priority.count))
        }
        if let p = priority[node] { return p }
        // Initial priorities are at least `depth`, so the lowered ones (0..<depth-1) sit below.
        let p = depth + choices.below(1 << 30, "pct.prio")
        priority[node] = p
        return p
    }

    /// Accounts for one pick that ran an event of `node`; at a change point the node's
    /// priority drops below every initial one (the i-th change point to d−1−i).
    func picked(_ node: Int) {
        steps += 1
        while nextChange < changePoints.count && changePoints[nextChange] <= steps {
            priority[node] = depth - 2 - nextChange
            nextChange += 1
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
