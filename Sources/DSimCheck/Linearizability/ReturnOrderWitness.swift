/// A fast path of the bank model's check: try the order in which the operations returned.
///
/// Return order always respects real time (if A returned before B was called, A returned
/// before B did), and pending operations go last, where nothing must follow them; so if the
/// model accepts every operation in that order, that order is a linearization and the
/// partition is linearizable, with no search. In a lock-based bank it is usually the order the
/// operations took effect: each operation changes its accounts under their locks and returns
/// before the next operation on them can run. The search's own candidate order (earliest
/// deadline first within each run of calls) can stray from it in a crowded history and
/// backtrack without end. When the model rejects the return order, nothing is concluded and
/// the search runs: this never decides illegal.
enum ReturnOrderWitness {
    /// `.linearizable` if `model` accepts `operations` in return order, else nil.
    static func decide<Model: LinearizabilityModel>(
        _ model: Model, _ operations: [HistoryOperation<Model.Input, Model.Output>]
    ) -> AppendAnalysis.Outcome? {
        let order = operations.indices.sorted {
            let left = operations[$0]
            let right = operations[$1]
            return (left.returnTime ?? .max, left.callTime, $0)
                < (right.returnTime ?? .max, right.callTime, $1)
        }
        var state = model.initialState
        for index in order {
            let operation = operations[index]
            guard let next = model.step(state, input: operation.input, output: operation.output)
            else { return nil }
            state = next
        }
        return .linearizable
    }
}
