// `dsim __worker`: hidden. The child side of crash isolation (see `WorkerServer`): requests on
// stdin, one JSON reply per run on stdout, until stdin closes.
import DSimCore
import Foundation
import Scenarios

enum WorkerCommand {
    /// The hidden subcommand's name.
    static let name = "__worker"

    static func run(_ args: [String]) -> Int32 {
        guard args.isEmpty else { return fail("__worker takes no arguments (it is internal)") }
        return WorkerServer.serve(build: buildInfo)
    }
}

/// This binary's path, for re-executing it as a worker.
let selfExecutable: String = {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return CommandLine.arguments[0] }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}()

/// Isolation in workers of this binary, unless `--in-process` asks for the old way (one
/// process, faster to start, but a trap in the system under test ends the campaign).
func isolation(_ a: Arguments) -> Isolation? {
    guard !a.has("in-process") else { return nil }
    var i = Isolation(executable: selfExecutable)
    i.environment["DSIM_COMMIT"] = currentCommit
    return i
}
