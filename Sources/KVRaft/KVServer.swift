// The key/value server (kvraft/server.go) as a sans-IO component embedding a Raft peer.
//
// Every operation — Get included — goes through the Raft log: the server Starts it, remembers
// the request under the index Start returned, and answers when that index is applied. If a
// different command lands there, or the server stops being leader of the term it Started in,
// the request fails with ErrWrongLeader and the clerk retries elsewhere. Put/Append execute
// exactly once: the applied state keeps the last executed sequence number per client and skips
// anything not newer. When the persisted Raft state reaches 90% of maxraftstate, the server
// hands Raft a snapshot of the map and the duplicate table; a restart or an InstallSnapshot
// restores both.
import DSimCore
import Raft

/// Bugs that can be planted in the server.
public struct KVBugs: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt8
    /// Creates a set from bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Execute every Put/Append that reaches the log, duplicates included.
    public static let noDuplicateDetection = KVBugs(rawValue: 1 << 0)
    /// A leader answers Get from its local map without going through the log.
    public static let staleRead = KVBugs(rawValue: 1 << 1)
    /// Snapshots carry the map but not the duplicate table.
    public static let snapshotWithoutDupTable = KVBugs(rawValue: 1 << 2)

    /// The bugs by their planted names.
    public static let byName: [(String, KVBugs)] = [
        ("no-duplicate-detection", .noDuplicateDetection), ("stale-read", .staleRead),
        ("snapshot-without-dup-table", .snapshotWithoutDupTable),
    ]

    /// The set named by `names` (unknown names are ignored).
    public init<S: Sequence>(names: S) where S.Element == String {
        self = []
        let wanted = Set(names)
        for (name, bug) in Self.byName where wanted.contains(name) { insert(bug) }
    }
}

/// A request waiting for its log index to be applied.
struct PendingRequest: Hashable {
    /// The index Start returned.
    var index: Int
    /// The term Start returned.
    var term: Int
    /// The clerk node to answer.
    var clerk: NodeID
    /// The request's client, sequence number and attempt.
    var clientId: Int
    var seq: Int
    var attempt: Int
}

/// One key/value server: a Raft peer plus the state machine it drives.
public struct KVServer {
    /// The Raft peer (node ids 0..<servers are the peers).
    public private(set) var raft: Raft<KVCommand, KVSnapshot>
    /// The key/value map.
    public private(set) var data: [String: String] = [:]
    /// The duplicate table: the last executed Put/Append seq per client.
    public private(set) var lastSeq: [Int: Int] = [:]
    /// Highest log index applied to `data`.
    public private(set) var lastApplied = 0
    /// Requests waiting for their index, in increasing index order.
    var pending: [PendingRequest] = []
    /// When the election timer is due (the latest reset's deadline).
    var electionDeadline: VirtualTime = 0
    /// The deadline the armed kernel election timer was set for, if one is armed.
    var electionArmedFor: VirtualTime?
    /// True when the durable state changed since it was last written to the persister.
    public private(set) var isDurableDirty = false
    /// Snapshot when the Raft state reaches 90% of this many bytes; -1: never.
    public let maxRaftState: Int
    /// Planted bugs.
    public let bugs: KVBugs
    /// Scratch batch reused across calls (not part of the state).
    private var ready = RaftReady<KVCommand, KVSnapshot>()

    /// Builds server `id` of `servers` from its persisted state (nil when fresh).
    public init(
        id: NodeID, servers: Int, maxRaftState: Int, bugs: KVBugs, raftConfig: RaftConfig,
        restoring: RaftDurable<KVCommand, KVSnapshot>?
    ) {
        precondition(id >= 0 && id < servers, "server \(id) of \(servers)")
        raft = Raft(id: id, peerCount: servers, config: raftConfig, restoring: restoring)
        self.maxRaftState = maxRaftState
        self.bugs = bugs
        if let s = raft.snapshot { install(s, index: raft.log.snapshotIndex) }
    }

    /// Persisted Raft state size as Raft reports it (labrpc `RaftStateSize`).
    public var raftStateBytes: Int { raft.durable.stateBytes }

    /// Saves the durable state to the persister if it changed since the last save.
    ///
    /// Write-back persistence: Raft sets `mustPersist` (and `snapshot` returns true) whenever
    /// its durable state changes, so the state at the end of any event equals what eager saves
    /// would have stored. Saving eagerly would make the persister share the log's buffer and
    /// every later append copy the whole log (copy-on-write), quadratic in the log length. The
    /// harness calls this before every crash it injects and before reading sizes; crashes
    /// happen only between events, so the persister holds exactly what eager saving would.
    public mutating func writeBack(_ ctx: NodeContext<KVNode>) {
        guard isDurableDirty else { return }
        isDurableDirty = false
        let d = raft.durable
        ctx.persist(d, stateBytes: d.stateBytes, snapshotBytes: d.snapshotBytes)
    }

    /// Starts the Raft peer.
    public mutating func boot(_ ctx: NodeContext<KVNode>) {
        ready.clear()
        raft.boot(&ready)
        flush(ctx)
    }

    /// A Raft message from peer `from`.
    public mutating func receive(
        _ m: RaftMessage<KVCommand, KVSnapshot>, from: NodeID, _ ctx: NodeContext<KVNode>
    ) {
        ready.clear()
        raft.step(m, from: from, &ready)
        flush(ctx)
    }

    /// A Raft timer fired.
    public mutating func timerFired(_ timer: Int, _ ctx: NodeContext<KVNode>) {
        guard let t = RaftTimer(rawValue: timer) else {
            preconditionFailure("unknown server timer \(timer)")
        }
        if t == .election {
            electionArmedFor = nil
            if ctx.now < electionDeadline {  // reset since armed: wait for the rest
                electionArmedFor = electionDeadline
                ctx.setTimer(t.rawValue, after: electionDeadline - ctx.now)
                return
            }
        }
        ready.clear()
        raft.tick(t, &ready)
        flush(ctx)
    }

    /// A clerk's request: Start it and wait for its index, or fail at once when not leader.
    public mutating func handleRequest(
        _ r: KVRequest, from clerk: NodeID, _ ctx: NodeContext<KVNode>
    ) {
        if bugs.contains(.staleRead), r.operation.op == .get, raft.state.isLeader {
            let v = data[r.operation.key] ?? ""
            reply(to: clerk, r.seq, r.attempt, .ok, v, ctx)
            return
        }
        ready.clear()
        let cmd = KVCommand(r.operation, clientId: r.clientId, seq: r.seq)
        let (index, term, isLeader) = raft.start(cmd, &ready)
        guard isLeader else {
            reply(to: clerk, r.seq, r.attempt, .wrongLeader, "", ctx)
            return
        }
        precondition(pending.last.map { $0.index < index } ?? true, "Start index \(index) reused")
        pending.append(
            PendingRequest(
                index: index, term: term, clerk: clerk, clientId: r.clientId, seq: r.seq,
                attempt: r.attempt))
        flush(ctx)
    }

    private func reply(
        to clerk: NodeID, _ seq: Int, _ attempt: Int, _ err: KVErr, _ value: String,
        _ ctx: NodeContext<KVNode>
    ) {
        ctx.send(.reply(KVReply(seq: seq, attempt: attempt, err: err, value: value)), to: clerk)
    }
}

extension KVServer {
    /// Carries out a Raft batch: persist, send, timers, observations, applies; then fails
    /// requests whose leadership is gone and snapshots when the log is too big.
    private mutating func flush(_ ctx: NodeContext<KVNode>) {
        if ready.isEmpty && pending.isEmpty { return }
        if ready.mustPersist { persist(ctx) }
        for (to, m) in ready.messages { ctx.send(.raft(m), to: to) }
        if ready.resetElectionTimer { resetElectionTimer(ctx) }
        if ready.stopHeartbeat { ctx.cancelTimer(RaftTimer.heartbeat.rawValue) }
        if let h = ready.heartbeatAfterNs { ctx.setTimer(RaftTimer.heartbeat.rawValue, after: h) }
        for e in ready.events { observe(e, ctx) }
        if !ready.applies.isEmpty {
            for a in ready.applies { apply(a, ctx) }
            ready.applies.removeAll(keepingCapacity: true)
            maybeSnapshot(ctx)
        }
        if !pending.isEmpty { failLostLeadership(ctx) }
    }

    /// Draws a fresh election timeout (as RaftServer does) but arms the kernel timer only when
    /// the new deadline is earlier than the armed one: followers reset on every AppendEntries,
    /// and a kernel timer per reset would fill the event queue with stale entries. A timer that
    /// fires before the deadline re-arms for the rest (`timerFired`), so the election starts
    /// exactly when eager re-arming would have started it.
    private mutating func resetElectionTimer(_ ctx: NodeContext<KVNode>) {
        let lo = Int(raft.config.electionTimeoutMinNs / Duration.millisecond)
        let hi = Int(raft.config.electionTimeoutMaxNs / Duration.millisecond)
        let delay = VirtualTime(ctx.random(lo, hi, "raft.election")) * Duration.millisecond
        electionDeadline = ctx.now + delay
        if electionArmedFor == nil || electionArmedFor! > electionDeadline {
            electionArmedFor = electionDeadline
            ctx.setTimer(RaftTimer.election.rawValue, after: delay)
        }
    }

    /// Marks the durable state for saving (see `writeBack`).
    private mutating func persist(_ ctx: NodeContext<KVNode>) { isDurableDirty = true }

    private func observe(_ e: RaftEvent, _ ctx: NodeContext<KVNode>) {
        switch e {
        case .role(let role, let term):
            ctx.observe("role", [("role", .string(role.rawValue)), ("term", .int(Int64(term)))])
        case .voted(let term, let candidate):
            ctx.observe("vote", [("term", .int(Int64(term))), ("for", .int(Int64(candidate)))])
        case .committed(let index):
            ctx.observe("commit", [("index", .int(Int64(index)))])
        }
    }

    /// One applied message: a command executes and answers its waiting request; a snapshot
    /// replaces the state and fails every request it covers.
    private mutating func apply(_ a: ApplyMsg<KVCommand, KVSnapshot>, _ ctx: NodeContext<KVNode>) {
        switch a {
        case .snapshot(let index, _, let snap):
            guard index > lastApplied else { return }
            install(snap, index: index)
            ctx.observe("kvInstall", [("index", .int(Int64(index)))])
            while let p = pending.first, p.index <= index {
                pending.removeFirst()
                reply(to: p.clerk, p.seq, p.attempt, .wrongLeader, "", ctx)
            }
        case .command(let index, let term, let cmd):
            guard index > lastApplied else { return }
            precondition(index == lastApplied + 1, "apply \(index) after \(lastApplied)")
            lastApplied = index
            let value = execute(cmd)
            while let p = pending.first, p.index <= index {
                pending.removeFirst()
                let mine =
                    p.index == index && p.term == term && p.clientId == cmd.clientId
                    && p.seq == cmd.seq
                reply(to: p.clerk, p.seq, p.attempt, mine ? .ok : .wrongLeader, value, ctx)
            }
        }
    }

    /// Executes a committed command on the map; returns the value a get reads.
    private mutating func execute(_ cmd: KVCommand) -> String {
        let key = cmd.operation.key
        switch cmd.operation.op {
        case .get:
            return data[key] ?? ""
        case .put, .append:
            let isDuplicate = (lastSeq[cmd.clientId] ?? 0) >= cmd.seq
            if isDuplicate && !bugs.contains(.noDuplicateDetection) { return "" }
            if cmd.operation.op == .put {
                data[key] = cmd.operation.value
            } else {
                data[key, default: ""].append(cmd.operation.value)
            }
            if cmd.seq > lastSeq[cmd.clientId] ?? 0 { lastSeq[cmd.clientId] = cmd.seq }
            return ""
        }
    }

    /// Replaces the state machine with a snapshot taken at `index`.
    private mutating func install(_ s: KVSnapshot, index: Int) {
        data = s.data
        lastSeq = s.lastSeq
        lastApplied = index
    }

    /// Raft §7: hand Raft a snapshot once the persisted state nears maxraftstate.
    private mutating func maybeSnapshot(_ ctx: NodeContext<KVNode>) {
        guard maxRaftState > 0, lastApplied > raft.log.snapshotIndex,
            raft.durable.stateBytes * 10 >= maxRaftState * 9
        else { return }
        let table = bugs.contains(.snapshotWithoutDupTable) ? [:] : lastSeq
        if raft.snapshot(index: lastApplied, data: KVSnapshot(data: data, lastSeq: table)) {
            persist(ctx)
            ctx.observe("snapshot", [("index", .int(Int64(lastApplied)))])
        }
    }

    /// Fails every waiting request once this server is no longer leader of its term.
    private mutating func failLostLeadership(_ ctx: NodeContext<KVNode>) {
        let (term, isLeader) = raft.state
        guard !isLeader || pending.contains(where: { $0.term != term }) else { return }
        var kept: [PendingRequest] = []
        for p in pending {
            if isLeader && p.term == term {
                kept.append(p)
            } else {
                reply(to: p.clerk, p.seq, p.attempt, .wrongLeader, "", ctx)
            }
        }
        pending = kept
    }
}
