import DSimCheck
import DSimCore
import XCTest

/// The search, with its memoization and forced reads, against a brute-force reference that
/// tries every real-time-respecting order, on many small random histories.
final class ReferenceCheckerTests: XCTestCase {
    /// True if some order of `operations` respects real time and `model` (exhaustive).
    private func bruteForce<Model: LinearizabilityModel>(
        _ model: Model, _ operations: [HistoryOperation<Model.Input, Model.Output>],
        remaining: Set<Int>, state: Model.State
    ) -> Bool {
        guard !remaining.isEmpty else { return true }
        let deadline = remaining.map { operations[$0].returnTime ?? Int.max }.min() ?? Int.max
        for index in remaining.sorted() where operations[index].callTime <= deadline {
            let operation = operations[index]
            if let after = model.step(state, input: operation.input, output: operation.output),
                bruteForce(
                    model, operations, remaining: remaining.subtracting([index]), state: after)
            {
                return true
            }
        }
        return false
    }

    /// Random call/return times in a small range, so equal times and overlaps are common;
    /// about one operation in six never returns.
    private func interval(_ random: inout SplitMix64) -> (call: Int, returnTime: Int?) {
        let call = random.next(below: 8)
        if random.next(below: 6) == 0 { return (call, nil) }
        return (call, call + random.next(below: 5))
    }

    private func randomRegister(_ random: inout SplitMix64, count: Int) -> RegisterHistory {
        var history = RegisterHistory()
        let values: [RegisterValue] = [.null, .int(1), .int(2)]
        for id in 0..<count {
            let (call, returnTime) = interval(&random)
            let value = values[random.next(below: 3)]
            let input: RegisterInput
            let output: RegisterOutput
            switch random.next(below: 3) {
            case 0: (input, output) = (.read, .value(value))
            case 1: (input, output) = (.write(value), .ok)
            default:
                input = .cas(from: value, to: values[random.next(below: 3)])
                output = .swapped(random.next(below: 2) == 0)
            }
            let isUnknown = returnTime == nil || random.next(below: 8) == 0
            history.operations.append(
                HistoryOperation(
                    id: id, client: id, callTime: call, returnTime: returnTime, input: input,
                    output: isUnknown ? nil : output))
        }
        return history
    }

    private func randomKV(_ random: inout SplitMix64, count: Int) -> KVHistory {
        var history = KVHistory()
        let values = ["", "a", "b", "ab", "ba"]
        for id in 0..<count {
            let (call, returnTime) = interval(&random)
            let key = ["x", "y"][random.next(below: 2)]
            let input: KVInput
            var output = KVOutput.ok
            switch random.next(below: 3) {
            case 0:
                input = .get(key: key)
                output = .value(values[random.next(below: values.count)])
            case 1: input = .put(key: key, value: ["a", "b"][random.next(below: 2)])
            default: input = .append(key: key, value: ["a", "b"][random.next(below: 2)])
            }
            let isUnknown = returnTime == nil || random.next(below: 8) == 0
            history.operations.append(
                HistoryOperation(
                    id: id, client: id, callTime: call, returnTime: returnTime, input: input,
                    output: isUnknown ? nil : output))
        }
        return history
    }

    private func assertAgrees<Model>(_ history: History<Model>, _ label: String)
        -> LinearizabilityVerdict
    {
        // The model's state is one partition's, so brute-force each partition (linearizability
        // is local: a history is linearizable iff each object's subhistory is).
        let partitions = Dictionary(grouping: history.operations.indices) {
            history.model.partitionKey(for: history.operations[$0].input)
        }
        let expected = partitions.values.allSatisfy { indices in
            bruteForce(
                history.model, indices.map { history.operations[$0] },
                remaining: Set(indices.indices), state: history.model.initialState)
        }
        let result = history.check(options: CheckOptions(timeoutSeconds: nil))
        XCTAssertEqual(result.verdict, expected ? .linearizable : .illegal, label)
        return result.verdict
    }

    func testRegisterAgreesWithBruteForce() {
        var random = SplitMix64(seed: 11)
        var verdicts: [LinearizabilityVerdict: Int] = [:]
        for trial in 0..<1_000 {
            let history = randomRegister(&random, count: 2 + random.next(below: 5))
            verdicts[
                assertAgrees(history, "register trial \(trial)\n\(history.jsonLines())"), default: 0
            ] += 1
        }
        XCTAssertGreaterThan(verdicts[.linearizable] ?? 0, 150)
        XCTAssertGreaterThan(verdicts[.illegal] ?? 0, 150)
    }

    func testKVAgreesWithBruteForce() {
        var random = SplitMix64(seed: 12)
        var verdicts: [LinearizabilityVerdict: Int] = [:]
        for trial in 0..<1_000 {
            let history = randomKV(&random, count: 2 + random.next(below: 6))
            verdicts[
                assertAgrees(history, "kv trial \(trial)\n\(history.jsonLines())"), default: 0] += 1
        }
        XCTAssertGreaterThan(verdicts[.linearizable] ?? 0, 150)
        XCTAssertGreaterThan(verdicts[.illegal] ?? 0, 150)
    }
}
