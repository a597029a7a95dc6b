// Host file access for the command line and tests (reading traces and specs, writing traces).
// Never used by simulated code: the simulated file system is `SimFileSystem`.
import Foundation

/// The contents of a host file as UTF-8 text, or nil if it cannot be read.
public func readTextFile(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
}

/// Writes `text` to a host file, creating parent directories. Returns false on failure.
@discardableResult
public func writeTextFile(_ path: String, _ text: String) -> Bool {
    let url = URL(fileURLWithPath: path)
    try? FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    return FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
}
