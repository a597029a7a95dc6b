extension Explanation {
    /// Builds the explanation of an illegal partition from the search's longest prefix
    /// (local operation indices), replaying it with `stepper`.
    init<Model: LinearizabilityModel>(
        partitionKey: String?, operations: [HistoryOperation<Model.Input, Model.Output>],
        longestPrefix: [Int32], stepper: ModelStepper<Model>
    ) {
        var state: Int32 = 0
        var isPlaced = [Bool](repeating: false, count: operations.count)
        var prefix: [ExplainedOperation] = []
        for operation in longestPrefix {
            state = stepper.step(from: state, operation: operation)
            precondition(state >= 0, "prefix operation \(operation) does not replay")
            isPlaced[Int(operation)] = true
            prefix.append(
                Self.explain(
                    operations[Int(operation)], model: stepper.model,
                    stateAfter: stepper.states[Int(state)]))
        }
        let remaining = operations.indices.filter { !isPlaced[$0] }
        precondition(!remaining.isEmpty, "an illegal partition has unplaced operations")
        let deadline = remaining.filter { operations[$0].returnTime != nil }.min {
            (operations[$0].returnTime ?? 0, $0) < (operations[$1].returnTime ?? 0, $1)
        }
        let deadlineTime = deadline.flatMap { operations[$0].returnTime } ?? Int.max
        let candidates = remaining.filter { operations[$0].callTime <= deadlineTime }.sorted {
            (operations[$0].callTime, $0) < (operations[$1].callTime, $1)
        }
        // Invariant: the model rejects every candidate. One it accepted would extend the prefix,
        // and the search tries every candidate at every depth it reaches (a cached configuration
        // one deeper was itself reached), so the prefix would not be the longest.
        for index in candidates {
            let after = stepper.step(from: state, operation: Int32(index))
            precondition(after == ModelStepper<Model>.rejected, "candidate \(index) fits")
        }
        let blocked = candidates.map {
            Self.explain(operations[$0], model: stepper.model, stateAfter: nil)
        }
        self.init(
            partitionKey: partitionKey, partitionOperationCount: operations.count, prefix: prefix,
            stateAfterPrefix: stepper.model.describe(state: stepper.states[Int(state)]),
            blocked: blocked,
            deadline: deadline.map {
                Self.explain(operations[$0], model: stepper.model, stateAfter: nil)
            })
    }

    private static func explain<Model: LinearizabilityModel>(
        _ operation: HistoryOperation<Model.Input, Model.Output>, model: Model,
        stateAfter: Model.State?
    ) -> ExplainedOperation {
        ExplainedOperation(
            id: operation.id, client: operation.client, callTime: operation.callTime,
            returnTime: operation.returnTime,
            summary: model.describe(input: operation.input, output: operation.output),
            input: Model.encode(input: operation.input),
            output: History<Model>.outputObject(operation.output),
            stateAfter: stateAfter.map { model.describe(state: $0) })
    }
}
