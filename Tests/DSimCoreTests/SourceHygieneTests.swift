import Foundation
import XCTest

/// STYLE habit 1: no real clocks, threads, escaping tasks or unseeded randomness in any
/// simulated path. Greps the sources of the kernel and every system; the command line, the
/// campaign runner (threads across seeds), benchmarks and host file access are exempt.
final class SourceHygieneTests: XCTestCase {
    static let forbidden = [
        "Date()", "DispatchQueue", "Thread.", "Task {", "Task.detached", "Task.sleep",
        "Int.random(", "Double.random(", "Bool.random(", "UInt64.random(", ".randomElement()",
        ".shuffled()", "SystemRandomNumberGenerator", "arc4random", "ContinuousClock", "@MainActor",
    ]
    static let exempt = [
        "Sources/dsim/", "Campaign.swift", "/Bench/", "FileIO.swift", "Sources/DSimCheck/",
    ]

    /// True when `code` uses `token` as a word of its own (`SimTask {` is not `Task {`).
    static func mentions(_ code: String, _ token: String) -> Bool {
        var rest = code[...]
        while let r = rest.range(of: token) {
            let before =
                r.lowerBound == code.startIndex ? nil : code[code.index(before: r.lowerBound)]
            if token.first == "." || before == nil || !(before!.isLetter || before!.isNumber) {
                return true
            }
            rest = rest[r.upperBound...]
        }
        return false
    }

    func testSimulatedPathsUseNoRealClocksThreadsOrRandomness() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let sources = root.appendingPathComponent("Sources").path
        guard let e = FileManager.default.enumerator(atPath: sources) else {
            throw XCTSkip("no Sources folder at \(sources)")
        }
        var offenders: [String] = []
        var scanned = 0
        while let rel = e.nextObject() as? String {
            let path = "Sources/" + rel
            guard rel.hasSuffix(".swift"), !Self.exempt.contains(where: { path.contains($0) })
            else {
                continue
            }
            scanned += 1
            let text = try String(contentsOfFile: sources + "/" + rel, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated()
            {
                let code =
                    line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false)
                    .first ?? ""
                for f in Self.forbidden where Self.mentions(String(code), f) {
                    offenders.append("\(path):\(n + 1): \(f)")
                }
            }
        }
        XCTAssertGreaterThan(scanned, 10)
        XCTAssertEqual(offenders, [], offenders.joined(separator: "\n"))
    }
}
