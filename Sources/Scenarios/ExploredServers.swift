// The fault vocabulary of the kv systems' explore scenarios (kvraft, shardctrler, shardkv): one
// `fault.kind` decision per tick, over a domain the explorer enumerates whole.
import DSimCore

/// A harness whose servers an explore scenario can shut down, restart, split and heal.
protocol ExploredServers: AnyObject {
    /// Number of servers (nodes 0..<n).
    var n: Int { get }
    /// True when server `i` is running.
    func isUp(_ i: Int) -> Bool
    /// ShutdownServer(i).
    func shutdownServer(_ i: Int)
    /// StartServer(i).
    func startServer(_ i: Int)
    /// Every server reaches every server.
    func connectAll()
    /// Servers talk only within their group.
    func partition(_ groups: [[Int]])
    /// The sets of servers a split divides, each in two (every server, as one set, unless the
    /// harness says otherwise: shardkv splits each Raft group on its own).
    var splitSets: [[Int]] { get }
}

extension ExploredServers {
    /// Every server, as one set.
    var splitSets: [[Int]] { [Array(0..<n)] }

    /// Number of fault kinds: nothing, a shutdown or restart per server, a heal, and every
    /// split of each set in `splitSets` in two (with one set of every server: 1 + n + 2^(n-1)).
    var faultKinds: Int { 2 + n + splitSets.reduce(0) { $0 + (1 << ($1.count - 1)) - 1 } }

    /// Fault `kind`: 0 nothing; 1...n shut down or restart server kind-1; n+1 heal; n+1+s for
    /// s ≥ 1: split `s`, counted over the sets in order (`Connectivity.split` of the set).
    func exploreFault(_ kind: Int) {
        if kind >= 1 && kind <= n {
            let i = kind - 1
            if isUp(i) { shutdownServer(i) } else { startServer(i) }
        } else if kind == n + 1 {
            connectAll()
        } else if kind > n + 1 {
            var s = kind - n - 1
            for set in splitSets {
                let splits = (1 << (set.count - 1)) - 1
                guard s > splits else {
                    let sides = Connectivity.split(count: set.count, number: s)
                    return partition(sides.map { $0.map { set[$0] } })
                }
                s -= splits
            }
        }
    }

    /// One fault decision, drawn over every kind.
    func exploreFault(_ choices: Choices) {
        exploreFault(choices.below(faultKinds, "fault.kind"))
    }
}

extension KVHarness: ExploredServers {
    func isUp(_ i: Int) -> Bool { sim.isUp(i) }
}

extension CtrlerHarness: ExploredServers {
    func isUp(_ i: Int) -> Bool { sim.isUp(i) }
}
