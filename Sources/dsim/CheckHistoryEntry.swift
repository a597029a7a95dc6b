// `dsim check-history` lives in DSimCheck (so tests and simulations share it); this is the hop.
import DSimCheck

enum CheckHistoryEntry {
    static func run(_ args: [String]) -> Int32 { CheckHistoryCommand.run(args) }
}
