// What a configuration change must look like, independent of how `rebalance` computes it:
// the tests' `check` (groups, every shard on a group, max − min ≤ 1) plus the minimal-movement
// count — the number of shards that must change owner to reach a balanced assignment over the
// new groups is the shards of departed groups plus, per group, the excess over its target when
// the N mod n larger targets go to the groups that already hold the most.
import ShardCtrler

/// Checks on configurations shared by the monitor and the ports.
public enum CtrlerChecks {
    /// A failed check: which invariant and what was seen.
    public struct Problem {
        /// The invariant's name.
        public var invariant: String
        /// What was seen.
        public var message: String
    }

    /// `#num [shards] {gids}`.
    public static func describe(_ c: ShardConfig) -> String {
        "#\(c.num) \(c.shards) gids \(c.gids)"
    }

    /// The fewest shards that must change owner to balance `shards` over `gids`.
    public static func minimalMoves(_ shards: [Int], over gids: [Int]) -> Int {
        let groups = Array(Set(gids)).sorted()
        guard !groups.isEmpty else { return shards.filter { $0 != 0 }.count }
        var count: [Int: Int] = [:]
        for g in groups { count[g] = 0 }
        var orphans = 0
        for g in shards {
            if count[g] != nil { count[g]! += 1 } else { orphans += 1 }
        }
        let loads = groups.map { count[$0]! }.sorted(by: >)
        let base = shards.count / groups.count
        let extra = shards.count % groups.count
        var excess = 0
        for (i, k) in loads.enumerated() { excess += max(0, k - base - (i < extra ? 1 : 0)) }
        return orphans + excess
    }

    /// The labs' `check`, on one configuration: groups present, shards on groups, balance.
    public static func balanced(_ c: ShardConfig) -> Problem? {
        let ids = Set(c.gids)
        if ids.isEmpty {
            return c.shards.allSatisfy({ $0 == 0 })
                ? nil
                : Problem(invariant: "balanced", message: "no groups but shards \(c.shards)")
        }
        if let s = c.shards.indices.first(where: { !ids.contains(c.shards[$0]) }) {
            return Problem(
                invariant: "balanced", message: "shard \(s) -> invalid group \(c.shards[s])")
        }
        let counts = c.shardCounts.map(\.count)
        let (lo, hi) = (counts.min()!, counts.max()!)
        if hi > lo + 1 {
            return Problem(
                invariant: "balanced", message: "max \(hi) too much larger than min \(lo)")
        }
        return nil
    }

    /// What `op` must have done to `prev` to give `next`.
    public static func transition(from prev: ShardConfig, to next: ShardConfig, by op: CtrlerOp)
        -> Problem?
    {
        let what = "configuration \(next.num) (\(op.name))"
        if next.num != prev.num + 1 {
            return Problem(
                invariant: "config-transition", message: "\(what) follows #\(prev.num)")
        }
        var groups = prev.groups
        switch op {
        case .query:
            return Problem(
                invariant: "config-transition", message: "\(what): a Query made a configuration"
            )
        case .move(let shard, let gid):
            var shards = prev.shards
            shards[shard] = gid
            if next.shards != shards || next.groups != prev.groups {
                return Problem(
                    invariant: "config-transition",
                    message: "\(what): Move(\(shard), \(gid)) gave \(describe(next)) from "
                        + describe(prev))
            }
            return nil
        case .join(let added):
            for g in added {
                groups.removeAll { $0.gid == g.gid }
                groups.append(g)
            }
        case .leave(let gone):
            groups.removeAll { gone.contains($0.gid) }
        }
        if next.groups != groups.sorted(by: { $0.gid < $1.gid }) {
            return Problem(
                invariant: "config-transition",
                message: "\(what): groups \(next.gids) after \(op) on \(prev.gids)")
        }
        if let p = balanced(next) {
            return Problem(invariant: p.invariant, message: "\(what): \(p.message)")
        }
        let moved = zip(prev.shards, next.shards).filter { $0 != $1 }.count
        let needed = minimalMoves(prev.shards, over: next.gids)
        if moved != needed {
            return Problem(
                invariant: "minimal-movement",
                message: "\(what): \(moved) shards changed group, \(needed) had to: "
                    + "\(prev.shards) -> \(next.shards)")
        }
        return nil
    }
}
