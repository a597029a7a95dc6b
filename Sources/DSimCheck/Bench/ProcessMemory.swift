import Foundation

/// The process's resident memory, from Linux's `/proc/self/status`: for the bench's memory
/// figure only (never read in a checked or simulated path).
struct ProcessMemory {
    /// `VmRSS`: resident now.
    var residentBytes: Int
    /// `VmHWM`: the most resident since start or the last reset.
    var peakBytes: Int

    /// The current figures; with `resettingPeak`, first resets `VmHWM` to the current resident
    /// size (writing `5` to `/proc/self/clear_refs`). Nil where `/proc` is missing.
    static func read(resettingPeak: Bool) -> ProcessMemory? {
        if resettingPeak {
            try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        }
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let resident = kibibytes("VmRSS:", in: status),
            let peak = kibibytes("VmHWM:", in: status)
        else { return nil }
        return ProcessMemory(residentBytes: resident * 1024, peakBytes: peak * 1024)
    }

    /// The number of kB on the line starting with `field`.
    private static func kibibytes(_ field: String, in status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) })
        else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first
    }
}
