// The bugs that can be planted in a shardkv replica group, by name (`dsim fuzz --plant NAME`).
// `rebalance-map-order` is the controller's (`CtrlerState.bugOrderSalt`); the shardkv system
// passes it through to its controller servers.

/// Bugs that can be planted in the group state machine.
public struct ShardKVBugs: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt8
    /// Creates a set from bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A shard is served as soon as the configuration says it is ours, before its data (and
    /// duplicate table) arrived from the previous owner.
    public static let serveBeforeArrival = ShardKVBugs(rawValue: 1 << 0)
    /// A migrated shard carries its data but not its duplicate table.
    public static let dupTableNotMoved = ShardKVBugs(rawValue: 1 << 1)
    /// A group's leader asks the previous owner for its shards once per configuration and
    /// never again: a lost request or reply, or a previous owner that was down or not yet
    /// there, leaves the migration unfinished for ever (a liveness bug).
    public static let pullOnce = ShardKVBugs(rawValue: 1 << 2)

    /// The bugs by their planted names.
    public static let byName: [(String, ShardKVBugs)] = [
        ("serve-before-arrival", .serveBeforeArrival), ("dup-table-not-moved", .dupTableNotMoved),
        ("pull-once", .pullOnce),
    ]

    /// The set named by `names` (unknown names are ignored).
    public init<S: Sequence>(names: S) where S.Element == String {
        self = []
        let wanted = Set(names)
        for (name, bug) in Self.byName where wanted.contains(name) { insert(bug) }
    }
}
