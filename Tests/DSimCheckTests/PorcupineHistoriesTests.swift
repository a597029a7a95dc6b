import DSimCheck
import Foundation
import XCTest

/// Every history in the repository's `histories/porcupine/` gets the verdict its header expects.
final class PorcupineHistoriesTests: XCTestCase {
    /// `<repo>/histories/porcupine`; the repo is three levels above this file, so a clean clone
    /// finds them with nothing beside it.
    static var directory: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("histories/porcupine")
    }

    func testEveryHistoryMatchesItsExpectedVerdict() throws {
        let directory = Self.directory
        // Never a skip: the histories are part of the repository.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let files = names.filter { $0.hasSuffix(".jsonl") }.sorted()
        XCTAssertEqual(files.count, 108)
        var verdicts: [LinearizabilityVerdict: Int] = [:]
        var configurations = 0
        for name in files {
            let history = try HistoryReader.read(path: directory.appendingPathComponent(name).path)
            guard case .string(let expected)? = history.header["expected"] else {
                XCTFail("\(name): no expected verdict")
                continue
            }
            let result = history.check(options: CheckOptions(timeoutSeconds: nil))
            XCTAssertEqual(result.verdict.rawValue, expected, name)
            XCTAssertEqual(result.explanation == nil, result.verdict != .illegal, name)
            verdicts[result.verdict, default: 0] += 1
            configurations += result.configurationCount
        }
        XCTAssertEqual(verdicts, [.illegal: 82, .linearizable: 26])
        // Pinned: the search explores exactly this many configurations, on every machine and
        // thread count. A change here is a change to the search; make sure it is meant.
        XCTAssertEqual(configurations, 680_980)
    }

    func testKVIllegalExplanationIsStable() throws {
        let path = Self.directory.appendingPathComponent("kv_c10-bad.jsonl").path
        let history = try HistoryReader.read(path: path)
        let parallel = history.check(options: CheckOptions(timeoutSeconds: nil, isParallel: true))
        let sequential = history.check(
            options: CheckOptions(timeoutSeconds: nil, isParallel: false))
        XCTAssertEqual(parallel, sequential)
        let explanation = try XCTUnwrap(parallel.explanation)
        XCTAssertNotNil(explanation.partitionKey)
        XCTAssertFalse(explanation.blocked.isEmpty)
    }
}
