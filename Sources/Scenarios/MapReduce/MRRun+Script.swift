// The test script's processes (test-mr.sh): starting workers as each test does, the crash
// test's restart loops, random crashes of workers (fuzzing), and an output watcher.
import DSimCore
import MapReduce

extension MRRun {
    /// Spawns the script's tasks; workers start a second after the coordinator, as in the script.
    func startScript() {
        sim.spawn(scriptNode, "script") { [unowned self] in
            try await sim.sleep(Duration.second)
            try await startWorkers()
        }
        sim.spawn(scriptNode, "watcher") { [unowned self] in try await watch() }
        if job.chaosCrashes > 0 {
            sim.spawn(scriptNode, "chaos") { [unowned self] in try await chaos() }
        }
    }

    private func startWorkers() async throws {
        switch job.plan {
        case .together(let n):
            for node in 1...n { cluster.startWorker(on: node) }
        case .pairs:
            cluster.startWorker(on: 1)
            let foreground = cluster.startWorker(on: 2)
            try await waitForExit(foreground)
            cluster.startWorker(on: 3)
            cluster.startWorker(on: 4)
        case .restartLoops(let background, let loops):
            for node in stride(from: 1, through: background, by: 1) {
                cluster.startWorker(on: node)
            }
            for node in stride(from: background + 1, through: background + loops, by: 1) {
                sim.spawn(scriptNode, "restart loop n\(node)") { [unowned self] in
                    try await restartLoop(node)
                }
            }
        }
    }

    /// `while [ -e $SOCKNAME -a ! -f mr-done ]; do mrworker; sleep 1; done` (the coordinator
    /// being up stands for both: the script touches mr-done as soon as it exits).
    private func restartLoop(_ node: NodeID) async throws {
        while cluster.isCoordinatorUp {
            let pid = cluster.startWorker(on: node)
            try await waitForExit(pid)
            try await sim.sleep(Duration.second)
        }
    }

    private func waitForExit(_ pid: Int) async throws {
        while cluster.processes.isAlive(pid) { try await sim.sleep(100 * Duration.millisecond) }
    }

    /// Reads every output file every 20–200 ms until every process is gone.
    private func watch() async throws {
        while cluster.isCoordinatorUp || !cluster.processes.running.isEmpty {
            try await sim.sleep(
                VirtualTime(ctx.choices.between(20, 200, "mr.watch")) * Duration.millisecond)
            for name in fs.list(prefix: "mr-out-") { _ = fs.read(name) }
        }
    }

    /// Crashes a random running worker every 0.1–3 s, up to `chaosCrashes` times.
    private func chaos() async throws {
        var left = job.chaosCrashes
        let workers = job.plan.workerNodes
        while left > 0 && cluster.isCoordinatorUp {
            try await sim.sleep(
                VirtualTime(ctx.choices.between(100, 3000, "mr.chaos.wait")) * Duration.millisecond)
            let node = 1 + ctx.choices.below(workers, "mr.chaos.node")
            if sim.isUp(node) && !(cluster.coordinator?.isDone ?? true) {
                sim.crash(node)
                left -= 1
            }
        }
    }
}
