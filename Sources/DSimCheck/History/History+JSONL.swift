extension History {
    /// The history in the JSONL file format: a header line with `"model"` first and then the
    /// other header fields, then one line per operation in `operations` order. Unknown outputs
    /// are written as `{"unknown":true}`, pending returns as `null`. Reading the text back with
    /// `HistoryReader` gives an equal history.
    public func jsonLines() -> String {
        var headerLine = JSONObject(["model": .string(Model.names[0])])
        for (key, value) in zip(header.keys, header.values) where key != "model" {
            headerLine[key] = value
        }
        var out = JSONWriter.string(.object(headerLine)) + "\n"
        for operation in operations {
            JSONWriter.write(.object(jsonObject(operation)), to: &out)
            out += "\n"
        }
        return out
    }

    /// One operation line as a JSON object.
    func jsonObject(_ operation: HistoryOperation<Model.Input, Model.Output>) -> JSONObject {
        JSONObject([
            "id": .int(operation.id),
            "client": .int(operation.client),
            "call": .int(operation.callTime),
            "return": operation.returnTime.map(JSONValue.int) ?? .null,
            "input": .object(Model.encode(input: operation.input)),
            "output": .object(Self.outputObject(operation.output)),
        ])
    }

    /// The `output` object of a line: the model's encoding, or `{"unknown":true}`.
    static func outputObject(_ output: Model.Output?) -> JSONObject {
        guard let output else { return JSONObject(["unknown": .bool(true)]) }
        return Model.encode(output: output)
    }
}
