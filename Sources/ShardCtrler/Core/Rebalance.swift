// Rebalancing with minimal movement, deterministically.
//
// With n groups, every group gets ⌊N/n⌋ shards and N mod n of them one more. The extra shards go
// to the groups that already hold the most (ties: lower gid), so no shard moves that need not.
// A group above its target releases its highest-numbered shards; released shards and shards of
// departed groups are then handed, lowest shard first, to the groups below target, lowest gid
// first. Nothing iterates a Dictionary or Set: the result depends only on the inputs — except
// under the planted bug `rebalance-map-order`, which orders groups by a per-server salt the way
// Go's randomized map iteration differs between replicas.

/// Rebalances `shards` over `gids` (any order); returns the new assignment.
/// `orderSalt` is nil normally; the planted bug passes a per-server salt.
public func rebalance(_ shards: [Int], over gids: [Int], orderSalt: Int? = nil) -> [Int] {
    precondition(shards.count == shardCount, "shards.count \(shards.count)")
    let groups = Array(Set(gids)).sorted()
    guard !groups.isEmpty else { return Array(repeating: 0, count: shardCount) }
    var owned: [Int: [Int]] = [:]
    for g in groups { owned[g] = [] }
    var free: [Int] = []
    for (s, g) in shards.enumerated() {
        if owned[g] != nil { owned[g]!.append(s) } else { free.append(s) }
    }
    // Most-loaded first (they keep the extra shards), then lower gid.
    var order = groups.sorted { a, b in
        let ca = owned[a]!.count
        let cb = owned[b]!.count
        return ca != cb ? ca > cb : a < b
    }
    if let salt = orderSalt {
        order = groups.sorted {
            ($0 &* 2_654_435_761 ^ salt) & 0xFFFF < ($1 &* 2_654_435_761 ^ salt) & 0xFFFF
        }
    }
    let base = shardCount / groups.count
    let extra = shardCount % groups.count
    var target: [Int: Int] = [:]
    for (i, g) in order.enumerated() { target[g] = base + (i < extra ? 1 : 0) }
    for g in order {
        while owned[g]!.count > target[g]! { free.append(owned[g]!.removeLast()) }
    }
    free.sort()
    var result = shards
    for g in groups {
        while owned[g]!.count < target[g]!, !free.isEmpty {
            let s = free.removeFirst()
            owned[g]!.append(s)
            result[s] = g
        }
    }
    precondition(free.isEmpty, "unassigned shards \(free)")
    return result
}
