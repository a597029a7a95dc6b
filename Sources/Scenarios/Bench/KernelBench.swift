// Kernel throughput, measured in release by `dsim bench` (never by timed unit tests):
// - sans-IO: messages delivered per second through `SansIOSimulation` (the full path: Choices
//   for the delay, the network checks, the heap, the handler), beside a bare event loop doing
//   the same ping-pong with a plain heap and PRNG, so the kernel's overhead is a ratio;
// - async: job runs per second of tasks that yield, and messages per second of a ping-pong over
//   channels.
import DSimCore
import Foundation

/// A node that forwards every ping to the next node until its hop budget is spent.
struct PingNode: SansIONode {
    struct Ping: SimMessage {
        var hops: Int
        var isReply: Bool { false }
        var sizeBytes: Int { 16 }
        var traceName: String { "Ping" }
        var traceFields: [(String, JSON)] { [("hops", .int(Int64(hops)))] }
    }
    typealias Message = Ping
    typealias Durable = Int

    let id: Int
    var received = 0

    mutating func boot(_ ctx: NodeContext<PingNode>) {
        if id == 0 { for _ in 0..<64 { ctx.send(Ping(hops: 0), to: 1 % ctx.nodeCount) } }
    }

    mutating func receive(_ m: Ping, from: NodeID, _ ctx: NodeContext<PingNode>) {
        received += 1
        ctx.send(Ping(hops: m.hops + 1), to: (id + 1) % ctx.nodeCount)
    }

    mutating func timerFired(_ timer: Int, _ ctx: NodeContext<PingNode>) {}
}

/// Kernel benchmarks.
public enum KernelBench {
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Messages/s through the sans-IO driver (5 nodes, 64 pings in flight).
    public static func sansIO(messages: Int) -> Double {
        let sim = SansIOSimulation<PingNode>(
            count: 5, choices: Choices(.seed(1)), trace: TraceRecorder(recording: false)
        ) { id, _ in PingNode(id: id) }
        let t = seconds {
            while sim.counters.delivered < messages { sim.step() }
        }
        return Double(sim.counters.delivered) / t
    }

    /// Messages/s of the same ping-pong on a bare heap with a bare PRNG (the yardstick).
    public static func bareLoop(messages: Int) -> Double {
        var queue = EventQueue<(to: Int32, hops: Int32)>()
        var rng = Xoshiro256(seed: 1)
        var now: VirtualTime = 0
        for _ in 0..<64 { queue.push((1, 0), at: VirtualTime(rng.below(1001)) * 1000) }
        var delivered = 0
        let t = seconds {
            while delivered < messages, let (time, e) = queue.pop() {
                now = time
                delivered += 1
                let next = (e.to + 1) % 5
                queue.push((next, e.hops + 1), at: now + VirtualTime(rng.below(1001)) * 1000)
            }
        }
        return Double(delivered) / t
    }

    /// Job runs/s of `tasks` tasks each yielding `yields` times.
    public static func asyncJobs(tasks: Int, yields: Int) -> Double {
        let sim = AsyncSimulation(
            nodes: 1, choices: Choices(.seed(1)), trace: TraceRecorder(recording: false))
        for i in 0..<tasks {
            sim.spawn(0, "y\(i)") { for _ in 0..<yields { try await sim.yield() } }
        }
        let t = seconds { sim.runToQuiescence() }
        return Double(sim.jobsRun) / t
    }

    /// Messages/s of a two-node ping-pong over channels with 0–1 ms virtual delays.
    public static func asyncPingPong(messages: Int) -> Double {
        let sim = AsyncSimulation(
            nodes: 2, choices: Choices(.seed(1)), trace: TraceRecorder(recording: false))
        let ab = SimChannel<Int>(sim, capacity: 1, name: "ab")
        let ba = SimChannel<Int>(sim, capacity: 1, name: "ba")
        let n = messages / 2
        sim.spawn(0, "ping") {
            for i in 0..<n {
                try await ab.send(i)
                _ = try await ba.receive()
            }
        }
        sim.spawn(1, "pong") {
            for _ in 0..<n {
                let v = try await ab.receive() ?? 0
                try await sim.sleep(VirtualTime(sim.choices.below(1000, "bench.delay")) * 1000)
                try await ba.send(v)
            }
        }
        let t = seconds { sim.runToQuiescence() }
        return Double(2 * n) / t
    }

    /// All kernel benchmarks as printable lines.
    public static func run() -> [String] {
        _ = sansIO(messages: 200_000)  // warm up
        let s = sansIO(messages: 2_000_000)
        let b = bareLoop(messages: 2_000_000)
        let j = asyncJobs(tasks: 100, yields: 5_000)
        let p = asyncPingPong(messages: 400_000)
        return [
            String(format: "kernel: sans-IO messages delivered  %10.0f /s", s),
            String(
                format: "kernel: bare event loop (yardstick) %10.0f /s  (sans-IO = %.2fx slower)",
                b, b / s),
            String(format: "kernel: async job runs              %10.0f /s", j),
            String(format: "kernel: async channel ping-pong     %10.0f msgs/s", p),
        ]
    }
}
