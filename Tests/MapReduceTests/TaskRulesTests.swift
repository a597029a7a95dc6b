import DSimCore
import MapReduce
import XCTest

/// The coordinator's task rules on the shadow model: legal histories pass, each illegal step
/// is caught with its rule and cites its line.
final class TaskRulesTests: XCTestCase {
    let second = Duration.second

    func testLegalHistoryPasses() {
        let r = TaskRules(maps: 2, reduces: 1, timeoutNs: 10 * second)
        r.issued(.map, 0, now: 0, line: 2)
        r.issued(.map, 1, now: 0, line: 3)
        r.issued(.map, 1, now: 10 * second, line: 4)  // reissued after the timeout
        r.reportedDone(.map, 0, line: 5)
        r.reportedDone(.map, 1, line: 6)
        r.reportedDone(.map, 1, line: 7)  // the straggler's duplicate report
        r.issued(.reduce, 0, now: 11 * second, line: 8)
        r.reportedDone(.reduce, 0, line: 9)
        r.jobDone(line: 10)
        XCTAssertNil(r.breach)
    }

    func check(_ body: (TaskRules) -> Void) -> Violation? {
        let r = TaskRules(maps: 2, reduces: 1, timeoutNs: 10 * second)
        body(r)
        return r.breach
    }

    func testEachRuleIsCaught() {
        let early = check { r in
            r.issued(.map, 0, now: 0, line: 2)
            r.issued(.map, 0, now: 2 * self.second, line: 3)
        }
        XCTAssertEqual(early?.invariant, "mr-rule:reissue-after-timeout")
        XCTAssertEqual(early?.events, [3])
        let reduce = check { r in
            r.issued(.map, 0, now: 0, line: 2)
            r.issued(.map, 1, now: 0, line: 3)
            r.reportedDone(.map, 0, line: 4)
            r.issued(.reduce, 0, now: 0, line: 5)
        }
        XCTAssertEqual(reduce?.invariant, "mr-rule:reduce-after-all-maps")
        let regress = check { r in
            r.issued(.map, 0, now: 0, line: 2)
            r.reportedDone(.map, 0, line: 3)
            r.issued(.map, 0, now: 20 * self.second, line: 4)
        }
        XCTAssertEqual(regress?.invariant, "mr-rule:completed-never-regresses")
        let unissued = check { r in r.reportedDone(.map, 1, line: 2) }
        XCTAssertEqual(unissued?.invariant, "mr-rule:done-after-issue")
        let done = check { r in r.jobDone(line: 2) }
        XCTAssertEqual(done?.invariant, "mr-rule:job-done-when-all-complete")
    }
}
