// Builds the nodes of a shardkv simulation, for its first boot and every restart: controller
// servers, group servers (each with a controller clerk polling controller set 0), the
// administrators and the clerks, in the layout `ShardKVHarness` describes. Every node that
// embeds a controller clerk gets a fresh client id per incarnation (the controller's duplicate
// table would otherwise take a restarted server's fresh sequence numbers for old ones).
import DSimCore
import KVRaft
import Raft
import ShardCtrler
import ShardKV

/// The node maker of one shardkv simulation.
final class ShardKVNodeFactory {
    /// Servers per group, groups, controller sets.
    let n: Int
    let groups: Int
    let ctrlerSets: Int
    /// First node id of the groups, of the administrators, of the clerks.
    let firstGroup: Int
    let firstAdmin: Int
    let firstClerk: Int
    /// Total nodes.
    let nodeCount: Int
    /// The group servers' maxraftstate.
    let maxRaftState: Int
    /// The gid of group 0.
    let gidBase: Int
    /// The controller set clerk c asks.
    let clerkSet: (Int) -> Int
    /// The clients and the history.
    let workload: KVWorkload
    /// Server names → nodes.
    let directory: ShardKVDirectory
    /// Planted bugs.
    let bugs: ShardKVBugs
    let ctrlerBugs: CtrlerBugs
    /// The group servers' Raft configuration (with any planted Raft bug).
    let raftConfig: RaftConfig
    /// The controller servers' Raft configuration (the knobs, no planted Raft bug).
    let ctrlerRaftConfig: RaftConfig
    /// Clerks' wait for a reply before the next server (knob `clerkRetryMs`).
    let retryNs: VirtualTime
    /// Group leaders' duty period (knob `configPollMs`).
    let pollNs: VirtualTime
    /// The last client id handed out.
    var lastClientId = 1_000

    init(
        _ ctx: RunContext, n: Int, groups: Int, clerks: Int, ctrlerSets: Int,
        maxRaftState: Int, gidBase: Int, clerkSet: @escaping (Int) -> Int,
        directory: ShardKVDirectory
    ) {
        self.n = n
        self.groups = groups
        self.ctrlerSets = ctrlerSets
        firstGroup = ShardKVHarness.ctrlerServers * ctrlerSets
        firstAdmin = firstGroup + groups * n
        firstClerk = firstAdmin + ctrlerSets
        nodeCount = firstClerk + clerks
        self.maxRaftState = maxRaftState
        self.gidBase = gidBase
        self.clerkSet = clerkSet
        self.directory = directory
        workload = KVWorkload(
            clerks: clerks, firstNode: firstClerk, trace: ctx.trace, choices: ctx.choices)
        bugs = ShardKVBugs(names: ctx.planted)
        ctrlerBugs = CtrlerBugs(names: ctx.planted)
        var rc = RaftConfig()
        rc.apply(knobs: ctx.params)
        ctrlerRaftConfig = rc
        rc.bugs = RaftBugs(names: ctx.planted)
        raftConfig = rc
        retryNs = VirtualTime(ctx.int("clerkRetryMs", 100)) * Duration.millisecond
        pollNs = VirtualTime(ctx.int("configPollMs", 100)) * Duration.millisecond
        for gi in 0..<groups {
            for i in 0..<n {
                directory.register(
                    ShardKVDirectory.serverName(gid: gidBase + gi, i), at: firstGroup + gi * n + i)
            }
        }
    }

    /// The node ids of controller set `k`.
    func ctrlers(_ k: Int) -> [NodeID] {
        Array(ShardKVHarness.ctrlerServers * k..<ShardKVHarness.ctrlerServers * (k + 1))
    }

    /// A client id never used before in this simulation.
    func freshId() -> Int {
        lastClientId += 1
        return lastClientId
    }

    /// Node `id`, built from its persister (the simulation's `make`).
    func make(_ id: NodeID, _ persister: Persister<ShardKVDurable>) -> ShardKVNode {
        if id < firstGroup { return ctrlerServer(id, persister.state) }
        if id < firstAdmin { return groupServer(id, persister.state) }
        if id < firstClerk {
            return ShardKVNode(
                admin: CtrlerClerk(
                    clientId: freshId(), servers: ctrlers(id - firstAdmin), retryNs: retryNs))
        }
        let c = id - firstClerk
        let clerk = ShardKVClerk(
            index: c, clientId: freshId(), retryNs: retryNs,
            driver: workload, directory: directory)
        return ShardKVNode(
            clerk: clerk,
            ctrlerClerk: CtrlerClerk(
                clientId: freshId(), servers: ctrlers(clerkSet(c)), retryNs: retryNs))
    }

    private func ctrlerServer(_ id: NodeID, _ saved: ShardKVDurable?) -> ShardKVNode {
        let k = id / ShardKVHarness.ctrlerServers
        var restoring: CtrlerDurable?
        if case .ctrler(let d)? = saved { restoring = d }
        return ShardKVNode(
            ctrlerServer: CtrlerServer(
                me: id - ShardKVHarness.ctrlerServers * k, peers: ctrlers(k), bugs: ctrlerBugs,
                raftConfig: ctrlerRaftConfig, restoring: restoring))
    }

    private func groupServer(_ id: NodeID, _ saved: ShardKVDurable?) -> ShardKVNode {
        let gi = (id - firstGroup) / n
        let base = firstGroup + gi * n
        var restoring: RaftDurable<ShardKVCommand, ShardKVSnapshot>?
        if case .group(let d)? = saved { restoring = d }
        let s = ShardKVServer(
            gid: gidBase + gi, me: id - base, peers: Array(base..<base + n),
            maxRaftState: maxRaftState, bugs: bugs, raftConfig: raftConfig,
            directory: directory, restoring: restoring, pollNs: pollNs)
        return ShardKVNode(
            server: s,
            ctrlerClerk: CtrlerClerk(clientId: freshId(), servers: ctrlers(0), retryNs: retryNs))
    }
}
