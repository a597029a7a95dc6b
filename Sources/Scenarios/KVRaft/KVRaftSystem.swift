// The kvraft system as the command line sees it: the 23 ports of kvraft/test_test.go, the
// fuzz campaign, and the planted bugs.
import DSimCore
import KVRaft

/// The kvraft system entry.
public enum KVRaftSystem {
    /// `--system kvraft`.
    public static let entry = SystemEntry(
        name: "kvraft",
        summary:
            "Put/Append/Get service on Raft: clerks with leader caching, retries, exactly-once, snapshots",
        scenarios: KVPorts.all + [
            Scenario(
                system: "kvraft", name: "fuzz",
                summary:
                    "swarm faults, crashes, partitions, random keys, 1–20 clients; linearizability",
                run: KVFuzz.run),
            Scenario(
                system: "kvraft", name: "explore",
                summary: "a small world for dsim explore: 3 servers, 2 scripted clerks on one key, "
                    + "a fault decision every 100 ms for 1 s; then heal: linearizability",
                run: KVExplore.run),
        ],
        plantedBugs: [
            PlantedBug("no-duplicate-detection", "servers execute a retried Put/Append again"),
            PlantedBug("stale-read", "a leader answers Get from its local map, without the log"),
            PlantedBug(
                "snapshot-without-dup-table", "snapshots omit the duplicate table (lost on restart)"
            ),
        ],
        fuzzScenario: "fuzz")
}
