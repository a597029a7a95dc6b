// The invariants of every shardctrler run, checked as the run goes.
//
// The monitor keeps a *reference*: a correct `CtrlerState` (no planted salt) that replays the
// committed log in index order, fed from whichever server applies an index first (the
// controller, as in the labs, never snapshots, so every applied entry is still in its log).
// After every event a server handles, the monitor checks
//   - log agreement: the command at each applied index is the same on every server;
//   - sequential replay: the server's configurations equal the reference's after the same
//     index — so the configuration sequence is the same on every server (a planted
//     `rebalance-map-order` breaks this);
// and on every configuration the reference creates:
//   - Join/Leave: the groups are the old ones plus/minus the operation's, every shard is on an
//     existing group (or all on 0 when none is left), max − min ≤ 1, and exactly the minimum
//     number of shards changed owner (only necessary moves);
//   - Move: the same groups, that one shard on that gid, nothing else changed.
// When a clerk's operation returns:
//   - a Join/Leave/Move was executed: the reference's duplicate table holds its number;
//   - a Query(n) returned the reference's configuration n when n existed at the call,
//     otherwise a configuration of the sequence no older than the latest one committed at the
//     call (Query(-1) reflects every operation finished before it was asked).
// A violation stops the simulation; it cites the trace lines of the configurations involved.
import DSimCore
import Raft
import ShardCtrler

/// Checks every server step and every clerk completion of a controller run.
final class CtrlerMonitor: CtrlerObserver {
    /// The simulation (set by the harness; stopped at the first violation).
    weak var sim: SansIOSimulation<CtrlerNode>?
    /// The first violation.
    private(set) var violation: Violation?
    /// The correct state machine replaying the committed log.
    private(set) var reference = CtrlerState()
    /// The committed commands, by index − 1.
    private var commands: [CtrlerCommand] = []
    /// Number of reference configurations after applying through index i (index 0: just #0).
    private var configsAfter: [Int] = [1]
    /// Trace line of the observation of each reference configuration (0 for #0).
    private var configLines: [TraceLine] = [0]
    /// Per server: the applied index checked so far.
    private var checked: [Int]

    /// A monitor of `servers` servers.
    init(servers: Int) { checked = Array(repeating: 0, count: servers) }

    /// The reference's latest configuration number (every configuration up to it is committed).
    var latestNum: Int { reference.latest.num }

    private func fail(_ invariant: String, _ message: String, lines: [TraceLine] = []) {
        guard violation == nil else { return }
        let v = Violation(invariant, message, events: lines.filter { $0 > 0 })
        violation = v
        if sim?.violation == nil { sim?.violation = v }
    }

    /// A server handled an event: follow its newly applied entries.
    func serverStepped(_ server: CtrlerServer<CtrlerNodeBinding>, _ ctx: NodeContext<CtrlerNode>) {
        let s = ctx.id
        let applied = server.host.lastApplied
        if applied < checked[s] { checked[s] = applied }  // restarted: it replays its log again
        guard applied > checked[s], violation == nil else { return }
        let log = server.raft.log
        precondition(log.snapshotIndex == 0, "controller servers do not snapshot")
        for i in (checked[s] + 1)...applied {
            let cmd = log.entry(at: i).command
            if i <= commands.count {
                if commands[i - 1] != cmd {
                    // Controller applies are not trace lines: the two commands judged are
                    // written as one `applied` line (only now, so passing runs keep theirs),
                    // cited with the reference configuration the other command made, if any.
                    let line = ctx.observe(
                        "applied",
                        [
                            ("index", .int(Int64(i))), ("command", .string("\(cmd)")),
                            ("reference", .string("\(commands[i - 1])")),
                        ])
                    let made = configsAfter[i] > configsAfter[i - 1]
                    fail(
                        "log-agreement",
                        "server \(s) applied \(cmd) at index \(i), another server \(commands[i - 1])",
                        lines: [line, made ? configLines[configsAfter[i] - 1] : 0])
                    return
                }
            } else {
                advance(cmd, ctx)
                if violation != nil { return }
            }
        }
        compare(server.state.configs, server: s, from: checked[s], to: applied)
        checked[s] = applied
    }

    /// Server `s`'s configurations created by indices (from, to] equal the reference's.
    private func compare(_ mine: [ShardConfig], server s: Int, from: Int, to: Int) {
        let lo = configsAfter[from]
        let hi = configsAfter[to]
        guard mine.count == hi else {
            fail(
                "sequential-replay",
                "server \(s) holds \(mine.count) configurations after index \(to); the log's "
                    + "replay gives \(hi)", lines: [configLines[hi - 1]])
            return
        }
        for k in lo..<hi where mine[k] != reference.configs[k] {
            fail(
                "sequential-replay",
                "server \(s) computed configuration \(k) as \(describe(mine[k])); replaying the "
                    + "committed log gives \(describe(reference.configs[k])) (replicas disagree)",
                lines: [configLines[k]])
            return
        }
    }

    /// Applies the next committed command to the reference and checks the new configuration.
    private func advance(_ cmd: CtrlerCommand, _ ctx: NodeContext<CtrlerNode>) {
        let before = reference.latest
        reference.apply(cmd)
        commands.append(cmd)
        configsAfter.append(reference.configs.count)
        guard reference.configs.count > before.num + 1 else { return }
        let next = reference.latest
        let line = ctx.observe(
            "config",
            [
                ("num", .int(Int64(next.num))), ("op", .string(cmd.op.name)),
                ("client", .int(Int64(cmd.client))), ("seq", .int(Int64(cmd.seq))),
                ("gids", .array(next.gids.map { .int(Int64($0)) })),
                ("shards", .array(next.shards.map { .int(Int64($0)) })),
            ])
        configLines.append(line)
        if let problem = CtrlerChecks.transition(from: before, to: next, by: cmd.op) {
            fail(problem.invariant, problem.message, lines: [configLines[before.num], line])
        }
    }

    /// A clerk's operation returned (`minNum`: the reference's latest number at its call).
    func completed(
        clientId: Int, _ done: CtrlerCompletion, minNum: Int, line: TraceLine
    ) {
        guard violation == nil else { return }
        guard case .query(let n) = done.op else {
            if (reference.lastApplied[clientId]?.seq ?? 0) < done.seq {
                fail(
                    "lost-operation",
                    "client \(clientId) seq \(done.seq) \(done.op.name) returned OK but no "
                        + "server executed it", lines: [line])
            }
            return
        }
        guard let c = done.config else {
            fail("query-consistency", "Query(\(n)) returned no configuration", lines: [line])
            return
        }
        let known = reference.configs.count
        var problem: String?
        if c.num < 0 || c.num >= known || reference.configs[c.num] != c {
            problem = "returned \(describe(c)), which is not configuration \(c.num) of the sequence"
        } else if n >= 0 && n <= minNum && c.num != n {
            problem = "returned configuration \(c.num) for an existing configuration \(n)"
        } else if (n < 0 || n > minNum) && c.num < minNum {
            problem =
                "returned configuration \(c.num), older than \(minNum) committed before the call"
        } else if n > minNum && c.num > n {
            problem = "returned configuration \(c.num), newer than the \(n) asked for"
        }
        if let p = problem {
            let cited = c.num >= 0 && c.num < configLines.count ? configLines[c.num] : 0
            fail("query-consistency", "client \(clientId) Query(\(n)) \(p)", lines: [line, cited])
        }
    }

    /// After the run: every live server holds the whole reference sequence.
    func checkConverged(_ servers: [(id: Int, configs: [ShardConfig])]) {
        for (s, configs) in servers where violation == nil && configs != reference.configs {
            fail(
                "sequential-replay",
                "server \(s) ends with \(configs.count) configurations, the log's replay "
                    + "with \(reference.configs.count) (or different ones)",
                lines: [configLines[configLines.count - 1]])
        }
    }

    private func describe(_ c: ShardConfig) -> String { CtrlerChecks.describe(c) }
}

extension CtrlerMonitor: Fingerprintable {
    /// What later checks compare against: the reference state and the commands that made it,
    /// how many configurations each command left, how far each server was checked, and
    /// whether a violation was seen (trace lines left out: they only name lines).
    func fingerprint(into h: inout Hasher) {
        reference.fingerprint(into: &h)
        h.combine(commands)
        h.combine(configsAfter)
        h.combine(checked)
        h.combine(violation != nil)
    }
}
