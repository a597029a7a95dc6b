// The fault vocabulary of the kv systems' explore scenarios (kvraft, shardctrler): one
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
}

extension ExploredServers {
    /// Number of fault kinds: nothing, a shutdown or restart per server, a heal, and every
    /// split of the servers in two.
    static func faultKinds(servers n: Int) -> Int { 1 + n + (1 << (n - 1)) }

    /// Fault `kind`: 0 nothing; 1...n shut down or restart server kind-1; n+1 heal; n+1+s for
    /// s ≥ 1: split `s` (`Connectivity.split`).
    func exploreFault(_ kind: Int) {
        if kind >= 1 && kind <= n {
            let i = kind - 1
            if isUp(i) { shutdownServer(i) } else { startServer(i) }
        } else if kind == n + 1 {
            connectAll()
        } else if kind > n + 1 {
            partition(Connectivity.split(count: n, number: kind - n - 1))
        }
    }

    /// One fault decision, drawn over every kind.
    func exploreFault(_ choices: Choices) {
        exploreFault(choices.below(Self.faultKinds(servers: n), "fault.kind"))
    }
}

extension KVHarness: ExploredServers {
    func isUp(_ i: Int) -> Bool { sim.isUp(i) }
}

extension CtrlerHarness: ExploredServers {
    func isUp(_ i: Int) -> Bool { sim.isUp(i) }
}
