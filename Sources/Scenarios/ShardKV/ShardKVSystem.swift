// The shardkv system as the command line sees it: the 14 ports of shardkv/test_test.go, the
// fuzz campaign, and the planted bugs (the group's two and the controller's one).
import DSimCore
import ShardKV

/// The shardkv system entry.
public enum ShardKVSystem {
    /// `--system shardkv`.
    public static let entry = SystemEntry(
        name: "shardkv",
        summary:
            "replica groups serving shards: config polling, shard migration, exactly-once across moves",
        scenarios: ShardKVPorts.all + [
            Scenario(
                system: "shardkv", name: "fuzz",
                summary:
                    "random joins, leaves, moves, client traffic, crashes, partitions; linearizability",
                run: ShardKVFuzz.run),
            Scenario(
                system: "shardkv", name: "explore",
                summary:
                    "for dsim explore: 3 groups of 1 joining in turn, then one leaves; 1 clerk; a fault decision per tick",
                run: ShardKVExplore.run),
        ],
        plantedBugs: [
            PlantedBug(
                "serve-before-arrival",
                "a group serves a shard as soon as it owns it, before the data arrives"),
            PlantedBug(
                "dup-table-not-moved",
                "a migrated shard carries its data but not its duplicate table"),
            PlantedBug(
                "pull-once",
                "a group asks for a shard it pulls once per configuration: a lost request leaves "
                    + "the migration unfinished for ever (liveness)"),
            PlantedBug(
                "rebalance-map-order",
                "controller replicas rebalance in a per-server order and disagree on configurations"
            ),
        ],
        fuzzScenario: "fuzz")
}
