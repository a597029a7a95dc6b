// `dsim history TRACE`: the client history of a run in the history format (DESIGN §6), so any
// linearizability checker — ours (`dsim check-history`) or another — can re-check it. Key/value
// systems write one `op` observation per client operation:
//   {"ev":"op","client":c,"opId":k,"call":t0,"return":t1|null,"input":{…},"output":{…}}
import DSimCore
import Scenarios

enum HistoryCommand {
    static let help = """
        usage: dsim history TRACE [--out FILE]

          writes the client history of TRACE (its "op" events) in the history format
        exit: 0 written, 3 bad input (not a trace, or a trace with no client operations)
        """

    static let models = ["kvraft": "kv", "shardkv": "kv", "kvsrv": "kv"]

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, valued: ["out"], boolean: ["help"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.count == 1 else { throw UsageError("expected exactly one TRACE file") }
        let path = a.positionals[0]
        let file = try TraceFile.load(path)
        let system = file.header["system"]?.stringValue ?? "?"
        var ops: [(call: Int, id: Int, json: JSON)] = []
        for (i, text) in file.lines.enumerated().dropFirst() {
            guard text.contains("\"ev\":\"op\""), let e = try? JSON.parse(text),
                e["ev"]?.stringValue == "op"
            else { continue }
            guard let client = e["client"]?.intValue, let id = e["opId"]?.intValue,
                let call = e["call"]?.intValue, let input = e["input"], let ret = e["return"]
            else {
                throw UsageError(
                    "\(path):\(i + 1): op event without client, opId, call, return and input")
            }
            let op = JSON.object([
                ("id", .int(Int64(id))), ("client", .int(Int64(client))),
                ("call", .int(Int64(call))),
                ("return", ret), ("input", input), ("output", e["output"] ?? .null),
            ])
            ops.append((call, id, op))
        }
        guard !ops.isEmpty else {
            throw UsageError("\(path): no client operations (\"op\" events) in this trace")
        }
        ops.sort { ($0.call, $0.id) < ($1.call, $1.id) }
        let header = JSON.object([
            ("model", .string(models[system] ?? "kv")), ("source", .string(path)),
            ("system", .string(system)), ("seed", file.header["seed"] ?? .null),
            ("ops", .int(Int64(ops.count))),
        ])
        let text =
            ([header.serialized] + ops.map { $0.json.serialized }).joined(separator: "\n") + "\n"
        if let out = a.value("out") {
            guard writeTextFile(out, text) else { throw UsageError("cannot write \(out)") }
        } else {
            print(text, terminator: "")
        }
        return Exit.ok
    }
}
