/// Why a history is not linearizable, for one partition (one key, for kv).
///
/// The search found no order for the partition's operations. The explanation shows the deepest
/// point it reached: the longest prefix of operations that can be linearized (in that order,
/// with the state after each), and the operations real time allows next, each of which the
/// model rejects in the state the prefix leaves (had one fitted, the prefix would be longer).
public struct Explanation: Sendable, Equatable {
    /// The partition's key, or nil for an unpartitioned model.
    public var partitionKey: String?
    /// Operations in the partition.
    public var partitionOperationCount: Int
    /// The longest linearizable prefix, in linearization order; `stateAfter` is set on each.
    public var prefix: [ExplainedOperation]
    /// The state after the prefix (the initial state when the prefix is empty).
    public var stateAfterPrefix: String
    /// Operations that real time allows next, all rejected by the model in `stateAfterPrefix`.
    public var blocked: [ExplainedOperation]
    /// The unplaced operation that returned first: one of `blocked` must take effect by then.
    public var deadline: ExplainedOperation?

    /// A readable multi-line explanation, every line starting with `indent`. Long prefixes show
    /// their last `prefixLinesMax` operations (the JSON form has them all).
    public func text(indent: String = "  ", prefixLinesMax: Int = 20) -> String {
        let keyText = partitionKey.map { "key \(quoted($0))" } ?? "the history"
        let count =
            "\(partitionOperationCount) operation" + (partitionOperationCount == 1 ? "" : "s")
        var lines = ["\(keyText) (\(count)) is not linearizable"]
        if prefix.isEmpty {
            lines[0] += "; no operation can be linearized first"
        } else {
            lines[0] += "; longest linearizable prefix (\(prefix.count)), in order:"
            let omitted = max(0, prefix.count - prefixLinesMax)
            if omitted > 0 { lines.append("    ... \(omitted) earlier operations (see --json)") }
            for operation in prefix.dropFirst(omitted) {
                lines.append("    \(operation.summaryLine)  => \(operation.stateAfter ?? "?")")
            }
        }
        lines.append("  state after the prefix: \(stateAfterPrefix)")
        let deadlineText =
            deadline.map {
                "operation \($0.id) returned at \($0.returnTimeText), so one of these must come next"
            } ?? "these may come next"
        lines.append("  \(deadlineText); each is impossible in that state:")
        lines += blocked.map { "    \($0.summaryLine)" }
        return lines.map { indent + $0 }.joined(separator: "\n")
    }

    /// The explanation as a JSON object (every prefix operation included).
    public var json: JSONValue {
        var object = JSONObject([
            "partition": partitionKey.map(JSONValue.string) ?? .null,
            "partitionOperations": .int(partitionOperationCount),
            "prefix": .array(prefix.map { $0.json }),
            "stateAfterPrefix": .string(stateAfterPrefix),
            "blocked": .array(blocked.map { $0.json }),
        ])
        if let deadline { object["deadline"] = .int(deadline.id) }
        return .object(object)
    }
}

/// One operation as shown in an explanation.
public struct ExplainedOperation: Sendable, Equatable {
    /// The operation's id.
    public var id: Int
    /// Its client.
    public var client: Int
    /// Its call time.
    public var callTime: Int
    /// Its return time, nil if it never returned.
    public var returnTime: Int?
    /// The model's one-line description, e.g. `get("k") -> "v"`.
    public var summary: String
    /// The input object as in the history file.
    public var input: JSONObject
    /// The output object as in the history file.
    public var output: JSONObject
    /// The state after this operation, for operations in a prefix; nil otherwise.
    public var stateAfter: String?

    /// `#12 client 3 [40, 52] get("k") -> "v"`.
    public var summaryLine: String {
        "#\(id) client \(client) [\(callTime), \(returnTimeText)] \(summary)"
    }

    /// The return time, or `pending`.
    var returnTimeText: String { returnTime.map(String.init) ?? "pending" }

    /// The operation as a JSON object.
    public var json: JSONValue {
        var object = JSONObject([
            "id": .int(id), "client": .int(client), "call": .int(callTime),
            "return": returnTime.map(JSONValue.int) ?? .null,
            "input": .object(input), "output": .object(output), "summary": .string(summary),
        ])
        if let stateAfter { object["stateAfter"] = .string(stateAfter) }
        return .object(object)
    }
}
