// Raft (6.5840 lab 3) as the command line sees it: the 28 ports of raft/test_test.go in suite
// order, the fuzz campaign, and the bugs that can be planted in the core. The ports, the
// harness (config.go) and the fuzz scenario live in the Raft module so its tests can run them.
import DSimCore
import Raft

/// The `raft` system.
public enum RaftSystem {
    /// Its catalog entry.
    public static let entry = SystemEntry(
        name: "raft",
        summary: "6.5840 Raft: elections, replication with fast back-up, persistence, snapshots",
        scenarios: RaftPort.all.map(port) + [
            Scenario(
                system: "raft", name: "fuzz",
                summary: "swarm faults (network mix, crashes, disconnects, partitions) under load; "
                    + "then heal: a leader within 5 s and progress",
                run: { ctx in RaftPort.verdict { try RaftFuzz.run(run(ctx)) } }),
            Scenario(
                system: "raft", name: "explore",
                summary: "a small world for dsim explore: 3 peers, a fault decision every 100 ms "
                    + "for 1 s, three commands; then heal: a leader and progress",
                run: { ctx in RaftPort.verdict { try RaftExplore.run(run(ctx)) } }),
        ],
        plantedBugs: RaftBugs.byName.map { name, _ in
            PlantedBug(name, summaries[name] ?? name, fuzzScenario: "fuzz")
        },
        fuzzScenario: "fuzz")

    static let summaries: [String: String] = [
        "no-election-restriction": "votes are granted without the §5.4.1 up-to-date check",
        "commit-previous-term": "a leader commits entries of earlier terms by counting (Figure 8)",
        "votedfor-not-persisted":
            "votedFor is not saved: a restarted peer can vote twice in a term",
        "no-truncate-conflicts":
            "a conflicting entry is overwritten but the stale entries after it stay",
        "stale-snapshot-install": "an InstallSnapshot older than the commit index is installed",
        "commit-without-majority": "a leader commits with half of the peers instead of a majority",
        "no-nextindex-backup":
            "a rejected AppendEntries does not move nextIndex back: a lagging follower never "
            + "catches up (liveness)",
        "trap-unchecked-prev-log-index":
            "a follower reads log[prevLogIndex] before checking its length: a trap (crash isolation)",
        "livelock-reply-storm":
            "a leader answers every AppendEntries reply with another: a livelock (per-run caps)",
    ]

    static func run(_ ctx: RunContext) -> RaftRun {
        RaftRun(
            choices: ctx.choices, trace: ctx.trace, bugs: RaftBugs(names: ctx.planted),
            params: ctx.params)
    }

    static func port(_ p: RaftPort) -> Scenario {
        Scenario(
            system: "raft", name: p.name, portOf: p.name, summary: p.summary,
            run: { ctx in p.verdict(run(ctx)) })
    }
}
