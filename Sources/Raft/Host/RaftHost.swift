// The machinery every Raft-backed service repeats (kvraft, shardctrler, shardkv servers), as one
// sans-IO component: a Raft peer, the state machine it drives, and the requests waiting for
// their log index. Embed it in any `SansIONode` through a `RaftHostBinding`:
//
//   var host = RaftHost<MyBinding>(me: 0, peers: [0, 1, 2], machine: M(), maxRaftState: -1,
//                                  config: RaftConfig(), restoring: persister.state)
//   host.boot(ctx)                              // from the node's boot
//   host.receive(raftMessage, from: node, ctx)  // the node unwrapped one of MyBinding's messages
//   host.timerFired(key, ctx)                   // false: not one of the host's two timers
//   host.start(command, ticket: t, ctx)         // a client request; reported exactly once as
//                                               // MyBinding.answered(t, output) or .failed(t)
//   host.writeBack(ctx)                         // the harness, before a crash or a size read
//
// After every call the host carries out Raft's batch in the order Raft asks: durable state
// marked for write-back, messages sent, the election timer re-armed lazily, the heartbeat
// timer set or stopped, role/vote/commit observed, committed commands applied (answering
// their requests) and snapshots installed, a snapshot taken when the persisted state reaches
// 90% of maxraftstate, and every request whose leadership is gone failed.

import DSimCore

/// A request waiting for its log index to be applied.
struct PendingStart<Command: RaftPayload, Ticket: Hashable>: Hashable {
    /// The index Start returned.
    var index: Int
    /// The term Start returned.
    var term: Int
    /// The command Started: the entry applied at `index` must be this one, from this term.
    var command: Command
    /// What the embedding server handed in.
    var ticket: Ticket
}

/// A Raft peer, the state machine it drives and the requests waiting on it.
public struct RaftHost<Binding: RaftHostBinding> {
    /// The machine's command type.
    public typealias Command = Binding.Machine.Command
    /// The machine's snapshot type.
    public typealias Snapshot = Binding.Machine.Snapshot
    /// What the host persists.
    public typealias Durable = RaftDurable<Command, Snapshot>

    /// The Raft peer.
    public internal(set) var raft: Raft<Command, Snapshot>
    /// The state machine. Invariant: holds exactly the commands 1...lastApplied.
    public internal(set) var machine: Binding.Machine
    /// Highest log index applied to `machine`.
    public internal(set) var lastApplied = 0
    /// Node id of each Raft peer (`peers[raft.id]` is this node).
    public let peers: [NodeID]
    /// Snapshot when the Raft state reaches 90% of this many bytes; -1: never.
    public let maxRaftState: Int
    /// True when the durable state changed since it was last written to the persister.
    public internal(set) var isDurableDirty = false
    /// Requests waiting for their index. Invariant: strictly increasing `index`.
    var pending: [PendingStart<Command, Binding.Ticket>] = []
    /// When the election timer is due (the latest reset's deadline).
    var electionDeadline: VirtualTime = 0
    /// The deadline the armed kernel election timer was set for, if one is armed.
    var electionArmedFor: VirtualTime?
    /// The election timeout of the current term and role.
    var electionTimeout = ElectionTimeout()
    /// True while booting (not state).
    var isBooting = false
    /// Scratch batch reused across calls (not part of the state).
    var ready = RaftReady<Command, Snapshot>()

    /// Builds peer `me` of `peers` from its persisted state (nil when fresh); a persisted
    /// snapshot is restored into `machine` at once.
    public init(
        me: Int, peers: [NodeID], machine: Binding.Machine, maxRaftState: Int, config: RaftConfig,
        restoring: Durable?
    ) {
        precondition(me >= 0 && me < peers.count, "peer \(me) of \(peers.count)")
        raft = Raft(id: me, peerCount: peers.count, config: config, restoring: restoring)
        self.peers = peers
        self.machine = machine
        self.maxRaftState = maxRaftState
        if let s = raft.snapshot { install(s, index: raft.log.snapshotIndex) }
    }

    /// Persisted Raft state size as Raft reports it (labrpc `RaftStateSize`).
    public var raftStateBytes: Int { raft.durable.stateBytes }

    /// The timer key of `timer` in the embedding node.
    public static func timerKey(_ timer: RaftTimer) -> Int { Binding.timerBase + timer.rawValue }

    /// True when `key` is one of the host's timers.
    public static func ownsTimer(_ key: Int) -> Bool {
        key == timerKey(.election) || key == timerKey(.heartbeat)
    }

    /// Number of requests waiting for their index.
    public var pendingCount: Int { pending.count }

    /// Saves the durable state to the persister if it changed since the last save.
    ///
    /// Write-back persistence: Raft sets `mustPersist` (and `snapshot` returns true) whenever
    /// its durable state changes, so the state at the end of any event equals what eager saves
    /// would have stored. Saving eagerly would make the persister share the log's buffer and
    /// every later append copy the whole log (copy-on-write), quadratic in the log length. The
    /// harness calls this before every crash it injects and before reading sizes; crashes
    /// happen only between events, so the persister holds exactly what eager saving would.
    public mutating func writeBack(_ ctx: NodeContext<Binding.Node>) {
        guard isDurableDirty else { return }
        isDurableDirty = false
        let d = raft.durable
        ctx.persist(
            Binding.durable(d), stateBytes: d.stateBytes, snapshotBytes: d.snapshotBytes)
    }

    /// Starts the Raft peer (the node's boot).
    public mutating func boot(_ ctx: NodeContext<Binding.Node>) {
        ready.clear()
        raft.boot(&ready)
        isBooting = true
        flush(ctx)
        isBooting = false
    }

    /// The boot line says the peer's term (it boots as a follower, so no role line follows).
    public var bootFields: [(String, JSON)] { [("term", .int(Int64(raft.currentTerm)))] }

    /// A Raft message from node `from` (one of `peers`).
    public mutating func receive(
        _ m: RaftMessage<Command, Snapshot>, from: NodeID, _ ctx: NodeContext<Binding.Node>
    ) {
        let peer = from < peers.count && peers[from] == from ? from : peers.firstIndex(of: from)
        guard let p = peer else { preconditionFailure("Raft message from non-peer node \(from)") }
        ready.clear()
        let line = ctx.lastLine
        let check = RaftRuleCheck(raft, .message(m, from: p))
        raft.step(m, from: p, &ready)
        report(check.verify(raft, ready), line: line, ctx)
        flush(ctx)
    }

    /// A timer of the node fired; returns false (and does nothing) when it is not the host's.
    /// An election timer reset since it was armed re-arms for the rest instead of firing.
    @discardableResult
    public mutating func timerFired(_ key: Int, _ ctx: NodeContext<Binding.Node>) -> Bool {
        guard let t = RaftTimer(rawValue: key - Binding.timerBase) else { return false }
        if t == .election {
            electionArmedFor = nil
            if ctx.now < electionDeadline {  // reset since armed: wait for the rest
                electionArmedFor = electionDeadline
                ctx.setTimer(key, after: electionDeadline - ctx.now)
                return true
            }
        }
        ready.clear()
        let check = RaftRuleCheck(raft, .timer(t))
        raft.tick(t, &ready)
        report(check.verify(raft, ready), line: nil, ctx)
        flush(ctx)
        return true
    }

    /// The labs' `Start(command)` for a client request. With a ticket, the request is reported
    /// exactly once, `Binding.answered(ticket, output)` or `Binding.failed(ticket)` — at once
    /// when this peer is not leader. Without one (a command the server issues itself) nothing
    /// is reported. Returns what Raft's Start returned.
    @discardableResult
    public mutating func start(
        _ command: Command, ticket: Binding.Ticket?, _ ctx: NodeContext<Binding.Node>
    ) -> (index: Int, term: Int, isLeader: Bool) {
        ready.clear()
        let check = RaftRuleCheck(raft, .start(command))
        let r = raft.start(command, &ready)
        report(check.verify(raft, ready), line: nil, ctx)
        guard r.isLeader else {
            if let t = ticket { Binding.failed(t, ctx) }
            return r
        }
        // A leader accepted a command: without this line an entry only appears in a log.
        ctx.observe(
            "start",
            [("index", .int(Int64(r.index))), ("term", .int(Int64(r.term)))]
                + Binding.startFields(command))
        if let t = ticket {
            if let last = pending.last, last.index >= r.index {
                let b = RaftRuleBreach(
                    .startAppendsOwnTerm, "Start returned index \(r.index) after \(last.index)")
                report(b, line: nil, ctx)
            }
            pending.append(PendingStart(index: r.index, term: r.term, command: command, ticket: t))
        }
        flush(ctx)
        return r
    }
}
