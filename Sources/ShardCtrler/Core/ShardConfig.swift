// A shard configuration (6.5840 lab 5A): which replica group serves each of the NShards shards,
// and which groups exist with their servers. Configurations are numbered; #0 has no groups and
// every shard on gid 0. Groups are kept sorted by gid, so nothing that iterates them depends on
// hash order.

/// Number of shards (the labs' `NShards`).
public let shardCount = 10

/// One replica group: its id and its servers, in the order given at Join.
public struct ShardGroup: Hashable, Sendable, Codable {
    /// Group id (gid). Invariant: > 0.
    public var gid: Int
    /// Server names, order preserved (the tests compare it).
    public var servers: [String]

    /// Creates a group.
    public init(gid: Int, servers: [String]) {
        precondition(gid > 0, "gid \(gid) must be positive")
        self.gid = gid
        self.servers = servers
    }
}

/// A numbered configuration.
public struct ShardConfig: Hashable, Sendable, Codable {
    /// Configuration number; #0 is the initial one.
    public var num: Int
    /// shards[s] = gid serving shard s (0 = none). Invariant: count == shardCount.
    public var shards: [Int]
    /// The groups, sorted by gid. Invariant: strictly increasing gids.
    public var groups: [ShardGroup]

    /// Configuration #0: no groups, every shard on gid 0.
    public static let initial = ShardConfig(
        num: 0, shards: Array(repeating: 0, count: shardCount), groups: [])

    /// Creates a configuration.
    public init(num: Int, shards: [Int], groups: [ShardGroup]) {
        precondition(shards.count == shardCount, "shards.count \(shards.count) != \(shardCount)")
        self.num = num
        self.shards = shards
        self.groups = groups.sorted { $0.gid < $1.gid }
    }

    /// The gids, ascending.
    public var gids: [Int] { groups.map(\.gid) }

    /// The servers of group `gid`, if it exists.
    public func servers(of gid: Int) -> [String]? { groups.first { $0.gid == gid }?.servers }

    /// Shards per existing group, in gid order.
    public var shardCounts: [(gid: Int, count: Int)] {
        groups.map { g in (g.gid, shards.filter { $0 == g.gid }.count) }
    }

    /// max − min shards per group ≤ 1 and every shard on an existing group (when any exist).
    public var isBalanced: Bool {
        guard !groups.isEmpty else { return shards.allSatisfy { $0 == 0 } }
        let ids = Set(gids)
        guard shards.allSatisfy({ ids.contains($0) }) else { return false }
        let counts = shardCounts.map(\.count)
        return (counts.max() ?? 0) - (counts.min() ?? 0) <= 1
    }

    /// Approximate encoded size (for snapshot byte counts).
    public var sizeBytes: Int {
        16 + 8 * shardCount
            + groups.reduce(0) { $0 + 8 + $1.servers.reduce(0) { $0 + 4 + $1.utf8.count } }
    }
}

/// The shard a key belongs to (the labs' `key2shard`: first byte mod NShards).
public func keyToShard(_ key: String) -> Int {
    guard let first = key.utf8.first else { return 0 }
    return Int(first) % shardCount
}
