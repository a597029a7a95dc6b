// The shard controller's replicated state machine: the list of configurations and the
// duplicate table, changed only by applying committed operations in log order. Join, Leave and
// Move each create a new configuration (Move even when it changes nothing, as the tests require
// Config.Num to grow); Query reads one. Each client's operations carry a sequence number: an
// operation already applied is answered from the table, never applied twice.

/// A controller operation (the labs' Join/Leave/Move/Query arguments).
public enum CtrlerOp: Hashable, Sendable {
    /// Add groups (gid → servers).
    case join([ShardGroup])
    /// Remove groups.
    case leave([Int])
    /// Assign one shard to one group.
    case move(shard: Int, gid: Int)
    /// Read configuration `num` (−1 or too large: the latest).
    case query(Int)

    /// Approximate encoded size.
    public var sizeBytes: Int {
        switch self {
        case .join(let gs): return 8 + gs.reduce(0) { $0 + 8 + $1.servers.count * 12 }
        case .leave(let ids): return 8 + 8 * ids.count
        case .move: return 24
        case .query: return 16
        }
    }
}

/// A client's command: the operation plus its exactly-once identity.
public struct CtrlerCommand: Hashable, Sendable {
    /// The clerk.
    public var client: Int
    /// The clerk's sequence number. Invariant: increases per client.
    public var seq: Int
    /// What to do.
    public var op: CtrlerOp

    /// Creates a command.
    public init(client: Int, seq: Int, op: CtrlerOp) {
        self.client = client
        self.seq = seq
        self.op = op
    }
}

/// The applied state of one controller replica.
public struct CtrlerState: Hashable, Sendable {
    /// Every configuration so far. Invariant: configs[i].num == i; never empty.
    public private(set) var configs: [ShardConfig] = [.initial]
    /// Last applied seq and its reply, per client (looked up by key only, never iterated in order).
    public private(set) var lastApplied: [Int: (seq: Int, config: ShardConfig?)] = [:]
    /// Per-server salt for the planted bug `rebalance-map-order` (nil: correct).
    public var bugOrderSalt: Int?

    /// The initial state.
    public init() {}

    /// The latest configuration.
    public var latest: ShardConfig { configs[configs.count - 1] }

    /// Applies `command` (once per client seq); returns the reply (a config for Query).
    @discardableResult
    public mutating func apply(_ command: CtrlerCommand) -> ShardConfig? {
        if let last = lastApplied[command.client], last.seq >= command.seq {
            return last.seq == command.seq ? last.config : nil
        }
        let reply = execute(command.op)
        lastApplied[command.client] = (command.seq, reply)
        return reply
    }

    /// Configuration `num` (−1 or beyond the latest: the latest).
    public func query(_ num: Int) -> ShardConfig {
        num < 0 || num >= configs.count ? latest : configs[num]
    }

    mutating func execute(_ op: CtrlerOp) -> ShardConfig? {
        var next = latest
        next.num += 1
        switch op {
        case .query(let n):
            return query(n)
        case .join(let added):
            var groups = next.groups
            for g in added {
                if let i = groups.firstIndex(where: { $0.gid == g.gid }) {
                    groups[i] = g
                } else {
                    groups.append(g)
                }
            }
            next = ShardConfig(num: next.num, shards: next.shards, groups: groups)
            next.shards = rebalance(next.shards, over: next.gids, orderSalt: bugOrderSalt)
        case .leave(let removed):
            let gone = Set(removed)
            next = ShardConfig(
                num: next.num, shards: next.shards,
                groups: next.groups.filter { !gone.contains($0.gid) })
            next.shards = next.shards.map { gone.contains($0) ? 0 : $0 }
            next.shards = rebalance(next.shards, over: next.gids, orderSalt: bugOrderSalt)
        case .move(let shard, let gid):
            precondition(shard >= 0 && shard < shardCount, "move of shard \(shard)")
            next.shards[shard] = gid
        }
        configs.append(next)
        return nil
    }

    /// Equality: configurations and the duplicate table.
    public static func == (a: CtrlerState, b: CtrlerState) -> Bool {
        a.configs == b.configs && a.lastApplied.count == b.lastApplied.count
            && a.lastApplied.allSatisfy { k, v in
                b.lastApplied[k].map { $0.seq == v.seq && $0.config == v.config } ?? false
            }
    }

    /// Hashes the configurations (enough to tell states apart for deduplication).
    public func hash(into h: inout Hasher) { h.combine(configs) }

    /// Approximate encoded size of a snapshot of this state.
    public var sizeBytes: Int { configs.reduce(0) { $0 + $1.sizeBytes } + 24 * lastApplied.count }
}
