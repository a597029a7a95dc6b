// The service half of a Raft-backed server (kvraft/server.go, shardctrler/server.go): a value
// that changes only by applying committed commands in log order, and that can be turned into a
// snapshot and rebuilt from one (Raft §7). `RaftHost` drives it; the service decides what a
// command does and what its client gets back.

/// A deterministic replicated state machine driven by a `RaftHost`.
public protocol RaftStateMachine: Hashable {
    /// One log entry's payload.
    associatedtype Command: RaftPayload
    /// The state as Raft stores and ships it (InstallSnapshot).
    associatedtype Snapshot: RaftPayload
    /// What applying a command hands back to the client that asked for it.
    associatedtype Output

    /// Applies a committed command. Called once per log index, in index order, on every
    /// replica: the result must depend only on the state and the command.
    mutating func apply(_ command: Command) -> Output
    /// The current state as a snapshot (taken right after an apply).
    func snapshot() -> Snapshot
    /// Replaces the state with `snapshot` (a restart, or an InstallSnapshot from the leader).
    mutating func restore(_ snapshot: Snapshot)
    /// The trace observation written when a snapshot from Raft replaces the state
    /// (default `install`).
    static var installEvent: String { get }

    /// Applies `command` like `apply`, checking the service's own rules (exactly-once,
    /// configuration and shard transitions) around it; the host reports a breach as a
    /// violation. Default: `apply`, no rules.
    mutating func applyChecked(_ command: Command) -> (output: Output, breach: ServiceRuleBreach?)

    /// Restores `snapshot` (an InstallSnapshot: newer than the state) like `restore`, checking
    /// the service's rules across it. Default: `restore`, no rules.
    mutating func restoreChecked(_ snapshot: Snapshot) -> ServiceRuleBreach?
}

extension RaftStateMachine {
    /// `install`.
    public static var installEvent: String { "install" }

    /// `apply`, no rules.
    public mutating func applyChecked(_ command: Command) -> (
        output: Output, breach: ServiceRuleBreach?
    ) {
        (apply(command), nil)
    }

    /// `restore`, no rules.
    public mutating func restoreChecked(_ snapshot: Snapshot) -> ServiceRuleBreach? {
        restore(snapshot)
        return nil
    }
}

/// A rule of a Raft-backed service broken by one apply or install: reported as the violation
/// `invariant` (e.g. `kv-rule:at-most-once`).
public struct ServiceRuleBreach: Hashable, Sendable {
    /// The violation's name, `<service>-rule:<rule>`.
    public var invariant: String
    /// What was seen, with the numbers, and the rule.
    public var message: String

    /// Creates a breach.
    public init(_ invariant: String, _ message: String) {
        self.invariant = invariant
        self.message = message
    }
}
