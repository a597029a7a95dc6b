extension AppendAnalysis {
    /// The illegal outcome, with a prefix for the explanation: operations taken greedily (puts
    /// first, then reads, then appends in the order `order` read them, then the other appends in call order) while some
    /// candidate fits. Nil if the greedy pass places every operation: then the analysis was
    /// wrong about illegality, and the caller falls back to the general search.
    static func illegal(_ operations: [Operation], order: [Int]) -> Outcome? {
        var rank = [Int](repeating: order.count, count: operations.count)
        for (position, append) in order.enumerated() where rank[append] == order.count {
            rank[append] = position
        }
        for (index, operation) in operations.enumerated() {
            switch operation.input {
            case .put: rank[index] = -2  // they come first (`initialValue`)
            case .get: rank[index] = -1
            case .append: continue
            }
        }
        let byCall = operations.indices.sorted {
            (operations[$0].callTime, $0) < (operations[$1].callTime, $1)
        }
        let byReturn = operations.indices.filter { operations[$0].returnTime != nil }.sorted {
            (operations[$0].returnTime ?? 0, $0) < (operations[$1].returnTime ?? 0, $1)
        }
        var remaining = byCall  // in call order
        var isPlaced = [Bool](repeating: false, count: operations.count)
        var deadlinePosition = 0  // into byReturn: the first unplaced operation is the deadline
        let model = KVModel()
        var state = model.initialState
        var prefix: [Int32] = []
        while !remaining.isEmpty {
            while deadlinePosition < byReturn.count && isPlaced[byReturn[deadlinePosition]] {
                deadlinePosition += 1
            }
            let deadline =
                deadlinePosition < byReturn.count
                ? operations[byReturn[deadlinePosition]].returnTime ?? .max : .max
            var best: (rank: Int, position: Int, state: KVValue)?
            for (position, index) in remaining.enumerated() {
                let operation = operations[index]
                if operation.callTime > deadline { break }
                if let best, best.rank <= rank[index] { continue }
                if let after = model.step(state, input: operation.input, output: operation.output) {
                    best = (rank[index], position, after)
                }
            }
            guard let best else { return .illegal(prefix: prefix) }
            let index = remaining.remove(at: best.position)
            isPlaced[index] = true
            state = best.state
            prefix.append(Int32(index))
        }
        return nil
    }
}
