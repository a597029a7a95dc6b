/// Runs a model's `step` for one partition, with states interned as small integers.
///
/// The search only ever compares and hashes state ids (`Int32`), however large the model's
/// states are (a kv value can be a long string). It reaches the stepper through closures
/// (`LinearizationSearch.Stepping`) made where `Model` is concrete, so the model's code is
/// specialized rather than run through generic metadata.
final class ModelStepper<Model: LinearizabilityModel> {
    /// Answer of `step` when the model rejects the operation.
    static var rejected: Int32 { -1 }

    let model: Model
    let inputs: [Model.Input]
    let outputs: [Model.Output?]
    /// Per operation: the model's `isReadOnly` for its input.
    let isReadOnly: [Bool]
    /// Interned states; id 0 is the initial state.
    private(set) var states: [Model.State]
    private var stateIDs: [Model.State: Int32]

    /// A stepper over operations with these inputs and outputs (indexed alike).
    init(model: Model, inputs: [Model.Input], outputs: [Model.Output?]) {
        precondition(
            inputs.count == outputs.count, "\(inputs.count) inputs, \(outputs.count) outputs")
        self.model = model
        self.inputs = inputs
        self.outputs = outputs
        isReadOnly = inputs.map { model.isReadOnly($0) }
        states = [model.initialState]
        stateIDs = [model.initialState: 0]
    }

    /// Heap bytes the interned states hold beyond their inline size (`Model.heapByteCount`).
    private var stateHeapBytes = 0

    /// Bytes held: the state array and the id table as allocated (a dictionary has about 4/3
    /// buckets per unit of capacity, each a state and an id), and the states' own heap.
    var byteCount: Int {
        let stateStride = MemoryLayout<Model.State>.stride
        return grownCapacity(states.count) * stateStride
            + stateIDs.capacity * 4 / 3 * (stateStride + 4 + 1) + stateHeapBytes
    }

    /// Forgets every state but the initial one and `keep`, which are renumbered 1, 2, … in
    /// order of first appearance; returns the new id of each id in `keep`. The search calls it
    /// when it empties its cache under a memory limit (a kv history's states are long strings,
    /// and most of its memory).
    func compact(keeping keep: [Int32]) -> [Int32] {
        var renumbered: [Int32: Int32] = [0: 0]
        var kept = [states[0]]
        for id in keep where renumbered[id] == nil {
            renumbered[id] = Int32(kept.count)
            kept.append(states[Int(id)])
        }
        states = kept
        stateIDs = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, Int32($0)) })
        stateHeapBytes = kept.reduce(0) { $0 + model.heapByteCount(of: $1) }
        return keep.map { renumbered[$0] ?? 0 }
    }

    /// The id of the state after `operation` in state `state`, or `rejected`.
    func step(from state: Int32, operation: Int32) -> Int32 {
        let index = Int(operation)
        guard
            let after = model.step(states[Int(state)], input: inputs[index], output: outputs[index])
        else { return Self.rejected }
        if isReadOnly[index] { return state }  // same state: skip hashing it
        if let id = stateIDs[after] { return id }
        precondition(states.count < Int(Int32.max), "too many states: \(states.count)")
        let id = Int32(states.count)
        states.append(after)
        stateIDs[after] = id
        stateHeapBytes += model.heapByteCount(of: after)
        return id
    }
}
