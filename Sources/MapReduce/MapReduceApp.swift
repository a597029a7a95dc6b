// Applications as small values loaded by name (the lab's `.so` plugins). An app's Map and
// Reduce are async and get an `AppEnv` — the worker process they run in — so the lab's test
// apps can do what their Go versions do: sleep, write marker files, list the directory, check
// whether other processes are alive, or kill their own process. Apps whose output is
// deterministic carry a `SequentialApp`: the pure Map/Reduce the sequential reference runs.
import DSimCore

/// The worker process an application's Map or Reduce runs in.
public final class AppEnv {
    /// The simulation.
    public let sim: AsyncSimulation
    /// The shared file system.
    public let fs: SimFileSystem
    /// The node the process runs on.
    public let node: NodeID
    /// Its process id (unique per incarnation; Go's `os.Getpid()`).
    public let pid: Int
    /// The process table, to ask whether another pid is alive (Go's `kill(pid, 0)`).
    public let processes: ProcessTable
    /// Per-process counter (jobcount's global `count`), reset by a restart.
    public var counter = 0

    /// The environment of process `pid` on `node`.
    public init(
        sim: AsyncSimulation, fs: SimFileSystem, node: NodeID, pid: Int, processes: ProcessTable
    ) {
        self.sim = sim
        self.fs = fs
        self.node = node
        self.pid = pid
        self.processes = processes
    }

    /// The run's decisions.
    public var choices: Choices { sim.choices }

    /// Kills this process (Go's `os.Exit(1)`): the node crashes and the caller unwinds.
    public func exitProcess() throws -> Never {
        sim.trace.observe("mr.os-exit", node: node, [("pid", .int(Int64(pid)))])
        sim.crash(node)
        throw ProcessExit(pid: pid)
    }
}

/// Thrown by `AppEnv.exitProcess` to unwind the process that killed itself. (`NodeCrashed`
/// has no public initializer, so the kernel's error cannot be thrown from here.)
public struct ProcessExit: Error, Equatable, Sendable {
    /// The process that exited.
    public let pid: Int
}

/// The pure Map and Reduce the sequential reference runs.
public struct SequentialApp {
    /// Map(filename, contents).
    public let map: (String, String) -> [KeyValue]
    /// Reduce(key, values).
    public let reduce: (String, [String]) -> String

    /// A pure application.
    public init(
        map: @escaping (String, String) -> [KeyValue],
        reduce: @escaping (String, [String]) -> String
    ) {
        self.map = map
        self.reduce = reduce
    }
}

/// A MapReduce application (a lab plugin).
public struct MapReduceApp {
    /// Its name (`wc`, `indexer`, `credit`, `crash`, …).
    public let name: String
    /// Map(env, filename, contents).
    public let map: (AppEnv, String, String) async throws -> [KeyValue]
    /// Reduce(env, key, values).
    public let reduce: (AppEnv, String, [String]) async throws -> String
    /// The pure reference whose sequential output the distributed output must equal, if the
    /// output is deterministic (crash's is nocrash).
    public let reference: SequentialApp?

    /// An application.
    public init(
        name: String, map: @escaping (AppEnv, String, String) async throws -> [KeyValue],
        reduce: @escaping (AppEnv, String, [String]) async throws -> String,
        reference: SequentialApp?
    ) {
        self.name = name
        self.map = map
        self.reduce = reduce
        self.reference = reference
    }

    /// An application with no side effects: its reference is itself.
    public static func pure(_ name: String, _ app: SequentialApp) -> MapReduceApp {
        MapReduceApp(
            name: name, map: { _, f, c in app.map(f, c) }, reduce: { _, k, v in app.reduce(k, v) },
            reference: app)
    }

    /// Every application name, in a fixed order.
    public static let names = [
        "wc", "indexer", "credit", "nocrash", "crash", "mtiming", "rtiming", "jobcount",
        "early_exit",
    ]

    /// The application called `name`, or nil.
    public static func named(_ name: String) -> MapReduceApp? {
        switch name {
        case "wc": return .pure("wc", Apps.wc)
        case "indexer": return .pure("indexer", Apps.indexer)
        case "credit": return .pure("credit", Apps.credit)
        case "nocrash": return .pure("nocrash", Apps.nocrash)
        case "crash": return Apps.crash
        case "mtiming": return Apps.mtiming
        case "rtiming": return Apps.rtiming
        case "jobcount": return Apps.jobcount
        case "early_exit": return Apps.earlyExit
        default: return nil
        }
    }
}
