// The discrete-event driver for sans-IO nodes. One event heap ordered by (time, sequence);
// every delay, drop, duplicate and timeout drawn from the run's `Choices`. The scenario that
// drives it is ordinary synchronous code, like swift-nio's EmbeddedEventLoop: time moves only
// when the scenario calls `run(until:)` or `runFor(_:)`, and between calls it can inspect node
// values, start commands, crash, restart, disconnect and partition.
//
// Crash semantics (lab-tests.md §2): a crash drops the node value, disarms its timers, hands its
// persister over (the next incarnation gets a copy) and bumps its incarnation; messages in flight
// to the old incarnation are dropped on arrival, and so are replies sent by it.

/// The driver for a set of sans-IO nodes of one kind.
public final class SansIOSimulation<Node: SansIONode> {
    @usableFromInline enum Event {
        case deliver(
            from: Int32, to: Int32, toIncarnation: Int32, fromIncarnation: Int32,
            Node.Message)
        case timer(node: Int32, key: Int32, generation: UInt32, incarnation: Int32)
    }

    /// The run's decisions.
    public let choices: Choices
    /// The run's trace.
    public let trace: TraceRecorder
    /// Current virtual time.
    public private(set) var now: VirtualTime = 0
    /// The network's fault options (may be changed between steps, as the tests do).
    public var network: NetworkOptions
    /// Who can reach whom.
    public var connectivity: Connectivity
    /// Traffic counters.
    public var counters: NetworkCounters
    /// Each node's current persister (index = node id).
    public private(set) var persisters: [Persister<Node.Durable>]
    /// Events processed so far.
    public private(set) var eventsProcessed = 0

    @usableFromInline var queue = EventQueue<Event>()
    /// Node values. A node's slot is empty while its own handler runs (the value is moved out
    /// so the handler's `send` can read the table without overlapping access) and while it is
    /// crashed; `alive` says which.
    @usableFromInline var nodes: [Node?]
    @usableFromInline var alive: [Bool]
    @usableFromInline var incarnation: [Int32]
    @usableFromInline var timerGeneration: [[UInt32]]
    private let make: (NodeID, Persister<Node.Durable>) -> Node
    private lazy var context = NodeContext<Node>(sim: self)
    /// Set by a checker to stop the run at the first violation.
    public var violation: Violation?
    /// Guard against runs that cannot end: see `RunGuard`.
    public var guardrail = RunGuard()
    /// Called for every message sent and every copy dropped or delivered (a harness counts
    /// the requests a liveness violation waited on: `MessageLedger`); nil costs nothing.
    public var messageTap: ((Node.Message, NodeID, NodeID, MessageEvent) -> Void)?

    /// Creates `count` nodes with `make(id, persister)`; all exist before any boots; they boot at
    /// time 0 in id order.
    public init(
        count: Int, choices: Choices, trace: TraceRecorder, network: NetworkOptions = .init(),
        make: @escaping (NodeID, Persister<Node.Durable>) -> Node
    ) {
        self.choices = choices
        self.trace = trace
        self.network = network
        self.make = make
        connectivity = Connectivity(count: count)
        counters = NetworkCounters(count: count)
        persisters = (0..<count).map { _ in Persister() }
        nodes = Array(repeating: nil, count: count)
        alive = Array(repeating: false, count: count)
        incarnation = Array(repeating: 0, count: count)
        timerGeneration = Array(repeating: [], count: count)
        // Weak: the trace outlives the simulation (the runner reads the final time after the
        // scenario returns); `deinit` leaves the last time behind.
        trace.clock = { [weak self] in self?.now ?? 0 }
        // Every node exists before any boots, so boot-time messages reach their peers.
        for i in 0..<count {
            nodes[i] = make(i, persisters[i])
            alive[i] = true
        }
        for i in 0..<count { bootNode(i) }
    }

    deinit {
        let end = now
        trace.clock = { end }
    }

    /// Number of node slots.
    public var nodeCount: Int { nodes.count }
    /// True when node `i` is running (not crashed).
    public func isUp(_ i: NodeID) -> Bool { alive[i] }
    /// The current value of node `i`, or nil while it is crashed.
    public func node(_ i: NodeID) -> Node? { nodes[i] }
    /// Node `i`'s incarnation number (0 for the first, +1 per restart).
    public func incarnationOf(_ i: NodeID) -> Int { Int(incarnation[i]) }

    /// Runs `body` on node `i` with a context (how a harness calls `Start` or `Snapshot`).
    /// Returns nil when the node is down.
    @discardableResult
    public func withNode<R>(_ i: NodeID, _ body: (inout Node, NodeContext<Node>) -> R) -> R? {
        guard alive[i], var n = nodes[i].take() else { return nil }
        context.id = i
        let r = body(&n, context)
        nodes[i] = n
        return r
    }

    /// Runs a handler on node `i` with its value moved out of the table.
    @inline(__always)
    func handle(_ i: NodeID, _ body: (inout Node, NodeContext<Node>) -> Void) {
        // Moved out (not copied), so the node's storage stays uniquely referenced.
        guard var n = nodes[i].take() else { return }
        context.id = i
        body(&n, context)
        nodes[i] = n
    }

    /// Adds a node slot (e.g. a clerk joining later) and boots it; returns its id.
    @discardableResult
    public func addNode() -> NodeID {
        let i = nodes.count
        nodes.append(nil)
        alive.append(false)
        incarnation.append(0)
        timerGeneration.append([])
        persisters.append(Persister())
        connectivity.append()
        counters.rpcCount.append(0)
        start(i)
        return i
    }

    private func start(_ i: NodeID) {
        nodes[i] = make(i, persisters[i])
        alive[i] = true
        bootNode(i)
    }

    private func bootNode(_ i: NodeID) {
        trace.observe(
            "boot", node: i,
            [("incarnation", .int(Int64(incarnation[i])))] + (nodes[i]?.bootFields ?? []))
        handle(i) { n, ctx in n.boot(ctx) }
    }

    /// Crashes node `i`: its value and timers are gone, its saved state survives.
    public func crash(_ i: NodeID) {
        guard alive[i] else { return }
        nodes[i] = nil
        alive[i] = false
        incarnation[i] += 1
        for k in timerGeneration[i].indices { timerGeneration[i][k] &+= 1 }
        persisters[i] = persisters[i].handOver()
        trace.observe("crash", node: i)
    }

    /// Restarts a crashed node `i` from its persister as a new incarnation.
    public func restart(_ i: NodeID) {
        if alive[i] { crash(i) }
        start(i)
    }

    /// Cuts node `i` off (labrpc `disconnect`). Observed only when it changes something: a
    /// restart disconnects a node that its crash already cut off.
    public func disconnect(_ i: NodeID) {
        guard connectivity.connected[i] else { return }
        connectivity.disconnect(i)
        trace.observe("disconnect", node: i)
    }

    /// Reconnects node `i`; observed only when it was cut off.
    public func connect(_ i: NodeID) {
        guard !connectivity.connected[i] else { return }
        connectivity.connect(i)
        trace.observe("connect", node: i)
    }

    /// Splits the nodes into groups that cannot reach each other.
    public func partition(_ groups: [[NodeID]]) {
        connectivity.partition(groups)
        trace.observe(
            "partition", node: nil,
            [("groups", .array(groups.map { .array($0.map { .int(Int64($0)) }) }))])
    }

    /// Removes every partition.
    public func heal() {
        connectivity.heal()
        trace.observe("heal", node: nil)
    }
}

extension SansIOSimulation {
    /// Sends a message, deciding its fate now (drop, delay, duplicate) through `Choices`.
    @usableFromInline
    func send(_ m: Node.Message, from: NodeID, to: NodeID) {
        let reply = m.isReply
        if !reply {
            counters.rpcCount[to] &+= 1
            counters.totalRequests &+= 1
            counters.totalBytes &+= m.sizeBytes
        }
        guard connectivity.canTalk(from, to), alive[to] else {
            counters.dropped &+= 1
            messageTap?(m, from, to, .cut)
            return
        }
        messageTap?(m, from, to, .sent)
        let copies = choices.chance(network.duplicatePerMille, in: 1000, "net.dup") ? 2 : 1
        for _ in 0..<copies {
            if network.drops(reply: reply, choices) {
                counters.dropped &+= 1
                // Observed (counted) in every run, recorded or not, so that line numbers and
                // event counts agree between the two (the shrinker measures unrecorded runs).
                let line = trace.observe(
                    "drop", node: from,
                    [("to", .int(Int64(to))), ("msg", .string(m.traceName))] + m.traceFields)
                messageTap?(m, from, to, .dropped(line))
                continue
            }
            let at = now + network.delay(reply: reply, choices)
            queue.push(
                .deliver(
                    from: Int32(from), to: Int32(to), toIncarnation: incarnation[to],
                    fromIncarnation: incarnation[from], m), at: at)
        }
    }

    @usableFromInline
    func setTimer(node: NodeID, key: Int, after delay: VirtualTime) {
        precondition(delay >= 0, "negative timer delay \(delay)")
        if timerGeneration[node].count <= key {
            timerGeneration[node].append(
                contentsOf: repeatElement(0, count: key + 1 - timerGeneration[node].count))
        }
        timerGeneration[node][key] &+= 1
        queue.push(
            .timer(
                node: Int32(node), key: Int32(key), generation: timerGeneration[node][key],
                incarnation: incarnation[node]), at: now + delay)
    }

    @usableFromInline
    func cancelTimer(node: NodeID, key: Int) {
        if key < timerGeneration[node].count { timerGeneration[node][key] &+= 1 }
    }
}

extension SansIOSimulation {
    /// Processes the next event; false when none is left.
    @discardableResult
    public func step() -> Bool {
        if let x = choices.explore, x.atStep(decisions: choices.count, line: trace.nextLine) {
            choices.haltExploredRun()
        }
        guard let (due, event) = choices.pct == nil ? queue.pop() : popByPriority() else {
            return false
        }
        // Under PCT an event can run after a later-due one it was ready with: never back in time.
        let time = max(due, now)
        if let v = guardrail.step(time: time, choices: choices, trace: trace) { violation = v }
        now = time
        eventsProcessed &+= 1
        switch event {
        case .deliver(let from, let to, let toInc, let fromInc, let m):
            deliver(m, from: Int(from), to: Int(to), toInc: toInc, fromInc: fromInc)
        case .timer(let node, let key, let generation, let inc):
            let i = Int(node)
            guard incarnation[i] == inc, alive[i], timerGeneration[i][Int(key)] == generation
            else { return true }
            handle(i) { n, ctx in n.timerFired(Int(key), ctx) }
        }
        return true
    }

    /// PCT: the ready event of the node with the highest priority.
    private func popByPriority() -> (time: VirtualTime, payload: Event)? {
        guard let pct = choices.pct else { return queue.pop() }
        let r = queue.popReady(
            window: pct.windowNs, owner: Self.owner, rank: { pct.priority(of: $0, self.choices) })
        if let (_, e) = r { pct.picked(Self.owner(e)) }
        return r
    }

    /// The node an event runs on.
    private static func owner(_ e: Event) -> Int {
        switch e {
        case .deliver(_, let to, _, _, _): return Int(to)
        case .timer(let node, _, _, _): return Int(node)
        }
    }

    private func deliver(_ m: Node.Message, from: Int, to: Int, toInc: Int32, fromInc: Int32) {
        let stale = incarnation[to] != toInc || (m.isReply && incarnation[from] != fromInc)
        guard !stale, alive[to], connectivity.canTalk(from, to) else {
            counters.dropped &+= 1
            return
        }
        if m.isReply { counters.totalBytes &+= m.sizeBytes }
        counters.delivered &+= 1
        let line = trace.observe(
            "recv", node: to,
            [("from", .int(Int64(from))), ("msg", .string(m.traceName))] + m.traceFields)
        messageTap?(m, from, to, .delivered(line))
        handle(to) { n, ctx in n.receive(m, from: from, ctx) }
    }

    /// Runs events up to and including `deadline`, then sets the clock to it. Stops early when
    /// a checker sets `violation`.
    public func run(until deadline: VirtualTime) {
        while violation == nil, let t = queue.nextTime, t <= deadline {
            step()
        }
        if violation == nil && now < deadline { now = deadline }
    }

    /// Runs for `duration` of virtual time.
    public func runFor(_ duration: VirtualTime) { run(until: now + duration) }

    /// Runs until `condition` holds (checked after every event) or `timeout` passes; returns
    /// whether it held.
    public func run(for timeout: VirtualTime, until condition: () -> Bool) -> Bool {
        let deadline = now + timeout
        if condition() { return true }
        while violation == nil, let t = queue.nextTime, t <= deadline {
            step()
            if condition() { return true }
        }
        if violation == nil && now < deadline { now = deadline }
        return condition()
    }
}
