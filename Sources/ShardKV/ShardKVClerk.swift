// The shardkv clerk (shardkv/client.go) as a sans-IO component, one operation at a time:
// key2shard → the group of the latest configuration it knows → that group's servers, starting
// at the one that last answered (leader cached per group). ErrWrongLeader or no answer within
// `retryNs` (a failed labrpc Call) moves to the next server; after a full round of the group's
// servers, on ErrWrongGroup, or when no group serves the shard, it sleeps 100 ms and asks the
// controller for the latest configuration (Query(-1), through the node's embedded controller
// clerk), then tries again — with the same sequence number, so a retried Put/Append executes
// once even across a migration. What to do next is asked of a `KVClerkDriver` (the harness's
// workload), exactly as for kvraft clerks, so both share one history recorder.
import DSimCore
import KVRaft
import ShardCtrler

/// One shardkv clerk.
public struct ShardKVClerk {
    /// Timer keys (the node's embedded controller clerk uses keys from `ShardKVNode`).
    enum Timer: Int {
        case retry = 0
        case next = 1
        case sleep = 2
    }

    /// Sleep before re-reading the configuration (client.go's `time.Sleep(100ms)`).
    public static let sleepNs = 100 * Duration.millisecond

    /// Index of this clerk among the clerks (its client number in the history).
    public let index: Int
    /// Unique id sent with requests (the node id).
    public let clientId: Int
    /// Time to wait for a reply before trying the next server.
    public let retryNs: VirtualTime
    /// The workload.
    let driver: KVClerkDriver
    /// Server names → nodes.
    let directory: ShardKVDirectory
    /// The latest configuration known.
    public private(set) var config = ShardConfig.initial
    /// Index of the server that last answered, per gid (looked up by key only).
    var leaderOf: [Int: Int] = [:]
    /// Sequence number of the current (or last) operation.
    public private(set) var seq = 0
    /// Try number of the current operation's latest request.
    var attempt = 0
    /// The operation in flight, if any.
    public private(set) var current: KVOperation?
    /// The group and server index the latest request went to, and how many servers of that
    /// group this round has tried.
    var target: (gid: Int, server: Int, tried: Int) = (0, 0, 0)
    /// When the latest request was sent.
    var sentAt: VirtualTime = 0
    /// True while the retry timer is armed (one timer serves every request, as in KVClerk).
    var isRetryArmed = false
    /// True while sleeping before re-reading the configuration.
    var isSleeping = false
    /// True between asking the node for the latest configuration and receiving it.
    public private(set) var isWaitingForConfig = false

    /// Creates clerk `index` (node `clientId`).
    public init(
        index: Int, clientId: Int, retryNs: VirtualTime, driver: KVClerkDriver,
        directory: ShardKVDirectory
    ) {
        precondition(retryNs > 0, "retry \(retryNs)")
        self.index = index
        self.clientId = clientId
        self.retryNs = retryNs
        self.driver = driver
        self.directory = directory
    }

    /// True when no operation is in flight.
    public var isIdle: Bool { current == nil }

    /// Asks the driver for work when nothing is in flight (also the harness's wake-up call).
    public mutating func poll(_ ctx: NodeContext<ShardKVNode>) {
        guard current == nil else { return }
        switch driver.next(clerk: index, now: ctx.now) {
        case .perform(let op):
            seq += 1
            current = op
            dispatch(ctx)
        case .pause(let d):
            ctx.setTimer(Timer.next.rawValue, after: d)
        case .idle:
            break
        }
    }

    /// Starts a round on the group serving the current key, or sleeps and re-reads the
    /// configuration when none does.
    mutating func dispatch(_ ctx: NodeContext<ShardKVNode>) {
        guard let op = current else { return }
        let gid = config.shards[keyToShard(op.key)]
        guard let servers = config.servers(of: gid), !servers.isEmpty else {
            sleep(ctx)
            return
        }
        target = (gid, (leaderOf[gid] ?? 0) % servers.count, 0)
        send(ctx)
    }

    private mutating func send(_ ctx: NodeContext<ShardKVNode>) {
        guard let op = current, let servers = config.servers(of: target.gid) else { return }
        attempt += 1
        let r = ShardKVRequest(operation: op, clientId: clientId, seq: seq, attempt: attempt)
        ctx.send(.request(r), to: directory.node(servers[target.server]))
        sentAt = ctx.now
        if !isRetryArmed {
            isRetryArmed = true
            ctx.setTimer(Timer.retry.rawValue, after: retryNs)
        }
    }

    /// The request to the current server failed: the next server, or after a full round,
    /// sleep and re-read the configuration.
    private mutating func nextServer(_ ctx: NodeContext<ShardKVNode>) {
        guard let servers = config.servers(of: target.gid) else { return dispatch(ctx) }
        target.tried += 1
        if target.tried >= servers.count {
            sleep(ctx)
            return
        }
        target.server = (target.server + 1) % servers.count
        send(ctx)
    }

    /// Sleeps, then asks for the latest configuration; late answers to this round are stale.
    private mutating func sleep(_ ctx: NodeContext<ShardKVNode>) {
        attempt += 1
        isSleeping = true
        ctx.setTimer(Timer.sleep.rawValue, after: Self.sleepNs)
    }

    /// A server answered.
    public mutating func handleReply(_ r: ShardKVReply, _ ctx: NodeContext<ShardKVNode>) {
        guard current != nil, r.seq == seq else { return }  // an old operation's reply
        // OK answers this operation whichever try it answers (with long reordering, replies
        // routinely outlive the retry timer); a failure only counts for the latest try.
        if r.err == .ok {
            current = nil
            if r.attempt == attempt { leaderOf[target.gid] = target.server }
            driver.completed(clerk: index, value: r.value, now: ctx.now)
            poll(ctx)
            return
        }
        guard r.attempt == attempt else { return }
        switch r.err {
        case .ok:
            break
        case .wrongGroup:
            sleep(ctx)
        case .wrongLeader, .notReady:
            nextServer(ctx)
        }
    }

    /// The node's controller clerk answered Query(-1).
    public mutating func configArrived(_ c: ShardConfig, _ ctx: NodeContext<ShardKVNode>) {
        isWaitingForConfig = false
        if c.num >= config.num { config = c }
        dispatch(ctx)
    }

    /// A clerk timer fired; returns false when the key is not the clerk's.
    public mutating func timerFired(_ key: Int, _ ctx: NodeContext<ShardKVNode>) -> Bool {
        switch Timer(rawValue: key) {
        case .retry?:
            isRetryArmed = false
            guard current != nil, !isSleeping, !isWaitingForConfig else { return true }
            let due = sentAt + retryNs
            if ctx.now < due {
                isRetryArmed = true
                ctx.setTimer(Timer.retry.rawValue, after: due - ctx.now)
                return true
            }
            nextServer(ctx)
        case .next?:
            poll(ctx)
        case .sleep?:
            isSleeping = false
            if current != nil { isWaitingForConfig = true }
        case nil:
            return false
        }
        return true
    }
}
