import Foundation

/// Reads history files in the JSONL format of DESIGN §6.
///
/// Line 1 is a header object naming the model (`{"model":"kv", ...}`); every further non-blank
/// line is one operation: `{"id","client","call","return","input","output"}`. Blank lines are
/// skipped (but counted, so line numbers match an editor's). Any problem throws a
/// `HistoryError` with its line number; no input makes the reader trap or loop.
public enum HistoryReader {
    /// Reads and parses the file at `path`.
    public static func read(path: String) throws -> any CheckableHistory {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let reason =
                !exists ? "no such file" : isDirectory.boolValue ? "is a directory" : "unreadable"
            throw HistoryError.unreadable(reason: reason)
        }
        return try parse(bytes: [UInt8](data))
    }

    /// Parses a whole history file held in a string.
    public static func parse(_ text: String) throws -> any CheckableHistory {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses a whole history file held as UTF-8 bytes.
    public static func parse(bytes: [UInt8]) throws -> any CheckableHistory {
        try bytes.withUnsafeBufferPointer { buffer in
            var lines = LineSplitter(buffer)
            guard let first = lines.next() else { throw HistoryError.emptyFile }
            let header = try object(buffer, first)
            let name: String
            do {
                name = try header.string("model")
            } catch let error as FieldError {
                throw HistoryError(error, line: first.number)
            }
            guard let model = ModelRegistry.model(named: name) else {
                throw HistoryError.unknownModel(
                    line: first.number, name: name, known: ModelRegistry.allNames)
            }
            return try readOperations(model, header: header.object, lines: &lines, buffer)
        }
    }

    /// Parses a history file whose header must name `Model` (or an alias of it).
    public static func parse<Model: LinearizabilityModel>(_ text: String, as model: Model.Type)
        throws -> History<Model>
    {
        let history = try parse(text)
        guard let typed = history as? History<Model> else {
            throw HistoryError.unknownModel(line: 1, name: history.modelName, known: Model.names)
        }
        return typed
    }

    private static func readOperations<Model: LinearizabilityModel>(
        _ model: Model.Type, header: JSONObject, lines: inout LineSplitter,
        _ buffer: UnsafeBufferPointer<UInt8>
    ) throws -> any CheckableHistory {
        var history = History<Model>(header: header)
        var lineOfID: [Int: Int] = [:]
        while let line = lines.next() {
            let fields = try object(buffer, line)
            let operation: HistoryOperation<Model.Input, Model.Output>
            do {
                operation = try decodeOperation(fields, line: line.number, as: model)
            } catch let error as FieldError {
                throw HistoryError(error, line: line.number)
            }
            if let firstLine = lineOfID[operation.id] {
                throw HistoryError.duplicateID(
                    line: line.number, id: operation.id, firstLine: firstLine)
            }
            lineOfID[operation.id] = line.number
            history.operations.append(operation)
        }
        return history
    }

    private static func decodeOperation<Model: LinearizabilityModel>(
        _ fields: JSONFields, line: Int, as model: Model.Type
    ) throws -> HistoryOperation<Model.Input, Model.Output> {
        let id = try fields.int("id")
        let client = try fields.int("client")
        let callTime = try fields.int("call")
        let returnTime = try fields.optionalInt("return")
        let input = try Model.decodeInput(try fields.fields("input"))
        let outputFields = try fields.fields("output")
        let output: Model.Output?
        if try isUnknown(outputFields) {
            output = nil
        } else {
            output = try Model.decodeOutput(outputFields, for: input)
        }
        if let returnTime, returnTime < callTime {
            throw HistoryError.returnBeforeCall(
                line: line, id: id, call: callTime, returnTime: returnTime)
        }
        return HistoryOperation(
            id: id, client: client, callTime: callTime, returnTime: returnTime, input: input,
            output: output)
    }

    /// True for `{"unknown": true}`: the client never learned the outcome.
    private static func isUnknown(_ output: JSONFields) throws -> Bool {
        guard output.object["unknown"] != nil else { return false }
        return try output.bool("unknown")
    }

    /// Parses one line, which must be a JSON object.
    private static func object(_ buffer: UnsafeBufferPointer<UInt8>, _ line: LineSplitter.Line)
        throws -> JSONFields
    {
        let value: JSONValue
        do {
            value = try JSONReader.parse(buffer, start: line.start, end: line.end)
        } catch let error as JSONReader.SyntaxError {
            throw HistoryError.syntax(
                line: line.number, column: error.column, message: error.message)
        }
        guard case .object = value else {
            throw HistoryError.notAnObject(line: line.number, found: value.kindName)
        }
        return try JSONFields(value, path: "")
    }
}

/// Splits a buffer into non-blank lines, numbering every line from 1.
struct LineSplitter {
    /// One non-blank line: its 1-based number and its byte range (without the newline).
    struct Line {
        let number: Int
        let start: Int
        let end: Int
    }

    private let buffer: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var number = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    /// The next non-blank line, or nil at the end of the buffer.
    mutating func next() -> Line? {
        while position < buffer.count {
            number += 1
            let start = position
            var end = start
            while end < buffer.count && buffer[end] != 0x0A { end += 1 }
            position = end + 1
            let isBlank = buffer[start..<end].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            if !isBlank { return Line(number: number, start: start, end: end) }
        }
        return nil
    }
}
