import DSimCore
import Foundation
import Scenarios
import XCTest

/// The rule that judges a campaign's original-bound count against its spec's expected rate.
final class OriginalBoundRateTests: XCTestCase {
    func testBinomialUpperTailAgainstKnownValues() {
        // P(X >= 1) = 1 - (1 - p)^n.
        let one = OriginalBoundRate(count: 1, seeds: 3000, expected: 0.001).pValue
        XCTAssertEqual(one, 1 - pow(0.999, 3000), accuracy: 1e-9)
        // Binomial(3000, 0.001) ~ Poisson(3): P(X >= 11) = 2.9e-4, P(X >= 10) = 1.1e-3.
        XCTAssertEqual(
            OriginalBoundRate(count: 11, seeds: 3000, expected: 0.001).pValue, 2.9e-4,
            accuracy: 0.2e-4)
        XCTAssertEqual(
            OriginalBoundRate(count: 10, seeds: 3000, expected: 0.001).pValue, 1.1e-3,
            accuracy: 0.1e-3)
        XCTAssertEqual(OriginalBoundRate(count: 0, seeds: 10, expected: 0).pValue, 1)
        XCTAssertEqual(OriginalBoundRate(count: 2, seeds: 10, expected: 0).pValue, 0)
    }

    func testOneOccurrenceNeverFailsAndAHighRateDoes() {
        // The acceptance case: 2 in 3,000 against an expected 1e-3.
        XCTAssertFalse(OriginalBoundRate(count: 2, seeds: 3000, expected: 0.001).isWellAbove)
        XCTAssertFalse(OriginalBoundRate(count: 10, seeds: 3000, expected: 0.001).isWellAbove)
        XCTAssertTrue(OriginalBoundRate(count: 11, seeds: 3000, expected: 0.001).isWellAbove)
        // One occurrence, even where none is expected, or in one seed: never a failure.
        XCTAssertFalse(OriginalBoundRate(count: 1, seeds: 1, expected: 0).isWellAbove)
        XCTAssertFalse(OriginalBoundRate(count: 1, seeds: 100_000, expected: 0).isWellAbove)
        XCTAssertTrue(OriginalBoundRate(count: 2, seeds: 100_000, expected: 0).isWellAbove)
        // 100,000 seeds at 1e-3: 100 expected; 140 is well above, 120 is not.
        XCTAssertFalse(OriginalBoundRate(count: 120, seeds: 100_000, expected: 0.001).isWellAbove)
        XCTAssertTrue(OriginalBoundRate(count: 140, seeds: 100_000, expected: 0.001).isWellAbove)
    }

    func testSpecExpectedRateIsParsedAndChecked() throws {
        let dir = NSTemporaryDirectory() + "obr-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func spec(_ expect: String) throws -> Spec {
            let path = dir + "/s.json"
            try #"{"system": "mapreduce", "scenario": "crash", "expect": \#(expect)}"#
                .write(toFile: path, atomically: true, encoding: .utf8)
            return try Spec.load(path)
        }
        XCTAssertEqual(try spec(#"{"original-bound-rate": 0.001}"#).originalBoundRate, 0.001)
        XCTAssertEqual(try spec(#"{}"#).originalBoundRate, 0)
        for bad in [#"{"original-bound-rate": 2}"#, #"{"rate": 0.1}"#, #""x""#] {
            XCTAssertThrowsError(try spec(bad), bad)
        }
        let crash = try Spec.load(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("specs/mapreduce/crash.json")
                .path)
        XCTAssertEqual(crash.originalBoundRate, 0.001)
    }
}
