/// A sequential specification the checker can test histories against.
///
/// A model is a pure state machine: `step` says whether an operation with this input and this
/// observed output could have happened in `state`, and if so which state follows. Everything
/// else is presentation (describe, encode) or speed (partition).
///
/// To add a model (say, the shard controller), write one file with a type conforming to this
/// protocol and list it in `ModelRegistry.models` so `check-history` can read its histories.
///
/// Rules the checker relies on:
/// - `step` is deterministic and side-effect free; the checker calls it at most once per
///   (state, operation) pair and remembers the answer.
/// - `partitionKey` splits the history P-compositionally: operations with different keys must
///   never affect each other (each key is its own object, as in a key/value store). Return nil
///   to keep every operation in one partition. An operation on several objects (a bank
///   transfer) lists them in `partitionKeys`: objects it links are checked together.
/// - An output of nil means "unknown": the operation may have happened with any output (the
///   client timed out, or never returned). `step` should accept it wherever the input is
///   possible.
public protocol LinearizabilityModel: Sendable {
    /// What a client asked for.
    associatedtype Input: Sendable
    /// What the client was told; nil in a history means unknown.
    associatedtype Output: Sendable
    /// The object's state. Keep it small: the checker interns states and hashes each new one.
    associatedtype State: Hashable

    /// The names a history header may use for this model; the first is canonical.
    static var names: [String] { get }

    /// The model with its default configuration.
    init()

    /// The state before any operation.
    var initialState: State { get }

    /// The independent object `input` acts on, or nil when the model is not partitioned.
    func partitionKey(for input: Input) -> String?

    /// Every independent object `input` acts on; operations sharing any key share a partition
    /// (connected components). Empty means unpartitioned. Defaults to `partitionKey` alone.
    func partitionKeys(for input: Input) -> [String]

    /// The state after applying `input` in `state` with result `output` (nil = unknown output),
    /// or nil when that output is impossible in that state.
    func step(_ state: State, input: Input, output: Output?) -> State?

    /// True if an operation with this input never changes the state, in any state and with any
    /// output (a get, a read). The search linearizes such operations as soon as they fit.
    /// Answer false when unsure: a wrong true makes the checker unsound. Defaults to false.
    func isReadOnly(_ input: Input) -> Bool

    /// Bytes a state holds on the heap beyond `MemoryLayout<State>.stride` (a long string's
    /// buffer), so the checker's memory figure is what the process really uses. Defaults to 0.
    func heapByteCount(of state: State) -> Int

    /// One-line human description of an operation, e.g. `get("k") -> "v"` or `cas(1, 2) -> ok`.
    func describe(input: Input, output: Output?) -> String

    /// One-line human description of a state.
    func describe(state: State) -> String

    /// Reads an input from the `input` object of a history line.
    static func decodeInput(_ fields: JSONFields) throws -> Input

    /// Reads an output from the `output` object of a history line (never `{"unknown":true}`;
    /// the reader handles that).
    static func decodeOutput(_ fields: JSONFields, for input: Input) throws -> Output

    /// The `input` object of a history line.
    static func encode(input: Input) -> JSONObject

    /// The `output` object of a history line (unknown outputs are written by the caller).
    static func encode(output: Output) -> JSONObject
}

extension LinearizabilityModel {
    /// The one key `partitionKey` names, if any.
    public func partitionKeys(for input: Input) -> [String] {
        partitionKey(for: input).map { [$0] } ?? []
    }

    /// No operation is known to be read-only.
    public func isReadOnly(_ input: Input) -> Bool { false }

    /// States hold nothing on the heap.
    public func heapByteCount(of state: State) -> Int { 0 }
}

/// The models `check-history` can read, looked up by the header's `"model"` field.
public enum ModelRegistry {
    /// Every known model type; add new models here.
    public static let models: [any LinearizabilityModel.Type] = [
        KVModel.self, RegisterModel.self, BankModel.self,
    ]

    /// The model a header names (canonical name or alias), or nil.
    public static func model(named name: String) -> (any LinearizabilityModel.Type)? {
        models.first { $0.names.contains(name) }
    }

    /// Every accepted model name, for error messages.
    public static var allNames: [String] { models.flatMap { $0.names } }
}
