import Foundation
import XCTest

/// Runs the `dsim` binary built beside the tests (release first), for tests of the command line.
enum DSimProcess {
    /// The package root.
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The binary's path; skips the test when there is none.
    static func path() throws -> String {
        let here = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        var candidates = [here.deletingLastPathComponent().appendingPathComponent("dsim").path]
        for config in ["release", "debug"] {
            candidates.append(root.appendingPathComponent(".build/\(config)/dsim").path)
        }
        guard
            let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }
            )
        else { throw XCTSkip("dsim binary not found in \(candidates)") }
        return found
    }

    /// Runs `dsim args` in `directory`: exit status, stdout, stderr.
    static func run(_ args: [String], in directory: String? = nil) throws -> (
        status: Int32, out: String, err: String
    ) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try path())
        p.arguments = args
        if let d = directory { p.currentDirectoryURL = URL(fileURLWithPath: d) }
        let out = Pipe()
        // stderr to a file, so that a full pipe never blocks the child while we read stdout.
        let errPath = NSTemporaryDirectory() + "dsim-test-err-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return (
            p.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }

    /// A fresh temporary directory.
    static func tempDirectory(_ name: String) throws -> String {
        let d =
            NSTemporaryDirectory() + "dsim-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: d)
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}
