// Spec files: one behaviour or campaign per file, grouped by system under `specs/`.
//
//   {"system": "raft", "scenario": "fuzz", "params": {"nodes": 5, "snapshots": true},
//    "planted": [], "checkSeeds": 50, "summary": "5 nodes, snapshots, swarm faults"}
//
// `params` goes to the scenario untouched; `checkSeeds` is how many seeds the bounded CI
// campaign (`dsim check`) runs for this spec.
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
        if let s = json["scenario"], s.stringValue == nil {
            throw SpecError.badField(path, "\"scenario\" must be a string")
        }
        return Spec(
            path: path, system: system, scenario: json["scenario"]?.stringValue, params: params,
            planted: planted, checkSeeds: json["checkSeeds"]?.intValue ?? 20,
            summary: json["summary"]?.stringValue ?? "")
    }
}
