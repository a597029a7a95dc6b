// The sans-IO node style (etcd/raft, stateright): a node is a value whose handlers take an
// input — a message, a timer, a boot — and act only through the `NodeContext` they are handed:
// send, set or cancel a timer, draw a random value, persist, observe. No clocks, no threads, no
// `await`. The simulation owns every node value, so a crash is "drop the value", state can be
// hashed and compared, and a run costs a few hundred nanoseconds per message.

/// A node identifier: an index into the simulation's node table.
public typealias NodeID = Int

/// A message between sans-IO nodes.
public protocol SimMessage: Sendable {
    /// True for a reply (labrpc drops requests and replies at separate rates).
    var isReply: Bool { get }
    /// Encoded size in bytes, for the byte counters the original tests bound.
    var sizeBytes: Int { get }
    /// A short name for traces, e.g. `AppendEntries`.
    var traceName: String { get }
    /// The message's fields for a trace line (only evaluated when recording).
    var traceFields: [(String, JSON)] { get }
}

/// A node written as a pure state machine driven by the simulation.
public protocol SansIONode {
    /// The messages nodes of this kind exchange.
    associatedtype Message: SimMessage
    /// What this node keeps in stable storage.
    associatedtype Durable

    /// Called once when the node starts or restarts (after it was built from its persister).
    mutating func boot(_ ctx: NodeContext<Self>)
    /// A message from `from` arrived.
    mutating func receive(_ message: Message, from: NodeID, _ ctx: NodeContext<Self>)
    /// Timer `timer` (a small node-defined key) fired.
    mutating func timerFired(_ timer: Int, _ ctx: NodeContext<Self>)
    /// Fields the node adds to its `boot` line, e.g. the term a Raft peer restarts in (read
    /// after it was built from its persister, before `boot`); none by default.
    var bootFields: [(String, JSON)] { get }
}

extension SansIONode {
    /// No fields of its own on the boot line.
    public var bootFields: [(String, JSON)] { [] }
}

/// The handle through which a sans-IO node acts on the world during one handler call.
public final class NodeContext<Node: SansIONode> {
    @usableFromInline unowned let sim: SansIOSimulation<Node>
    /// The node being run.
    public internal(set) var id: NodeID = 0

    init(sim: SansIOSimulation<Node>) { self.sim = sim }

    /// Current virtual time.
    @inlinable public var now: VirtualTime { sim.now }
    /// Number of nodes in the simulation.
    @inlinable public var nodeCount: Int { sim.nodeCount }

    /// Sends `message` to `to` through the simulated network.
    @inlinable
    public func send(_ message: Node.Message, to: NodeID) { sim.send(message, from: id, to: to) }

    /// Arms timer `key` to fire after `delay`; re-arming replaces the previous deadline.
    @inlinable
    public func setTimer(_ key: Int, after delay: VirtualTime) {
        sim.setTimer(node: id, key: key, after: delay)
    }

    /// Disarms timer `key`.
    @inlinable
    public func cancelTimer(_ key: Int) { sim.cancelTimer(node: id, key: key) }

    /// A random value in `lo...hi` drawn through the run's `Choices`.
    @inlinable
    public func random(_ lo: Int, _ hi: Int, _ label: StaticString) -> Int {
        sim.choices.between(lo, hi, label)
    }

    /// Saves the durable state and snapshot atomically to this node's persister.
    @inlinable
    public func persist(_ state: Node.Durable, stateBytes: Int, snapshotBytes: Int) {
        sim.persisters[id].save(state, stateBytes: stateBytes, snapshotBytes: snapshotBytes)
    }

    /// The trace line written last (at `boot`: the boot line).
    @inlinable public var lastLine: TraceLine { sim.trace.nextLine - 1 }

    /// Reports that the node broke a rule of its protocol (a check its host runs around a
    /// handler): the run stops after this handler with `violation`, unless another was reported
    /// first. A broken rule is data, never a trap of the process.
    public func fail(_ violation: Violation) {
        if sim.violation == nil { sim.violation = violation }
    }

    /// Records an observation; returns its trace line so a checker can cite it.
    @inlinable @discardableResult
    public func observe(_ event: String, _ fields: @autoclosure () -> [(String, JSON)] = [])
        -> TraceLine
    {
        sim.trace.observe(event, node: id, fields())
    }
}
