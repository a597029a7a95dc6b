// A shardkv server (shardkv/server.go) as a sans-IO component: a `RaftHost` driving the group
// state machine (`ShardGroupState`), plus the duties of a group's leader, run every 100 ms by default
// (`pollNs`, the handout's "poll roughly every 100 milliseconds"):
//
// - configuration: when every shard is settled, ask the controller for configuration
//   `config.num + 1` (an embedded controller clerk) and Start it; one at a time, in order;
// - pull: for shards `pulling`, ask the previous owner's group (one server per round, rotating)
//   for their data and duplicate tables, and Start `insertShards` with the answer;
// - no-op: once per term, a new leader Starts a no-op (Raft §8), else a group no client writes
//   to (it owns nothing) would never commit — nor apply — the entries of earlier terms, and a
//   restarted group could sit forever on a stale state, blocking every other group's change;
// - delete: for shards `releasing`, ask the previous owner to delete its copy; once it says
//   `ok`, Start `shardsReleased`.
//
// Requests: a clerk's Get/Put/Append goes through the log (ErrWrongGroup at once, without the
// log, when the leader does not serve the shard now; the apply-time check decides). A pull is
// answered by any replica from its applied state: an `offering` shard is frozen, identical on
// every replica in that configuration. A delete goes through the previous owner's log.
import DSimCore
import KVRaft
import Raft
import ShardCtrler

/// Server names → node ids (the labs' `make_end`), shared by every node of a simulation.
public final class ShardKVDirectory {
    /// Node id of each server name. Looked up by key only, never iterated.
    public private(set) var nodeOf: [String: NodeID] = [:]

    /// An empty directory.
    public init() {}

    /// Registers server `name` at node `id`.
    public func register(_ name: String, at id: NodeID) { nodeOf[name] = id }

    /// The node of server `name`. Every name in a configuration is registered.
    public func node(_ name: String) -> NodeID {
        guard let id = nodeOf[name] else { preconditionFailure("unknown server name \(name)") }
        return id
    }

    /// The name of server `i` of group `gid` (the labs' `servername(gid, i)`).
    public static func serverName(gid: Int, _ i: Int) -> String { "server-\(gid)-\(i)" }
}

/// What a shardkv server remembers about a request it Started.
public enum ShardKVTicket: Hashable, Sendable {
    /// A clerk's request: answer the clerk node with this seq and attempt.
    case client(clerk: NodeID, seq: Int, attempt: Int)
    /// A delete request from another group's server.
    case delete(from: NodeID, configNum: Int, shards: [Int])
}

/// One server of a replica group.
public struct ShardKVServer {
    /// Timer key of the leader duties (after the host's two).
    static let pollTimer = 2
    /// The leader duties' default period.
    public static let defaultPollNs = 100 * Duration.millisecond
    /// The leader duties' period (a knob: `configPollMs`).
    public let pollNs: VirtualTime

    /// The Raft peer, the group state and the waiting requests.
    public internal(set) var host: RaftHost<ShardKVHostBinding>
    /// This group's id.
    public let gid: Int
    /// Rounds of leader duties so far (rotates the server asked in another group).
    var round = 0
    /// The last term in which this server, as leader, Started its no-op.
    var noopTerm = 0
    /// Planted `pull-once`: the configuration this server last sent pulls in.
    var pulledConfig = -1
    /// Server names → nodes.
    let directory: ShardKVDirectory

    /// Builds server `me` of group `gid` (whose servers are nodes `peers`) from its persisted
    /// state (nil when fresh).
    public init(
        gid: Int, me: Int, peers: [NodeID], maxRaftState: Int, bugs: ShardKVBugs,
        raftConfig: RaftConfig, directory: ShardKVDirectory,
        restoring: RaftDurable<ShardKVCommand, ShardKVSnapshot>?,
        pollNs: VirtualTime = ShardKVServer.defaultPollNs
    ) {
        precondition(pollNs > 0, "poll period \(pollNs)")
        self.pollNs = pollNs
        self.gid = gid
        self.directory = directory
        host = RaftHost(
            me: me, peers: peers, machine: ShardGroupState(gid: gid, bugs: bugs),
            maxRaftState: maxRaftState, config: raftConfig, restoring: restoring)
    }

    /// The applied group state.
    public var state: ShardGroupState { host.machine }
    /// True when this server believes it leads its group.
    public var isLeader: Bool { host.raft.state.isLeader }

    /// Starts the Raft peer and the duty timer.
    public mutating func boot(_ ctx: NodeContext<ShardKVNode>) {
        host.boot(ctx)
        ctx.setTimer(Self.pollTimer, after: pollNs)
    }

    /// A clerk's Get/Put/Append.
    public mutating func handleRequest(
        _ r: ShardKVRequest, from clerk: NodeID, _ ctx: NodeContext<ShardKVNode>
    ) {
        let ticket = ShardKVTicket.client(clerk: clerk, seq: r.seq, attempt: r.attempt)
        if isLeader && !state.serves(keyToShard(r.operation.key)) {
            ShardKVHostBinding.answered(ticket, ShardKVResult(.wrongGroup), ctx)
            return
        }
        host.start(.client(r.operation, clientId: r.clientId, seq: r.seq), ticket: ticket, ctx)
    }

    /// Another group asks for shards it pulls (answered from the applied state).
    public func handlePull(_ a: PullShardsArgs, from: NodeID, _ ctx: NodeContext<ShardKVNode>) {
        var reply = PullShardsReply(configNum: a.configNum, err: .notReady, transfers: [])
        if let ts = state.export(configNum: a.configNum, a.shards) {
            reply.err = .ok
            reply.transfers = ts
        }
        ctx.send(.pullReply(reply), to: from)
    }

    /// The shards pulled arrived: insert them through the log.
    public mutating func handlePullReply(_ r: PullShardsReply, _ ctx: NodeContext<ShardKVNode>) {
        guard r.err == .ok, isLeader, r.configNum == state.config.num,
            r.transfers.contains(where: { state.shards[$0.shard].status == .pulling })
        else { return }
        host.start(.insertShards(configNum: r.configNum, r.transfers), ticket: nil, ctx)
    }

    /// The new owner has shards this group offered: delete them through the log (`ok` at once
    /// when the group is already past that configuration: they were deleted).
    public mutating func handleDelete(
        _ m: DeleteShardsMessage, from: NodeID, _ ctx: NodeContext<ShardKVNode>
    ) {
        if state.config.num > m.configNum {
            var r = m
            r.err = .ok
            ctx.send(.deleteReply(r), to: from)
            return
        }
        let ticket = ShardKVTicket.delete(from: from, configNum: m.configNum, shards: m.shards)
        host.start(.deleteShards(configNum: m.configNum, shards: m.shards), ticket: ticket, ctx)
    }

    /// The previous owner deleted its copy: the migration of those shards is over.
    public mutating func handleDeleteReply(
        _ m: DeleteShardsMessage, _ ctx: NodeContext<ShardKVNode>
    ) {
        guard m.err == .ok, isLeader, m.configNum == state.config.num,
            m.shards.contains(where: { state.shards[$0].status == .releasing })
        else { return }
        host.start(.shardsReleased(configNum: m.configNum, shards: m.shards), ticket: nil, ctx)
    }

    /// A timer: the host's, or the duty timer. Returns false when it is neither (the
    /// embedded controller clerk's).
    public mutating func timerFired(_ key: Int, _ ctx: NodeContext<ShardKVNode>) -> Bool {
        if host.timerFired(key, ctx) { return true }
        guard key == Self.pollTimer else { return false }
        ctx.setTimer(Self.pollTimer, after: pollNs)
        round &+= 1
        if isLeader {
            let term = host.raft.currentTerm
            if noopTerm != term {
                // Raft §8: commit an entry of this term, so every entry before it applies.
                noopTerm = term
                host.start(.noop, ticket: nil, ctx)
            }
            if !state.bugs.contains(.pullOnce) || pulledConfig != state.config.num {
                if !state.shards(in: .pulling).isEmpty { pulledConfig = state.config.num }
                sendPulls(ctx)
            }
            sendDeletes(ctx)
        }
        return true
    }

    /// The configuration to ask the controller for now, if any: the next one, when this
    /// server leads and nothing migrates.
    public var wantedConfig: Int? {
        isLeader && state.isSettled ? state.config.num + 1 : nil
    }

    /// The controller answered: Start the configuration if it is the next one.
    public mutating func configArrived(_ c: ShardConfig, _ ctx: NodeContext<ShardKVNode>) {
        guard isLeader, state.isSettled, c.num == state.config.num + 1 else { return }
        host.start(.config(c), ticket: nil, ctx)
    }

    /// The shards in `status` grouped by their owner in the previous configuration, gid order.
    func byPreviousOwner(_ status: ShardStatus) -> [(gid: Int, shards: [Int])] {
        var out: [(gid: Int, shards: [Int])] = []
        for s in state.shards(in: status) {
            let g = state.previous.shards[s]
            if let i = out.firstIndex(where: { $0.gid == g }) {
                out[i].shards.append(s)
            } else {
                out.append((g, [s]))
            }
        }
        return out.sorted { $0.gid < $1.gid }
    }

    /// One server of group `gid` in the previous configuration, rotating by round.
    func previousServer(_ gid: Int) -> NodeID? {
        guard let names = state.previous.servers(of: gid), !names.isEmpty else { return nil }
        return directory.node(names[round % names.count])
    }

    private func sendPulls(_ ctx: NodeContext<ShardKVNode>) {
        for (g, shards) in byPreviousOwner(.pulling) {
            guard let to = previousServer(g) else { continue }
            ctx.send(
                .pullShards(PullShardsArgs(configNum: state.config.num, shards: shards)), to: to)
        }
    }

    private func sendDeletes(_ ctx: NodeContext<ShardKVNode>) {
        for (g, shards) in byPreviousOwner(.releasing) {
            guard let to = previousServer(g) else { continue }
            let m = DeleteShardsMessage(configNum: state.config.num, shards: shards, err: .ok)
            ctx.send(.deleteShards(m), to: to)
        }
    }
}

/// How a shardkv server's `RaftHost` is wired into `ShardKVNode`.
public enum ShardKVHostBinding: RaftHostBinding {
    /// The simulation's node.
    public typealias Node = ShardKVNode
    /// The group state.
    public typealias Machine = ShardGroupState
    /// The clerk or group server to answer.
    public typealias Ticket = ShardKVTicket

    /// Election timer 0, heartbeat timer 1.
    public static var timerBase: Int { 0 }

    /// `.groupRaft(m)`.
    public static func message(
        _ m: RaftMessage<ShardKVCommand, ShardKVSnapshot>
    ) -> ShardKVMessage { .groupRaft(m) }

    /// `.group(d)`.
    public static func durable(
        _ d: RaftDurable<ShardKVCommand, ShardKVSnapshot>
    ) -> ShardKVDurable { .group(d) }

    /// The result, to the clerk or the deleting group.
    public static func answered(
        _ t: ShardKVTicket, _ out: ShardKVResult, _ ctx: NodeContext<ShardKVNode>
    ) {
        switch t {
        case .client(let clerk, let seq, let attempt):
            let r = ShardKVReply(seq: seq, attempt: attempt, err: out.err, value: out.value)
            ctx.send(.reply(r), to: clerk)
        case .delete(let from, let num, let shards):
            ctx.send(
                .deleteReply(DeleteShardsMessage(configNum: num, shards: shards, err: out.err)),
                to: from)
        }
    }

    /// ErrWrongLeader.
    public static func failed(_ t: ShardKVTicket, _ ctx: NodeContext<ShardKVNode>) {
        answered(t, ShardKVResult(.wrongLeader), ctx)
    }

    /// The command's kind; a client's id, request and key; the shards a migration command
    /// moves, and for an insert how many duplicate-table entries travel with them (a shard
    /// that arrives without its table is how a retried Append runs twice).
    public static func startFields(_ c: ShardKVCommand) -> [(String, JSON)] {
        var fields: [(String, JSON)] = [("cmd", .string(c.traceName))]
        switch c {
        case .client(let op, let clientId, let seq):
            fields += [
                ("client", .int(Int64(clientId))), ("seq", .int(Int64(seq))),
                ("key", .string(op.key)),
            ]
        case .config(let next): fields.append(("num", .int(Int64(next.num))))
        case .insertShards(let num, let transfers):
            fields += [
                ("num", .int(Int64(num))),
                ("shards", .array(transfers.map { .int(Int64($0.shard)) })),
                ("dupEntries", .int(Int64(transfers.reduce(0) { $0 + $1.lastSeq.count }))),
            ]
        case .deleteShards(let num, let ids), .shardsReleased(let num, let ids):
            fields += [("num", .int(Int64(num))), ("shards", .array(ids.map { .int(Int64($0)) }))]
        case .noop: break
        }
        return fields
    }

    /// Every command but a client's: configurations and shard migration.
    public static func observesApply(of command: ShardKVCommand) -> Bool {
        if case .client = command { return false }
        return true
    }

    /// A group moving to a configuration (`groupConfig`) and each shard whose status changed
    /// (`shard`, with the keys and duplicate-table entries it now holds): without them
    /// "served before the data arrived" or "arrived without its duplicate table" has to be
    /// inferred.
    public static func observeApplied(
        _ command: ShardKVCommand, before: ShardGroupState, after: ShardGroupState,
        _ ctx: NodeContext<ShardKVNode>
    ) {
        let gid = JSON.int(Int64(after.gid))
        let num = JSON.int(Int64(after.config.num))
        if after.config.num != before.config.num {
            let owners = after.config.shards.map { JSON.int(Int64($0)) }
            ctx.observe("groupConfig", [("gid", gid), ("num", num), ("shards", .array(owners))])
        }
        for s in after.shards.indices where after.shards[s].status != before.shards[s].status {
            ctx.observe(
                "shard",
                [
                    ("gid", gid), ("num", num), ("shard", .int(Int64(s))),
                    ("from", .string(before.shards[s].status.name)),
                    ("to", .string(after.shards[s].status.name)),
                    ("keys", .int(Int64(after.shards[s].data.count))),
                    ("dupEntries", .int(Int64(after.shards[s].lastSeq.count))),
                ])
        }
    }
}
