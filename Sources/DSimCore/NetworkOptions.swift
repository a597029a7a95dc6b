// The fault model of the simulated network, in the spirit of labrpc (lab-tests.md §1).
//
// labrpc, unreliable: a short delay of 0–26 ms, then 10% of requests dropped before the handler
// runs and 10% of replies dropped after it ran. Long reordering: 2/3 of replies arrive
// 200–2199 ms late (skewed low). Disconnected peers: a call fails after 0–7 s with long delays,
// 0–100 ms without. DSim adds what labrpc lacks for exploration: a random delay even on a
// reliable network (so equal-time deliveries interleave), duplication, and explicit drop rates
// that a swarm-testing campaign draws per seed. Rates are integers per mille: no `Double` ever
// reaches a decision.

/// Network fault options for a run; every field has a documented default.
public struct NetworkOptions: Equatable, Sendable {
    /// labrpc `Reliable(false)`: 0–26 ms delay, 10% request and 10% reply drops. Default true.
    public var reliable = true
    /// Smallest delivery delay on any network. Default 0.
    public var delayMinNs: VirtualTime = 0
    /// Largest delivery delay (before unreliable extras). Default 1 ms: enough for equal-time
    /// messages to arrive in every order.
    public var delayMaxNs: VirtualTime = Duration.millisecond
    /// Extra request drops, per mille, on top of unreliable's. Default 0.
    public var requestDropPerMille = 0
    /// Extra reply drops, per mille. Default 0.
    public var replyDropPerMille = 0
    /// Chance that a delivered message is delivered twice, per mille. Default 0.
    public var duplicatePerMille = 0
    /// labrpc `LongReordering(true)`. Default false.
    public var longReordering = false
    /// labrpc `LongDelays(true)`: a call to a disconnected peer fails after 0–7 s instead of
    /// 0–100 ms. Default false.
    public var longDelays = false

    /// The defaults: a reliable network with 0–1 ms delays.
    public init() {}

    /// Whether a message is dropped: the explicit rate, raised to labrpc's 10% when unreliable.
    @inline(__always)
    public func drops(reply: Bool, _ choices: Choices) -> Bool {
        var perMille = reply ? replyDropPerMille : requestDropPerMille
        if !reliable { perMille = 1000 - (1000 - perMille) * 9 / 10 }
        return choices.chance(perMille, in: 1000, reply ? "net.dropreply" : "net.drop")
    }

    /// A message's delivery delay: the delay range, labrpc's 0–26 ms short delay when
    /// unreliable, and for replies long reordering's 200–2199 ms (skewed low).
    @inline(__always)
    public func delay(reply: Bool, _ choices: Choices) -> VirtualTime {
        var d = delayMinNs
        let span = delayMaxNs - delayMinNs
        if span > 0 {
            d +=
                VirtualTime(choices.below(Int(span / Duration.microsecond) + 1, "net.delay"))
                * Duration.microsecond
        }
        if !reliable {
            d += VirtualTime(choices.below(27_000, "net.shortdelay")) * Duration.microsecond
        }
        if reply && longReordering && choices.chance(600, in: 900, "net.reorder") {
            let extra = 200 + choices.below(1 + choices.below(2000, "net.reorder1"), "net.reorder2")
            d += VirtualTime(extra) * Duration.millisecond
        }
        return d
    }

    /// The options as a trace/header object.
    public var json: JSON {
        .object([
            ("reliable", .bool(reliable)), ("delayMinNs", .int(delayMinNs)),
            ("delayMaxNs", .int(delayMaxNs)),
            ("requestDropPerMille", .int(Int64(requestDropPerMille))),
            ("replyDropPerMille", .int(Int64(replyDropPerMille))),
            ("duplicatePerMille", .int(Int64(duplicatePerMille))),
            ("longReordering", .bool(longReordering)), ("longDelays", .bool(longDelays)),
        ])
    }

    /// Swarm testing: draws a fault mix for one seed (each fault on or off, then its rate),
    /// including "no faults at all". `maxDropPerMille` bounds the drop rates.
    public static func swarm(_ choices: Choices, maxDropPerMille: Int = 300) -> NetworkOptions {
        var o = NetworkOptions()
        o.reliable = !choices.chance(1, in: 3, "swarm.unreliable")
        if choices.chance(1, in: 3, "swarm.drops") {
            o.requestDropPerMille = choices.between(0, maxDropPerMille, "swarm.reqdrop")
            o.replyDropPerMille = choices.between(0, maxDropPerMille, "swarm.repdrop")
        }
        if choices.chance(1, in: 4, "swarm.dup") {
            o.duplicatePerMille = choices.between(0, 200, "swarm.duprate")
        }
        if choices.chance(1, in: 3, "swarm.delay") {
            o.delayMaxNs =
                VirtualTime(choices.between(1, 50, "swarm.delaymax")) * Duration.millisecond
        }
        o.longReordering = choices.chance(1, in: 6, "swarm.longreorder")
        return o
    }
}

/// Who can talk to whom: labrpc's enabled ends plus partitions. Node `a` reaches `b` when both
/// are connected and in the same partition group.
public struct Connectivity: Equatable, Sendable {
    /// False for a node cut off from everyone (labrpc `disconnect`).
    public private(set) var connected: [Bool]
    /// Partition group of each node; all 0 when healed.
    public private(set) var group: [Int]

    /// `count` nodes, all connected, no partition.
    public init(count: Int) {
        connected = Array(repeating: true, count: count)
        group = Array(repeating: 0, count: count)
    }

    /// Whether a message from `a` can reach `b` now.
    @inline(__always)
    public func canTalk(_ a: Int, _ b: Int) -> Bool {
        connected[a] && connected[b] && group[a] == group[b]
    }

    /// Cuts node `i` off from everyone.
    public mutating func disconnect(_ i: Int) { connected[i] = false }
    /// Reconnects node `i`.
    public mutating func connect(_ i: Int) { connected[i] = true }
    /// Splits the nodes into groups; nodes not listed form group 0... listed groups are 1, 2, ….
    public mutating func partition(_ groups: [[Int]]) {
        for i in group.indices { group[i] = 0 }
        for (g, members) in groups.enumerated() { for m in members { group[m] = g + 1 } }
    }
    /// Removes every partition (does not reconnect disconnected nodes).
    public mutating func heal() { for i in group.indices { group[i] = 0 } }

    /// Split number `s` (1 ..< 2^(count-1)) of nodes 0..<count in two, as an explorer's fault
    /// enumerates them: node 0 on the first side, node i ≥ 1 on the second when bit i-1 of `s`
    /// is set.
    public static func split(count: Int, number s: Int) -> [[Int]] {
        precondition(s >= 1 && s < 1 << (count - 1), "split \(s) of \(count) nodes")
        let second = (1..<count).filter { s & (1 << ($0 - 1)) != 0 }
        return [(0..<count).filter { !second.contains($0) }, second]
    }
    /// Adds one node (e.g. a clerk) to the table, connected and in group 0.
    public mutating func append() {
        connected.append(true)
        group.append(0)
    }
}

/// Per-node traffic counters, as the original tests assert bounds on them.
public struct NetworkCounters: Equatable, Sendable {
    /// Requests dispatched to each node (labrpc `GetCount`).
    public var rpcCount: [Int]
    /// Every request sent (labrpc `GetTotalCount`).
    public var totalRequests = 0
    /// Request bytes sent plus reply bytes delivered (labrpc `GetTotalBytes`).
    public var totalBytes = 0
    /// Messages delivered to a handler.
    public var delivered = 0
    /// Messages dropped (faults, partitions, dead nodes).
    public var dropped = 0

    /// Counters for `count` nodes.
    public init(count: Int) { rpcCount = Array(repeating: 0, count: count) }
}
