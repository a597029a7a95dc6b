// `dsim list`: every scenario (system, name, the original test it ports or `-`), or every
// planted bug (system, name, description).
import Scenarios

enum ListCommand {
    static let help = """
        usage: dsim list [--system S] [--planted]

          one line per scenario: system, scenario, the original test it ports (or -)
          --planted  one line per planted bug instead: system, bug, description
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, valued: ["system"], boolean: ["help", "planted"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.isEmpty else {
            throw UsageError("unexpected argument '\(a.positionals[0])'")
        }
        let systems =
            a.value("system") == nil ? Catalog.systems : [try lookupSystem(a.value("system"))]
        for s in systems {
            if a.has("planted") {
                for b in s.plantedBugs { print("\(s.name)\t\(b.name)\t\(b.summary)") }
            } else {
                for sc in s.scenarios { print("\(s.name)\t\(sc.name)\t\(sc.portOf ?? "-")") }
            }
        }
        return Exit.ok
    }
}
