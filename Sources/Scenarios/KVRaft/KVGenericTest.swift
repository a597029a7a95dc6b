// GenericTest of kvraft/test_test.go, parameterised as in the original: nclients, nservers,
// unreliable, crash, partitions, maxraftstate, randomkeys. Three iterations; in each, every
// client (unless randomkeys) first Puts its key to "", then loops: 50% Append "x cli j y",
// else (randomkeys) 10% Put, else Get — which without randomkeys must equal the value the
// client predicts ("get wrong value"). With partitions a partitioner re-splits the servers
// every 1.0–1.2 s from t+1 s; clients stop 5 s after it started (after 5 s without it). Then
// ConnectAll + 1 s; with crash, every server is shut down for 1 s and restarted. Each client's
// key must then hold all its appends once and in order, and LogSize ≤ 8×maxraftstate (or no
// snapshot when maxraftstate < 0). After the iterations, the history must be linearizable.
// Virtual think time between a client's operations (default 0–40 ms) keeps histories close to
// the originals' sizes, where each RPC takes real time.
import DSimCore
import KVRaft

/// The parameters of one GenericTest.
struct KVGenericParams {
    var clients: Int
    var servers: Int
    var unreliable = false
    var crash = false
    var partitions = false
    var maxRaftState = -1
    var randomKeys = false
    /// Iterations of the client phase (3 in the original).
    var iterations = 3
    /// Largest virtual think time between a client's operations.
    var thinkMaxMs = 40
}

/// The client loop of GenericTest: what each client does next and what it predicts.
final class KVGenericClients {
    let clients: Int
    let randomKeys: Bool
    let choices: Choices
    /// Appends (and Puts) done by each client in this iteration (Go's j).
    var count: [Int]
    /// The value each client predicts for its key (Go's last).
    var last: [String]

    init(clients: Int, randomKeys: Bool, choices: Choices) {
        self.clients = clients
        self.randomKeys = randomKeys
        self.choices = choices
        count = Array(repeating: 0, count: clients)
        last = Array(repeating: "", count: clients)
    }

    func reset() {
        for c in 0..<clients {
            count[c] = 0
            last[c] = ""
        }
    }

    /// One pass of the loop body.
    func nextOp(_ c: Int) -> KVOperation {
        let key = randomKeys ? String(choices.below(clients, "kv.gen.key")) : String(c)
        let nv = "x \(c) \(count[c]) y"
        if choices.below(1000, "kv.gen.op") < 500 {
            count[c] += 1
            if !randomKeys { last[c] += nv }
            return KVOperation(.append, key, nv)
        }
        if randomKeys && choices.below(1000, "kv.gen.put") < 100 {
            count[c] += 1
            return KVOperation(.put, key, nv)
        }
        return KVOperation(.get, key)
    }
}

/// GenericTest.
enum KVGenericTest {
    /// Runs GenericTest with `p`.
    static func run(_ ctx: RunContext, _ p: KVGenericParams) -> DSimCore.Verdict {
        let h = KVHarness(
            ctx, servers: p.servers, clerks: p.clients + 1, unreliable: p.unreliable,
            maxRaftState: p.maxRaftState)
        let loop = KVGenericClients(
            clients: p.clients, randomKeys: p.randomKeys, choices: ctx.choices)
        h.workload.thinkMaxMs = p.thinkMaxMs
        h.workload.generator = { c in loop.nextOp(c) }
        h.workload.onComplete = { [unowned h] c, op, v in
            guard !p.randomKeys, op.op == .get, c < p.clients, v != loop.last[c] else { return }
            _ = h.fail(
                "get-wrong-value",
                "get wrong value, key \(op.key), wanted:\n\(loop.last[c])\n, got\n\(v)",
                events: [h.workload.lastOpLine(c)])
        }
        return h.verdict {
            for _ in 0..<p.iterations { try iteration(h, p, loop) }
        }
    }

    /// One iteration of the original's loop.
    static func iteration(_ h: KVHarness, _ p: KVGenericParams, _ loop: KVGenericClients) throws {
        loop.reset()
        h.workload.stop = false
        for c in 0..<p.clients {
            if !p.randomKeys {
                h.workload.clerks[c].script.append(KVOperation(.put, String(c), ""))
            }
            h.workload.clerks[c].isGenerating = true
            h.kick(c)
        }
        if p.partitions {
            try h.sleep(ms: 1000)
            try partitioner(h, p, runMs: 5000)
            h.connectAll()
            try h.sleep(ms: 1000)
        } else {
            try h.sleep(ms: 5000)
            h.workload.stop = true
        }
        if p.crash {
            for i in 0..<p.servers { h.shutdownServer(i) }
            try h.sleep(ms: 1000)
            for i in 0..<p.servers { h.startServer(i) }
            h.connectAll()
        }
        try h.waitClientsDone()
        for c in 0..<p.clients { h.workload.clerks[c].isGenerating = false }
        for c in 0..<p.clients {
            let v = try h.get(p.clients, String(c))
            if !p.randomKeys {
                try h.checkClientAppends(
                    c, v, loop.count[c], read: h.workload.lastOpLine(p.clients))
            }
        }
        try checkSizes(h, p.maxRaftState)
    }

    /// The partitioner: a random two-way split of the servers every 1.0–1.2 s; the clients
    /// are told to stop after `runMs`, and the partitioner finishes its current sleep.
    static func partitioner(_ h: KVHarness, _ p: KVGenericParams, runMs: Int) throws {
        let stopAt = h.now + VirtualTime(runMs) * Duration.millisecond
        while true {
            var groups: [[Int]] = [[], []]
            for i in 0..<p.servers { groups[h.rand(2)].append(i) }
            h.partition(groups)
            let napNs = VirtualTime(1000 + h.rand(200)) * Duration.millisecond
            if h.now + napNs >= stopAt {
                let first = stopAt - h.now
                try h.sleep(ms: Int(first / Duration.millisecond))
                h.workload.stop = true
                try h.sleep(ms: Int((napNs - first) / Duration.millisecond))
                return
            }
            try h.sleep(ms: Int(napNs / Duration.millisecond))
        }
    }

    /// LogSize ≤ 8×maxraftstate when snapshots are on; no snapshot at all when they are off.
    static func checkSizes(_ h: KVHarness, _ maxRaftState: Int) throws {
        if maxRaftState > 0 {
            let sz = h.logSize()
            if sz > 8 * maxRaftState {
                throw h.sizeFailure(
                    "logs-not-trimmed", "logs were not trimmed (\(sz) > 8*\(maxRaftState))")
            }
        }
        if maxRaftState < 0 {
            let ssz = h.snapshotSize()
            if ssz > 0 {
                throw h.sizeFailure(
                    "unexpected-snapshot", "snapshot size \(ssz) with maxraftstate -1")
            }
        }
    }
}
