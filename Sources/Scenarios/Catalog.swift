// The list of systems the command line offers, in the order `dsim list` prints them.
import DSimCore

/// Every system DSim ships.
public enum Catalog {
    /// All systems, in a fixed order.
    public static let systems: [SystemEntry] = [
        RaftSystem.entry, KVRaftSystem.entry, ShardCtrlerSystem.entry, ShardKVSystem.entry,
        MapReduceSystem.entry, WeatherSystem.entry, BankSystem.entry,
    ]

    /// The system called `name`, if any.
    public static func system(_ name: String) -> SystemEntry? {
        systems.first { $0.name == name }
    }
}
