// The controller's clerk (shardctrler/client.go) as a sans-IO component that any node can
// embed: the controller-only simulation's clerks, a ShardKV server polling for configurations
// every 100 ms, a ShardKV clerk. One operation at a time: the request goes to the server
// believed to be leader; on ErrWrongLeader, or when no reply came within `retryNs` (labrpc
// fails a call to a dead or cut-off server after 0–100 ms without LongDelays), it moves
// round-robin to the next server; after a full round of ErrWrongLeader it waits `retryNs`, as
// client.go sleeps 100 ms. It remembers the last leader. The embedding node calls
//
//   clerk.call(.query(-1), ctx)                       // when clerk.isIdle
//   if let done = clerk.handleReply(r, from: n, ctx)  // a CtrlerMessage.reply for this clerk
//       { use(done.config) }                          // the operation completed
//   clerk.timerFired(key, ctx)                        // false: not the clerk's key
import DSimCore

/// A completed controller operation.
public struct CtrlerCompletion: Hashable, Sendable {
    /// The operation.
    public var op: CtrlerOp
    /// Its sequence number.
    public var seq: Int
    /// Query: the configuration; nil otherwise.
    public var config: ShardConfig?
}

/// One controller clerk.
public struct CtrlerClerk<B: CtrlerBinding>: Hashable {
    /// Unique id sent with requests. Invariant: unique per clerk *incarnation* — a node that
    /// restarts must not reuse an earlier incarnation's id with a fresh `seq`, or its requests
    /// are taken for duplicates.
    public let clientId: Int
    /// The controller servers' node ids.
    public let servers: [NodeID]
    /// Time to wait for a reply before trying the next server.
    public let retryNs: VirtualTime
    /// Index in `servers` of the server believed to be leader.
    public private(set) var leader = 0
    /// Sequence number of the current (or last) operation.
    public private(set) var seq = 0
    /// Try number of the current operation's latest request.
    public private(set) var attempt = 0
    /// ErrWrongLeader answers to the current operation; every `servers.count` of them (a full
    /// round of refusals) the clerk waits out its retry timer, as client.go sleeps 100 ms.
    var refusals = 0
    /// The operation in flight, if any.
    public private(set) var current: CtrlerOp?
    /// When the latest request was sent.
    var sentAt: VirtualTime = 0
    /// True while the retry timer is armed. One timer serves every request: when it fires
    /// early (the request it was armed for was answered) it re-arms for the current one, so
    /// the event queue holds at most one retry timer per clerk.
    var isRetryArmed = false

    /// The retry timer's key.
    public static var timerKey: Int { B.clerkTimerBase }

    /// A clerk `clientId` of the controller servers at nodes `servers`.
    public init(clientId: Int, servers: [NodeID], retryNs: VirtualTime = 100 * Duration.millisecond)
    {
        precondition(!servers.isEmpty && retryNs > 0, "servers \(servers), retry \(retryNs)")
        self.clientId = clientId
        self.servers = servers
        self.retryNs = retryNs
    }

    /// True when no operation is in flight.
    public var isIdle: Bool { current == nil }

    /// Picks a first server at random (the Go tests shuffle each clerk's server handles).
    /// Optional: without it the clerk starts with `servers[0]`.
    public mutating func boot(_ ctx: NodeContext<B.Node>) {
        leader = ctx.random(0, servers.count - 1, "ctrler.clerk.first")
    }

    /// Starts `op` (Join, Leave, Move or Query); the clerk must be idle.
    public mutating func call(_ op: CtrlerOp, _ ctx: NodeContext<B.Node>) {
        precondition(current == nil, "clerk \(clientId) busy with seq \(seq)")
        seq += 1
        attempt = 0
        refusals = 0
        current = op
        send(ctx)
    }

    private mutating func send(_ ctx: NodeContext<B.Node>) {
        guard let op = current else { return }
        attempt += 1
        let r = CtrlerRequest(op: op, clientId: clientId, seq: seq, attempt: attempt)
        ctx.send(B.message(.request(r)), to: servers[leader])
        sentAt = ctx.now
        if !isRetryArmed {
            isRetryArmed = true
            ctx.setTimer(Self.timerKey, after: retryNs)
        }
    }

    /// A server's reply; returns the completed operation when this reply completes it.
    public mutating func handleReply(
        _ r: CtrlerReply, from server: NodeID, _ ctx: NodeContext<B.Node>
    ) -> CtrlerCompletion? {
        guard let op = current, r.clientId == clientId, r.seq == seq else { return nil }
        if r.err == .ok {
            current = nil
            if let i = servers.firstIndex(of: server) { leader = i }
            return CtrlerCompletion(op: op, seq: seq, config: r.config)
        }
        if r.attempt == attempt {
            refusals += 1
            if refusals % servers.count == 0 {
                sentAt = ctx.now  // every server refused: the retry timer sends the next round
                return nil
            }
            leader = (leader + 1) % servers.count
            send(ctx)
        }
        return nil
    }

    /// A timer of the node fired; false when it is not the clerk's. No reply in time: try the
    /// next server.
    @discardableResult
    public mutating func timerFired(_ key: Int, _ ctx: NodeContext<B.Node>) -> Bool {
        guard key == Self.timerKey else { return false }
        isRetryArmed = false
        guard current != nil else { return true }
        let due = sentAt + retryNs
        if ctx.now < due {
            isRetryArmed = true
            ctx.setTimer(Self.timerKey, after: due - ctx.now)
            return true
        }
        leader = (leader + 1) % servers.count
        send(ctx)
        return true
    }
}
