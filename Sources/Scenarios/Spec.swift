// Spec files: one behaviour or campaign per file, grouped by system under `specs/`.
//
//   {"system": "raft", "scenario": "fuzz", "params": {"nodes": 5, "snapshots": true},
//    "planted": [], "checkSeeds": 50, "summary": "5 nodes, snapshots, swarm faults"}
//
// `params` is checked against the parameters the scenario declares (`ScenarioParameters`) by
// the command that runs it; `checkSeeds` is how many seeds the bounded CI campaign
// (`dsim check`) runs for this spec. `"expect": {"original-bound-rate": 0.001}` states how
// often a correct implementation misses a timing bound of the original test (see
// `OriginalBoundRate`; default 0). Any other top-level key is an error (a typo would
// otherwise be ignored).
import DSimCore

/// Why a spec file cannot be used.
public enum SpecError: Error, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(String)
    /// The file is not valid JSON.
    case garbled(String, String)
    /// A field is missing or has the wrong type.
    case badField(String, String)

    /// One line naming the file.
    public var description: String {
        switch self {
        case .unreadable(let p): return "\(p): cannot read spec file"
        case .garbled(let p, let why): return "\(p): not JSON (\(why))"
        case .badField(let p, let why): return "\(p): \(why)"
        }
    }
}

/// A parsed spec file.
public struct Spec {
    /// Where it came from.
    public var path: String
    /// `--system`.
    public var system: String
    /// `--scenario` (nil: the system's fuzz scenario).
    public var scenario: String?
    /// Scenario parameters.
    public var params: JSON
    /// Planted bugs switched on.
    public var planted: [String]
    /// Seeds for the CI campaign.
    public var checkSeeds: Int
    /// One line on what it covers.
    public var summary: String
    /// The rate of `original-bound` runs a correct implementation is expected to show (0: none).
    public var originalBoundRate = 0.0

    /// The top-level fields a spec may have.
    static let fields = [
        "system", "scenario", "params", "planted", "checkSeeds", "summary", "expect",
    ]

    /// Loads and validates a spec file.
    public static func load(_ path: String) throws -> Spec {
        guard let text = readTextFile(path) else { throw SpecError.unreadable(path) }
        let json: JSON
        do { json = try JSON.parse(text) } catch let e as JSONParseError {
            throw SpecError.garbled(path, e.description)
        }
        guard case .object = json else {
            throw SpecError.badField(path, "top level must be an object")
        }
        guard let system = json["system"]?.stringValue else {
            throw SpecError.badField(path, "missing string field \"system\"")
        }
        let params = json["params"] ?? .object([])
        guard case .object = params else {
            throw SpecError.badField(path, "\"params\" must be an object")
        }
        var planted: [String] = []
        if let p = json["planted"] {
            guard let items = p.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw SpecError.badField(path, "\"planted\" must be an array of strings")
            }
            planted = items.compactMap { $0.stringValue }
        }
        if case .object(let members) = json,
            let odd = members.first(where: { !Self.fields.contains($0.0) })
        {
            throw SpecError.badField(
                path,
                "unknown field \"\(odd.0)\" (known: \(Self.fields.joined(separator: ", ")))")
        }
        let checkSeeds = json["checkSeeds"] ?? .int(20)
        guard let seeds = checkSeeds.intValue, (1...1_000_000).contains(seeds) else {
            throw SpecError.badField(
                path,
                "\"checkSeeds\" is \(checkSeeds.serialized): must be an integer in 1...1000000")
        }
        if let s = json["scenario"], s.stringValue == nil {
            throw SpecError.badField(path, "\"scenario\" must be a string")
        }
        var spec = Spec(
            path: path, system: system, scenario: json["scenario"]?.stringValue, params: params,
            planted: planted, checkSeeds: seeds,
            summary: json["summary"]?.stringValue ?? "")
        spec.originalBoundRate = try expectedRate(json["expect"], path: path)
        return spec
    }

    /// `"expect": {"original-bound-rate": r}` with 0 <= r <= 1; 0 when absent.
    static func expectedRate(_ expect: JSON?, path: String) throws -> Double {
        guard let expect else { return 0 }
        guard case .object(let members) = expect,
            members.allSatisfy({ $0.0 == "original-bound-rate" })
        else {
            throw SpecError.badField(
                path, "\"expect\" must be an object with only \"original-bound-rate\"")
        }
        guard let rate = expect["original-bound-rate"] else { return 0 }
        guard let r = rate.doubleValue, r >= 0, r <= 1 else {
            throw SpecError.badField(
                path,
                "\"original-bound-rate\" is \(rate.serialized): must be a number in 0...1")
        }
        return r
    }
}
