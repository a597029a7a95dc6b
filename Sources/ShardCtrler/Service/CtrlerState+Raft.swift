// The controller's state machine as Raft replicates it: a `CtrlerCommand` is one log entry, and
// the whole `CtrlerState` (every configuration plus the duplicate table) is the snapshot. A
// replica restoring a snapshot keeps its own planted-bug salt: the salt models how this
// server's Go map iteration order differs from the others', not part of the replicated state.
import Raft

extension CtrlerCommand: RaftPayload {
    /// Approximate gob size: client, seq and the operation.
    public var sizeBytes: Int { 16 + op.sizeBytes }
}

extension CtrlerState: RaftPayload, RaftStateMachine {
    /// A Query's configuration; nil for Join, Leave and Move.
    public typealias Output = ShardConfig?

    /// `ctrlerInstall`.
    public static var installEvent: String { "ctrlerInstall" }

    /// The state itself (a value: copying it shares its arrays until one side changes).
    public func snapshot() -> CtrlerState { self }

    /// Adopts a snapshot's configurations and duplicate table, keeping this replica's salt.
    public mutating func restore(_ snapshot: CtrlerState) {
        let salt = bugOrderSalt
        self = snapshot
        bugOrderSalt = salt
    }
}
