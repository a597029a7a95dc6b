import DSimCore
import XCTest

/// The simulated shared file system: chunked writes visible while in progress, atomic rename,
/// sorted listing, crash leaves an open temp file, zombie writes ignored.
final class SimFileSystemTests: XCTestCase {
    func make(_ nodes: Int = 2) -> (AsyncSimulation, SimFileSystem) {
        let sim = AsyncSimulation(
            nodes: nodes, choices: Choices(.seed(1)), trace: TraceRecorder(recording: false))
        return (sim, SimFileSystem(sim, chunkWriteNs: 10 * Duration.millisecond))
    }

    func testPartialFileIsVisibleUntilClosedThenRenameIsAtomic() {
        let (sim, fs) = make()
        nonisolated(unsafe) var seen: [(String, Bool)] = []
        sim.spawn(0, "writer") {
            try await fs.writeFile("tmp", chunks: ["a\n", "b\n", "c\n"])
            try fs.rename("tmp", to: "out")
        }
        sim.spawn(1, "reader") {
            try await sim.sleep(5 * Duration.millisecond)
            for _ in 0..<4 {
                try await sim.sleep(10 * Duration.millisecond)  // 15, 25, 35, 45 ms
                let name = fs.exists("out") ? "out" : "tmp"
                seen.append((fs.read(name) ?? "", fs.file(name)?.isComplete ?? false))
            }
        }
        sim.runToQuiescence()
        XCTAssertEqual(seen.map(\.0), ["a\n", "a\nb\n", "a\nb\nc\n", "a\nb\nc\n"])
        XCTAssertEqual(seen.map(\.1), [false, false, true, true])
        XCTAssertFalse(fs.exists("tmp"))
        XCTAssertEqual(fs.counters.renames, 1)
        XCTAssertEqual(fs.counters.chunkWrites, 3)
    }

    func testCrashedWriterLeavesOpenTempFileAndZombieWritesAreIgnored() {
        let (sim, fs) = make()
        sim.spawn(0, "writer") {
            defer { fs.put("zombie", "x") }  // runs after the crash: must be ignored
            try await fs.writeFile("mr-tmp-1", chunks: ["a\n", "b\n", "c\n"])
            try fs.rename("mr-tmp-1", to: "mr-out-0")
        }
        sim.spawn(1, "killer") {
            try await sim.sleep(15 * Duration.millisecond)
            sim.crash(0)
        }
        sim.runToQuiescence()
        XCTAssertEqual(fs.list(), ["mr-tmp-1"])
        XCTAssertEqual(fs.file("mr-tmp-1")?.isComplete, false)
        XCTAssertEqual(fs.file("mr-tmp-1")?.contents, "a\n")
        XCTAssertEqual(fs.counters.ignoredZombieWrites, 1)
    }

    func testListIsSortedAndRemoveAndMissingRenameThrow() {
        let (_, fs) = make()
        for name in ["mr-out-2", "mr-1-0", "mr-out-10", "mr-out-1"] { fs.put(name, name) }
        XCTAssertEqual(fs.list(prefix: "mr-out-"), ["mr-out-1", "mr-out-10", "mr-out-2"])
        fs.remove("mr-out-2")
        XCTAssertEqual(fs.list(prefix: "mr-out-"), ["mr-out-1", "mr-out-10"])
        XCTAssertThrowsError(try fs.rename("nope", to: "x")) { e in
            XCTAssertEqual(e as? FileSystemError, .notFound("nope"))
        }
        XCTAssertEqual(fs.counters.removes, 1)
    }
}
