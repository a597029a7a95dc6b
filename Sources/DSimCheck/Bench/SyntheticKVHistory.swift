import DSimCore

/// Linearizable kv histories from a simulated store, for tests and the bench.
///
/// Each client runs operations back to back: call, a random duration, return, a random gap.
/// Each operation takes effect at a random instant inside its interval; applying them in that
/// order to a real store gives the gets' values, so the history is linearizable by
/// construction. Appended values are unique (`c<client>.<n>;`).
///
/// With `pendingMax` > 0, the last operation of up to that many clients never returns (the
/// client crashed or gave up): it takes effect inside its interval or never, at random, and a
/// pending get's value is unknown. With `hasPuts` false, the draw that would make a put makes
/// an append (the labs' one-key tests: appends and gets only). `getsPerTen` of every ten draws
/// are gets (default 5; the one put draw follows them).
public enum SyntheticKVHistory {
    /// A history of `clients * operationsPerClient` operations over `keys` keys.
    public static func generate(
        clients: Int, operationsPerClient: Int, keys: Int, durationMax: Int, gapMax: Int,
        seed: UInt64, hasPuts: Bool = true, pendingMax: Int = 0, getsPerTen: Int = 5
    ) -> KVHistory {
        precondition(pendingMax >= 0 && pendingMax <= clients, "pendingMax \(pendingMax)")
        var random = SplitMix64(seed: seed)
        var history = KVHistory()
        var effectTimes: [Int] = []
        var lastOperations: [Int] = []
        for client in 0..<clients {
            var time = random.next(below: gapMax + 1)
            for number in 0..<operationsPerClient {
                let key = String(random.next(below: keys))
                let input: KVInput
                switch random.next(below: 10) {
                case 0..<getsPerTen: input = .get(key: key)
                case getsPerTen where hasPuts:
                    input = .put(key: key, value: "p\(client).\(number);")
                default: input = .append(key: key, value: "c\(client).\(number);")
                }
                let duration = 1 + random.next(below: durationMax)
                let index = history.recordCall(client: client, input: input, time: time)
                history.recordReturn(index, output: .ok, time: time + duration)
                effectTimes.append(time + random.next(below: duration + 1))
                time += duration + 1 + random.next(below: gapMax + 1)
            }
            if operationsPerClient > 0 { lastOperations.append(history.operations.count - 1) }
        }
        if pendingMax > 0 {
            makePending(&history, &effectTimes, lastOperations, count: pendingMax, &random)
        }
        applyInEffectOrder(&history, effectTimes: effectTimes)
        return history
    }

    /// Makes the last operations of `count` distinct clients (chosen at random) pending; each
    /// takes effect as drawn or, half the time, never (`Int.max`).
    private static func makePending(
        _ history: inout KVHistory, _ effectTimes: inout [Int], _ lastOperations: [Int],
        count: Int, _ random: inout SplitMix64
    ) {
        var candidates = lastOperations
        for _ in 0..<min(count, candidates.count) {
            let index = candidates.remove(at: random.next(below: candidates.count))
            history.operations[index].returnTime = nil
            history.operations[index].output = nil
            if random.next(below: 2) == 0 { effectTimes[index] = .max }
        }
    }

    /// Fills in the returned gets' values by applying operations in effect-time order;
    /// operations that never take effect (`Int.max`) are skipped.
    private static func applyInEffectOrder(_ history: inout KVHistory, effectTimes: [Int]) {
        var store: [String: String] = [:]
        let order = history.operations.indices.sorted {
            (effectTimes[$0], $0) < (effectTimes[$1], $1)
        }
        for index in order where effectTimes[index] != .max {
            let operation = history.operations[index]
            switch operation.input {
            case .get(let key):
                if !operation.isPending {
                    history.operations[index].output = .value(store[key] ?? "")
                }
            case .put(let key, let value): store[key] = value
            case .append(let key, let value): store[key, default: ""] += value
            }
        }
    }
}
