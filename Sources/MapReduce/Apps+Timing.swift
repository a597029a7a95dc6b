// The lab's timing test apps: mtiming, rtiming, jobcount and early_exit (lab-tests.md §4).
// They talk to each other through marker files in the shared file system, as the Go
// originals do through the working directory.
import DSimCore

extension Apps {
    /// mtiming/rtiming's `nparallel`: writes `mr-worker-<phase>-<pid>`, counts the marker files
    /// of live processes, sleeps 1 s, removes its marker, and returns the count.
    static func nparallel(_ env: AppEnv, _ phase: String) async throws -> Int {
        let prefix = "mr-worker-\(phase)-"
        let mine = prefix + String(env.pid)
        env.fs.put(mine, "x")
        var running = 0
        for name in env.fs.list(prefix: prefix) {
            if let pid = Int(name.dropFirst(prefix.count)), env.processes.isAlive(pid) {
                running += 1
            }
        }
        try await env.sim.sleep(Duration.second)
        env.fs.remove(mine)
        return running
    }

    /// Virtual time as Go's `%.1f` of Unix seconds (no floating point).
    static func seconds(_ t: VirtualTime) -> String {
        "\(t / Duration.second).\((t / (Duration.second / 10)) % 10)"
    }

    /// mtiming.go: Map emits `times-<pid>` (start time) and `parallel-<pid>` (how many maps ran
    /// at once); Reduce joins the sorted values.
    public static let mtiming = MapReduceApp(
        name: "mtiming",
        map: { env, _, _ in
            let t0 = env.sim.now
            let n = try await nparallel(env, "map")
            return [
                KeyValue("times-\(env.pid)", seconds(t0)),
                KeyValue("parallel-\(env.pid)", String(n)),
            ]
        },
        reduce: { _, _, values in values.sorted().joined(separator: " ") }, reference: nil)

    /// rtiming.go: Map emits keys a..j; Reduce returns how many reduces ran at once.
    public static let rtiming = MapReduceApp(
        name: "rtiming",
        map: { _, _, _ in
            ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].map { KeyValue($0, "1") }
        },
        reduce: { env, _, _ in String(try await nparallel(env, "reduce")) }, reference: nil)

    /// jobcount.go: each Map writes `mr-worker-jobcount-<pid>-<n>` and sleeps 2–5 s; Reduce
    /// counts those files, i.e. how many Map calls ran.
    public static let jobcount = MapReduceApp(
        name: "jobcount",
        map: { env, _, _ in
            env.fs.put("mr-worker-jobcount-\(env.pid)-\(env.counter)", "x")
            env.counter += 1
            let ms = 2000 + env.choices.below(3000, "mr.app.jobsleep")
            try await env.sim.sleep(VirtualTime(ms) * Duration.millisecond)
            return [KeyValue("a", "x")]
        },
        reduce: { env, _, _ in String(env.fs.list(prefix: "mr-worker-jobcount").count) },
        reference: nil)

    /// early_exit.go's pure part: (filename, "1"); Reduce counts.
    public static let earlyExitReference = SequentialApp(
        map: { filename, _ in [KeyValue(filename, "1")] },
        reduce: { _, values in String(values.count) })

    /// early_exit.go: as its reference, but Reduce sleeps 3 s for keys containing "sherlock"
    /// or "tom", to catch a worker that exits before the job is done.
    public static let earlyExit = MapReduceApp(
        name: "early_exit",
        map: { _, f, c in earlyExitReference.map(f, c) },
        reduce: { env, key, values in
            if key.contains("sherlock") || key.contains("tom") {
                try await env.sim.sleep(3 * Duration.second)
            }
            return earlyExitReference.reduce(key, values)
        }, reference: earlyExitReference)
}
