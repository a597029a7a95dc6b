// The catalogue of ports of raft/test_test.go, in the original suite's order. Each port builds
// its harness from a `RaftRun`, performs the original's steps in virtual time and throws the
// first failed check; `verdict` turns that into data.
import DSimCore

/// One ported Raft test.
public struct RaftPort {
    /// The original test's name, also the scenario name.
    public let name: String
    /// One line on what it checks.
    public let summary: String
    /// The body; throws the first violation.
    public let body: (RaftRun) throws -> Void

    /// Runs the port and returns its verdict.
    public func verdict(_ run: RaftRun) -> Verdict { RaftPort.verdict { try body(run) } }

    /// `.ok` when `body` returns, `.violation` when it throws one.
    public static func verdict(_ body: () throws -> Void) -> Verdict {
        do {
            try body()
            return .ok
        } catch let v as Violation {
            return .violation(v)
        } catch {
            return .violation(Violation("harness-error", "\(error)"))
        }
    }

    /// Every port, in suite order (3A, 3B, 3C, 3D).
    public static let all: [RaftPort] = ports3A + ports3B + ports3C + ports3D

    /// The port called `name`.
    public static func named(_ name: String) -> RaftPort? { all.first { $0.name == name } }
}

extension RaftHarness {
    /// Go's `RaftElectionTimeout` (1 s), used by the originals' sleeps.
    public static let electionTimeoutMs = 1000

    /// cfg.end(): the original fails a test that took more than 120 s.
    public func end() throws {
        try finish()
        if now > 120 * Duration.second {
            throw fail(
                "test-took-too-long", "test took longer than 120 seconds (\(formatTime(now)))")
        }
    }

    /// Fails with `name` unless `condition`.
    public func expect(_ condition: Bool, _ name: String, _ message: @autoclosure () -> String)
        throws
    {
        if !condition { throw fail(name, message()) }
    }
}
