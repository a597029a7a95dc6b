import Foundation
import XCTest

/// Verdicts are a function of the seed and the binary (issue 17): nothing a run can reach reads
/// a clock. Every source file is scanned for clock reads; only the files on `allowed` may have
/// them, each for a reason that keeps it off a run's path. The history checker's wall-clock
/// deadline (for `dsim check-history`) is one of them, so a second check makes sure no file a
/// run reaches asks it for a deadline.
final class ClockReadTests: XCTestCase {
    /// Tokens that read a real clock, in any of the toolchain's APIs.
    static let clockReads = [
        "Date()", "Date.now", "Date(timeIntervalSinceNow", "DispatchTime", "DispatchWallTime",
        "clock_gettime", "ContinuousClock", "SuspendingClock", "systemUptime", "gettimeofday",
        "CFAbsoluteTimeGetCurrent", "mach_absolute_time", "uptimeNanoseconds", "time(nil)",
        "getrusage",
    ]

    /// Files that may read a clock, and why no run reaches the read.
    static let allowed: [(path: String, why: String)] = [
        ("Sources/dsim/", "the command line: progress lines, timings, signal handling"),
        ("Sources/Scenarios/Bench/", "benchmarks time runs from outside"),
        ("Sources/DSimCheck/Bench/", "benchmarks time checks from outside"),
        ("Sources/DSimCheck/CheckHistoryCommand.swift", "dsim check-history's timings"),
        (
            "Sources/DSimCheck/Linearizability/LinearizabilityChecker.swift",
            "the deadline of CheckOptions.timeoutSeconds: only check-history sets one"
        ),
        (
            "Sources/DSimCheck/Linearizability/LinearizationSearch.swift",
            "compares that deadline; nil (no read) for every in-run check"
        ),
    ]

    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `(path, line number, code without its // comment)` of every Swift line under Sources.
    static func sourceLines() throws -> [(String, Int, String)] {
        let sources = root.appendingPathComponent("Sources").path
        guard let e = FileManager.default.enumerator(atPath: sources) else { return [] }
        var out: [(String, Int, String)] = []
        while let rel = e.nextObject() as? String {
            guard rel.hasSuffix(".swift") else { continue }
            let text = try String(contentsOfFile: sources + "/" + rel, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated()
            {
                let code =
                    line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false)
                    .first ?? ""
                out.append(("Sources/" + rel, n + 1, String(code)))
            }
        }
        return out
    }

    static func isAllowed(_ path: String) -> Bool {
        allowed.contains { path.hasPrefix($0.path) }
    }

    func testNothingARunReachesReadsAClock() throws {
        let lines = try Self.sourceLines()
        XCTAssertGreaterThan(Set(lines.map(\.0)).count, 100)
        var offenders: [String] = []
        for (path, n, code) in lines where !Self.isAllowed(path) {
            for token in Self.clockReads where SourceHygieneTests.mentions(code, token) {
                offenders.append("\(path):\(n): \(token)")
            }
        }
        XCTAssertEqual(offenders, [], offenders.joined(separator: "\n"))
    }

    /// The checker's deadline is reachable from a run only if a run passes a timeout: every
    /// `timeoutSeconds:` argument outside the allowed files must be `nil`.
    func testNoRunAsksTheCheckerForADeadline() throws {
        var offenders: [String] = []
        for (path, n, code) in try Self.sourceLines() where !Self.isAllowed(path) {
            guard let r = code.range(of: "timeoutSeconds:") else { continue }
            let rest = code[r.upperBound...].trimmingCharacters(in: .whitespaces)
            // A declaration (`timeoutSeconds: Double?`) is not a use.
            if !rest.hasPrefix("nil") && !rest.hasPrefix("Double") {
                offenders.append("\(path):\(n): \(code)")
            }
        }
        XCTAssertEqual(offenders, [], offenders.joined(separator: "\n"))
    }

    /// The scan itself works: it finds the allowed files' reads (a test that cannot fail is
    /// no test).
    func testTheScanFindsTheAllowedReads() throws {
        let lines = try Self.sourceLines()
        let found = lines.filter { line in
            Self.clockReads.contains { SourceHygieneTests.mentions(line.2, $0) }
        }
        XCTAssertTrue(found.contains { $0.0.hasPrefix("Sources/dsim/") })
        XCTAssertTrue(found.contains { $0.0.hasSuffix("LinearizationSearch.swift") })
    }
}
