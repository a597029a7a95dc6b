// The shardctrler system as the command line sees it: the 3 ports of shardctrler/test_test.go
// (2024), the fuzz campaign, and the planted bugs.
import DSimCore

/// The shardctrler system entry.
public enum ShardCtrlerSystem {
    /// `--system shardctrler`.
    public static let entry = SystemEntry(
        name: "shardctrler",
        summary:
            "Join/Leave/Move/Query configurations on Raft, balanced with minimal movement",
        scenarios: CtrlerPorts.all + [
            Scenario(
                system: "shardctrler", name: "fuzz",
                summary:
                    "swarm faults, crashes, partitions, 1–6 clerks; sequential replay, balance, minimal movement",
                run: CtrlerFuzz.run),
            Scenario(
                system: "shardctrler", name: "explore",
                summary: "a small world for dsim explore: 3 servers, 2 scripted clerks (join, "
                    + "query, move, query), a fault decision every 100 ms for 1 s; then converge",
                run: CtrlerExplore.run),
        ],
        plantedBugs: [
            PlantedBug(
                "rebalance-map-order",
                "rebalancing iterates groups in a per-server order (Go map order): replicas disagree"
            ),
            PlantedBug(
                "stale-query", "a leader answers Query from its applied state, without the log"),
        ],
        fuzzScenario: "fuzz")
}
