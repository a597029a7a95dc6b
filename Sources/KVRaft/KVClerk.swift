// The clerk (kvraft/client.go) as a sans-IO node. It performs one operation at a time: it sends
// the request to the server it believes is leader and moves round-robin to the next server on
// ErrWrongLeader or when no reply came within `retryNs` (labrpc fails a call to a dead or
// cut-off server after 0–100 ms in the kvraft tests); after a full round of ErrWrongLeader it
// waits `retryNs` before the next round. It remembers the last leader. What to do
// next — an operation, a think-time pause, or nothing — is asked of a `KVClerkDriver`, the
// harness's workload, which also records every call and return for the history.
import DSimCore

/// What a clerk does when it has nothing in flight.
public enum KVClerkNext {
    /// Perform this operation now.
    case perform(KVOperation)
    /// Ask again after this much virtual time (think time).
    case pause(VirtualTime)
    /// Nothing to do until the harness wakes the clerk.
    case idle
}

/// The workload behind the clerks (the Go test's client goroutines).
public protocol KVClerkDriver: AnyObject {
    /// Called when clerk `clerk` is free; `now` is the virtual time.
    func next(clerk: Int, now: VirtualTime) -> KVClerkNext
    /// Clerk `clerk`'s operation returned `value` ("" for put and append) at `now`.
    func completed(clerk: Int, value: String, now: VirtualTime)
}

/// One clerk.
public struct KVClerk {
    /// Timer keys.
    enum Timer: Int {
        case retry = 0
        case next = 1
    }

    /// Index of this clerk among the clerks (its client number in the history).
    public let index: Int
    /// Unique id sent with requests (the node id).
    public let clientId: Int
    /// Number of servers (node ids 0..<servers).
    public let servers: Int
    /// Time to wait for a reply before trying the next server.
    public let retryNs: VirtualTime
    /// The workload.
    let driver: KVClerkDriver
    /// The server believed to be leader.
    public private(set) var leader = 0
    /// Sequence number of the current (or last) operation.
    public private(set) var seq = 0
    /// Try number of the current operation's latest request.
    var attempt = 0
    /// ErrWrongLeader answers to the current operation; every `servers` of them (a full round
    /// of refusals: an election is under way) the clerk waits out its retry timer.
    var refusals = 0
    /// The operation in flight, if any.
    public private(set) var current: KVOperation?
    /// When the latest request was sent.
    var sentAt: VirtualTime = 0
    /// True while the retry timer is armed. One timer serves every request: when it fires
    /// early (the request it was armed for was answered) it re-arms for the current one, so
    /// the event queue holds at most one retry timer per clerk.
    var isRetryArmed = false

    /// Creates clerk `index` (node `clientId`) for `servers` servers.
    public init(
        index: Int, clientId: Int, servers: Int, retryNs: VirtualTime, driver: KVClerkDriver
    ) {
        precondition(servers > 0 && retryNs > 0, "servers \(servers), retry \(retryNs)")
        self.index = index
        self.clientId = clientId
        self.servers = servers
        self.retryNs = retryNs
        self.driver = driver
    }

    /// True when no operation is in flight.
    public var isIdle: Bool { current == nil }

    /// Picks a first server (the Go test shuffles each clerk's server handles).
    public mutating func boot(_ ctx: NodeContext<KVNode>) {
        leader = ctx.random(0, servers - 1, "kv.clerk.first")
    }

    /// Asks the driver for work when nothing is in flight (also the harness's wake-up call).
    public mutating func poll(_ ctx: NodeContext<KVNode>) {
        guard current == nil else { return }
        switch driver.next(clerk: index, now: ctx.now) {
        case .perform(let op):
            seq += 1
            attempt = 0
            refusals = 0
            current = op
            send(ctx)
        case .pause(let d):
            ctx.setTimer(Timer.next.rawValue, after: d)
        case .idle:
            break
        }
    }

    private mutating func send(_ ctx: NodeContext<KVNode>) {
        guard let op = current else { return }
        attempt += 1
        let r = KVRequest(operation: op, clientId: clientId, seq: seq, attempt: attempt)
        ctx.send(.request(r), to: leader)
        sentAt = ctx.now
        if !isRetryArmed {
            isRetryArmed = true
            ctx.setTimer(Timer.retry.rawValue, after: retryNs)
        }
    }

    /// A server answered.
    public mutating func handleReply(_ r: KVReply, from server: NodeID, _ ctx: NodeContext<KVNode>)
    {
        guard current != nil, r.seq == seq else { return }  // an old operation's reply
        if r.err == .ok {
            current = nil
            leader = server
            driver.completed(clerk: index, value: r.value, now: ctx.now)
            poll(ctx)
        } else if r.attempt == attempt {
            refusals += 1
            // Every server refused: wait for the retry timer rather than cycle through them at
            // network speed while no leader exists (the labs' clients sleep 100 ms here).
            if refusals % servers == 0 {
                sentAt = ctx.now
                return
            }
            leader = (leader + 1) % servers
            send(ctx)
        }
    }

    /// The retry timer or the think-time timer fired.
    public mutating func timerFired(_ timer: Int, _ ctx: NodeContext<KVNode>) {
        switch Timer(rawValue: timer) {
        case .retry?:
            isRetryArmed = false
            guard current != nil else { return }
            let due = sentAt + retryNs
            if ctx.now < due {
                isRetryArmed = true
                ctx.setTimer(Timer.retry.rawValue, after: due - ctx.now)
                return
            }
            leader = (leader + 1) % servers
            send(ctx)
        case .next?:
            poll(ctx)
        case nil:
            preconditionFailure("unknown clerk timer \(timer)")
        }
    }
}
