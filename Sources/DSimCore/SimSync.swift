// Mutex, condition variable and wait group for async processes. Every `lock` is a scheduling
// point (the task yields to the scheduler even when the mutex is free), so the random scheduler
// explores interleavings at lock boundaries, where Go's scheduler could preempt too. Waiters are
// served in arrival order; the owner is tracked so a deadlock report can say who holds what.

/// A mutual-exclusion lock for simulated tasks (Go's `sync.Mutex`).
public final class SimMutex {
    unowned let sim: AsyncSimulation
    /// A name for reports.
    public let name: String
    /// The task holding it, if any.
    public private(set) var owner: SimTask?
    private var isLocked = false
    private var waiters: [(parker: Parker<Void>, task: SimTask?)] = []

    /// A new unlocked mutex.
    public init(_ sim: AsyncSimulation, name: String = "mutex") {
        self.sim = sim
        self.name = name
    }

    /// Acquires the lock, waiting while another task holds it. Always a scheduling point: the
    /// task yields first, so another task may take the lock before it.
    public func lock() async throws {
        try await sim.yield()
        let me = SimTaskLocal.task
        try await sim.park(
            "mutex \(self.name) held by \(self.owner?.label ?? "nobody")"
        ) { (p: Parker<Void>) in
            if !isLocked {
                isLocked = true
                owner = me
                p.fire(.success(()))
            } else {
                waiters.append((p, me))
            }
        }
    }

    /// Releases the lock, handing it to the longest waiter.
    public func unlock() {
        precondition(isLocked, "unlock of unlocked mutex \(name)")
        while !waiters.isEmpty {
            let (p, t) = waiters.removeFirst()
            if !p.isDone {
                owner = t
                p.fire(.success(()))
                return
            }
        }
        isLocked = false
        owner = nil
    }

    /// True while held.
    public var locked: Bool { isLocked }
}

/// A condition variable tied to a `SimMutex` (Go's `sync.Cond`).
public final class SimCondition {
    unowned let sim: AsyncSimulation
    let mutex: SimMutex
    private var waiters: [Parker<Void>] = []

    /// A condition over `mutex`.
    public init(_ sim: AsyncSimulation, mutex: SimMutex) {
        self.sim = sim
        self.mutex = mutex
    }

    /// Atomically releases the mutex and waits for a signal; re-acquires before returning.
    public func wait() async throws {
        try await sim.park("condition on \(self.mutex.name)") { (p: Parker<Void>) in
            waiters.append(p)
            mutex.unlock()
        }
        try await mutex.lock()
    }

    /// Wakes one waiter.
    public func signal() {
        while !waiters.isEmpty {
            if waiters.removeFirst().fire(.success(())) { return }
        }
    }

    /// Wakes every waiter.
    public func broadcast() {
        let w = waiters
        waiters = []
        for p in w { p.fire(.success(())) }
    }
}

/// Go's `sync.WaitGroup`.
public final class SimWaitGroup {
    unowned let sim: AsyncSimulation
    private var counter = 0
    private var waiters: [Parker<Void>] = []

    /// A wait group at zero.
    public init(_ sim: AsyncSimulation) { self.sim = sim }

    /// Adds `n` (may be negative) to the counter.
    public func add(_ n: Int) {
        counter += n
        precondition(counter >= 0, "negative WaitGroup counter \(counter)")
        if counter == 0 {
            let w = waiters
            waiters = []
            for p in w { p.fire(.success(())) }
        }
    }

    /// Decrements the counter.
    public func done() { add(-1) }

    /// Waits until the counter is zero.
    public func wait() async throws {
        try await sim.park("wait group at \(self.counter)") { (p: Parker<Void>) in
            if counter == 0 { p.fire(.success(())) } else { waiters.append(p) }
        }
    }
}
