// The simulated shared file system (DESIGN §3, "Storage"), as the MapReduce lab's workers share
// one directory. One flat namespace of text files:
//
//   create(name)             a new empty file (truncating an old one), open for writing
//   append(name, chunk)      one chunk write: takes `chunkWriteNs` of virtual time (a scheduling
//                            point), then the chunk lands; a reader may see the file meanwhile
//   close(name)              the writer is done: the file is complete
//   writeFile(name, chunks)  create + append each + close (a crash in between leaves it open)
//   put(name, text)          a small write in one step (marker files, setup data)
//   read / file / exists     read anything, complete or not (partial files are observable)
//   list(prefix:)            names with a prefix, sorted (never hash order)
//   remove / rename          rename is atomic: the target is replaced in one step
//
// Crash semantics: a writer that crashes mid-write leaves its file open (incomplete) under the
// name it was writing — for a worker following the lab's advice that is a temp file, never a
// half-renamed final one, because a rename happens in one step or not at all. Every mutation
// made by a crashed incarnation (`sim.isZombie`: code running in a catch or defer after the
// crash) is ignored and counted. `onRead` and `onRename` let a checker watch every read and
// rename as it happens, so "nobody ever sees a partial file under a final name" can be checked
// at the moment it would be seen.

/// Why a file-system operation failed.
public enum FileSystemError: Error, Equatable, Sendable {
    /// The file does not exist.
    case notFound(String)
}

/// One simulated file: its text and whether its writer finished it.
public struct SimFile: Equatable, Sendable {
    /// The text written so far.
    public internal(set) var contents: String
    /// True once closed by its writer (or written in one step); false while being written, and
    /// forever if the writer crashed first.
    public internal(set) var isComplete: Bool
    /// The node that created it (nil when created outside any task, e.g. setup).
    public internal(set) var writer: NodeID?
    /// Chunks appended.
    public internal(set) var chunks: Int
    /// Trace line of its creation (evidence for violations).
    public internal(set) var createdLine: TraceLine
}

/// Operation counters of a `SimFileSystem`.
public struct FileSystemCounters: Equatable, Sendable {
    /// Files created (including `put`).
    public var creates = 0
    /// Chunk writes that landed.
    public var chunkWrites = 0
    /// Bytes (UTF-8) written.
    public var bytesWritten = 0
    /// Reads (of existing files).
    public var reads = 0
    /// Renames done.
    public var renames = 0
    /// Files removed.
    public var removes = 0
    /// Mutations from crashed incarnations, ignored.
    public var ignoredZombieWrites = 0

    /// All zero.
    public init() {}
}

/// A shared file system for the async processes of one `AsyncSimulation`.
public final class SimFileSystem {
    // Strong: the file system may outlive a harness's other references to the simulation, and
    // the simulation never refers back to it.
    let sim: AsyncSimulation
    /// Virtual time one chunk write takes. Default 1 ms.
    public var chunkWriteNs: VirtualTime
    /// Called on every read of an existing file, with its name and state at that moment.
    public var onRead: ((String, SimFile) -> Void)?
    /// Called on every rename: source name, target name, the file, and the rename's trace line.
    public var onRename: ((String, String, SimFile, TraceLine) -> Void)?
    /// Operation counters.
    public private(set) var counters = FileSystemCounters()
    private var files: [String: SimFile] = [:]

    /// An empty file system; each chunk write takes `chunkWriteNs`.
    public init(_ sim: AsyncSimulation, chunkWriteNs: VirtualTime = Duration.millisecond) {
        precondition(chunkWriteNs >= 0, "chunkWriteNs \(chunkWriteNs) < 0")
        self.sim = sim
        self.chunkWriteNs = chunkWriteNs
    }

    /// False (and counted) when the running task belongs to a crashed incarnation.
    private func mayWrite() -> Bool {
        if sim.isZombie {
            counters.ignoredZombieWrites += 1
            return false
        }
        return true
    }

    /// Creates `name` empty and open for writing, replacing any file of that name.
    public func create(_ name: String) {
        guard mayWrite() else { return }
        let node = sim.currentNode
        let line = sim.trace.observe(
            "fs.create", node: node, [("file", .string(name))])
        files[name] = SimFile(
            contents: "", isComplete: false, writer: node, chunks: 0, createdLine: line)
        counters.creates += 1
    }

    /// Writes one chunk at the end of `name`: waits `chunkWriteNs`, then the chunk lands.
    /// Throws `NodeCrashed` if the writer crashes meanwhile (the chunk is lost), `notFound` if
    /// the file was removed.
    public func append(_ name: String, _ chunk: String) async throws {
        if chunkWriteNs > 0 { try await sim.sleep(chunkWriteNs) } else { try await sim.yield() }
        guard mayWrite() else { return }
        guard files[name] != nil else { throw FileSystemError.notFound(name) }
        files[name]!.contents += chunk
        files[name]!.chunks += 1
        counters.chunkWrites += 1
        counters.bytesWritten += chunk.utf8.count
    }

    /// Marks `name` complete (its writer is done with it).
    public func close(_ name: String) {
        guard mayWrite(), files[name] != nil else { return }
        files[name]!.isComplete = true
    }

    /// Creates `name`, appends each chunk, and closes it. A crash part-way leaves it open.
    public func writeFile(_ name: String, chunks: [String]) async throws {
        create(name)
        for c in chunks { try await append(name, c) }
        close(name)
    }

    /// Writes `name` complete in one step (small files: markers, setup data).
    public func put(_ name: String, _ contents: String) {
        guard mayWrite() else { return }
        let node = sim.currentNode
        let line = sim.trace.observe(
            "fs.put", node: node,
            [("file", .string(name)), ("bytes", .int(Int64(contents.utf8.count)))])
        files[name] = SimFile(
            contents: contents, isComplete: true, writer: node, chunks: 1, createdLine: line)
        counters.creates += 1
        counters.bytesWritten += contents.utf8.count
    }

    /// The text of `name` as it is now (complete or not), or nil if it does not exist.
    public func read(_ name: String) -> String? {
        guard let f = files[name] else { return nil }
        counters.reads += 1
        onRead?(name, f)
        return f.contents
    }

    /// The state of `name` without reading it (no `onRead`), or nil.
    public func file(_ name: String) -> SimFile? { files[name] }

    /// True if `name` exists.
    public func exists(_ name: String) -> Bool { files[name] != nil }

    /// Names starting with `prefix`, sorted.
    public func list(prefix: String = "") -> [String] {
        files.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Removes `name` if it exists.
    public func remove(_ name: String) {
        guard mayWrite(), files.removeValue(forKey: name) != nil else { return }
        counters.removes += 1
        sim.trace.observe("fs.remove", node: sim.currentNode, [("file", .string(name))])
    }

    /// Atomically renames `from` to `to`, replacing any file called `to`.
    public func rename(_ from: String, to: String) throws {
        guard mayWrite() else { return }
        guard let f = files.removeValue(forKey: from) else { throw FileSystemError.notFound(from) }
        files[to] = f
        counters.renames += 1
        let line = sim.trace.observe(
            "fs.rename", node: sim.currentNode,
            [
                ("from", .string(from)), ("to", .string(to)),
                ("bytes", .int(Int64(f.contents.utf8.count))), ("complete", .bool(f.isComplete)),
            ])
        onRename?(from, to, f, line)
    }
}
