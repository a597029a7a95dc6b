// The worker process (the lab's `mr/worker.go`). It asks the coordinator for a task, runs it,
// reports it done, and repeats; it exits when told the job is done or when `maxCallFailures`
// calls in a row fail (the coordinator has exited). A map task reads its input file, runs Map,
// partitions the pairs by `ihash(key) % nReduce` and writes `mr-X-Y` for every Y; a reduce
// task reads `mr-X-Y` for every X, sorts by key, runs Reduce per key and writes `mr-out-Y`.
// Every file is written to a temp file and atomically renamed into place, so nobody ever sees
// a partial file under its final name (unless the planted `write-in-place` bug is on).
import DSimCore

/// Hooks a test harness sets on the workers of a run.
public struct WorkerHooks {
    /// Runs before each task's Map or Reduce (fault injection: hangs, crashes).
    public var beforeTask: ((AppEnv, TaskKind, Int) async throws -> Void)?
    /// Called when a worker starts a task (counts executions).
    public var onTaskStart: ((TaskKind, Int, Int) -> Void)?

    /// No hooks.
    public init() {}
}

/// One worker process.
public final class Worker {
    let env: AppEnv
    let app: MapReduceApp
    let coordinator: NodeID
    let options: MapReduceOptions
    let hooks: WorkerHooks
    private var tempSeq = 0

    /// A worker running `app` in `env`, talking to the coordinator on `coordinator`.
    public init(
        env: AppEnv, app: MapReduceApp, coordinator: NodeID, options: MapReduceOptions,
        hooks: WorkerHooks
    ) {
        self.env = env
        self.app = app
        self.coordinator = coordinator
        self.options = options
        self.hooks = hooks
    }

    var sim: AsyncSimulation { env.sim }

    /// The main loop; returns when the process exits normally.
    public func run() async throws {
        var failures = 0
        while true {
            let reply: TaskReply? = try await sim.call(
                coordinator, "GetTask", env.pid, timeout: options.callTimeoutNs)
            guard let task = reply else {
                failures += 1
                if failures >= options.maxCallFailures { break }
                try await sim.sleep(options.retryNs)
                continue
            }
            failures = 0
            switch task.kind {
            case .exit:
                env.processes.exit(env.pid)
                return
            case .wait: try await sim.sleep(options.waitNs)
            case .map, .reduce:
                hooks.onTaskStart?(task.kind, task.index, env.pid)
                try await hooks.beforeTask?(env, task.kind, task.index)
                if task.kind == .map { try await runMap(task) } else { try await runReduce(task) }
                try await report(task)
            }
        }
        env.processes.exit(env.pid)
    }

    /// Tells the coordinator; a lost report only delays the job (the task is re-issued).
    private func report(_ task: TaskReply) async throws {
        let r = TaskReport(kind: task.kind, index: task.index, pid: env.pid)
        for _ in 0..<3 {
            let ok: Bool? = try await sim.call(
                coordinator, "TaskDone", r, timeout: options.callTimeoutNs)
            if ok != nil { return }
            try await sim.sleep(options.retryNs)
        }
    }

    private func work(records: Int) async throws {
        try await sim.sleep(options.taskCostNs + VirtualTime(records) * options.recordCostNs)
    }

    func runMap(_ task: TaskReply) async throws {
        let contents = env.fs.read(task.file) ?? ""
        let pairs = try await app.map(env, task.file, contents)
        try await work(records: pairs.count)
        var buckets = Array(repeating: [String](), count: task.nReduce)
        for kv in pairs { buckets[ihash(kv.key) % task.nReduce].append(kv.encoded) }
        for (r, lines) in buckets.enumerated() {
            try await writeAtomically("mr-\(task.index)-\(r)", lines: lines)
        }
    }

    func runReduce(_ task: TaskReply) async throws {
        var pairs: [KeyValue] = []
        for m in 0..<task.nMap {
            guard let text = env.fs.read("mr-\(m)-\(task.index)") else { continue }
            for line in text.split(separator: "\n") {
                if let kv = KeyValue(line: line) { pairs.append(kv) }
            }
        }
        try await work(records: pairs.count)
        pairs.sort { $0.key < $1.key }
        var lines: [String] = []
        var i = 0
        while i < pairs.count {
            var j = i
            while j < pairs.count && pairs[j].key == pairs[i].key { j += 1 }
            let value = try await app.reduce(env, pairs[i].key, pairs[i..<j].map(\.value))
            lines.append(pairs[i].key + " " + value)
            i = j
        }
        let name = "mr-out-\(task.index)"
        if options.writeInPlace {
            try await env.fs.writeFile(name, chunks: chunks(lines))
        } else {
            try await writeAtomically(name, lines: lines)
        }
    }

    /// Writes `lines` to a fresh temp file and renames it to `name`.
    private func writeAtomically(_ name: String, lines: [String]) async throws {
        let temp = "mr-tmp-\(env.pid)-\(tempSeq)"
        tempSeq += 1
        try await env.fs.writeFile(temp, chunks: chunks(lines))
        try env.fs.rename(temp, to: name)
    }

    private func chunks(_ lines: [String]) -> [String] {
        stride(from: 0, to: lines.count, by: options.linesPerChunk).map { start in
            lines[start..<min(start + options.linesPerChunk, lines.count)]
                .map { $0 + "\n" }.joined()
        }
    }
}
