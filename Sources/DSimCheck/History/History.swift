/// A concurrent history of operations on objects described by `Model`, ready to check.
///
/// Build one in code as a simulation runs:
///
///     var history = History<KVModel>()
///     let put = history.recordCall(client: 1, input: .put(key: "x", value: "1"), time: 10)
///     history.recordReturn(put, output: .ok, time: 14)
///     let result = history.check()          // .linearizable / .illegal / .unknown
///
/// or read one from a JSONL file with `HistoryReader`, and write it back with `jsonLines()`.
public struct History<Model: LinearizabilityModel> {
    /// The sequential specification.
    public var model: Model
    /// Free header fields written on line 1 next to `"model"` (e.g. `"expected"`).
    public var header: JSONObject
    /// The operations, in the order recorded (order does not matter to the checker).
    public var operations: [HistoryOperation<Model.Input, Model.Output>]

    /// A history of `operations` checked against `model`.
    public init(
        model: Model = Model(), header: JSONObject = JSONObject(),
        operations: [HistoryOperation<Model.Input, Model.Output>] = []
    ) {
        self.model = model
        self.header = header
        self.operations = operations
    }

    /// Records that `client` called with `input` at `time`; the operation stays pending until
    /// `recordReturn`. Returns its index in `operations`, which is also its id.
    @discardableResult
    public mutating func recordCall(client: Int, input: Model.Input, time: Int) -> Int {
        let index = operations.count
        operations.append(
            HistoryOperation(
                id: index, client: client, callTime: time, returnTime: nil, input: input,
                output: nil))
        return index
    }

    /// Records the reply to the operation at `index` (from `recordCall`): `output` nil means the
    /// reply is unknown (e.g. the client gave up), which the checker accepts as any output.
    public mutating func recordReturn(_ index: Int, output: Model.Output?, time: Int) {
        precondition(operations.indices.contains(index), "no operation at index \(index)")
        let call = operations[index].callTime
        precondition(time >= call, "op \(index): return \(time) < call \(call)")
        precondition(operations[index].returnTime == nil, "op \(index) already returned")
        operations[index].returnTime = time
        operations[index].output = output
    }

    /// Checks the history for linearizability against `model`.
    public func check(options: CheckOptions = CheckOptions()) -> CheckResult {
        LinearizabilityChecker.check(self, options: options)
    }
}

extension History: Sendable where Model.Input: Sendable, Model.Output: Sendable {}

/// A history of the key/value model.
public typealias KVHistory = History<KVModel>
/// A history of the register model.
public typealias RegisterHistory = History<RegisterModel>

/// A history of any model, as read from a file whose header names the model.
public protocol CheckableHistory {
    /// The model's canonical name (`kv`, `register`).
    var modelName: String { get }
    /// The header's fields, including `"model"` as written.
    var header: JSONObject { get }
    /// The number of operations.
    var operationCount: Int { get }
    /// Checks the history for linearizability.
    func check(options: CheckOptions) -> CheckResult
    /// The history in the JSONL file format.
    func jsonLines() -> String
    /// A self-contained HTML page of the history and its check `result` (`HistoryPage`).
    func htmlPage(result: CheckResult, title: String) -> String
}

extension History: CheckableHistory {
    /// The model's canonical name.
    public var modelName: String { Model.names[0] }
    /// The number of operations.
    public var operationCount: Int { operations.count }

    /// A self-contained HTML page of the history and its check `result`.
    public func htmlPage(result: CheckResult, title: String) -> String {
        HistoryPage.render(self, result: result, title: title)
    }
}
