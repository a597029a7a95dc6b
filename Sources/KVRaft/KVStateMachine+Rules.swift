// The key/value service's exactly-once rules (kvraft), checked around every apply and install
// by `RaftHost` and reported as `kv-rule:<name>`:
//
//   at-most-once         a Put/Append whose (client, seq) the duplicate table already holds
//                        changes no value
//   dup-table-monotone   a client's entry in the duplicate table never goes back, neither by an
//                        apply nor by installing a (newer) snapshot
//
// What is captured before a step is a few integers, plus the key's value only for a duplicate
// (which must not change, so holding a copy costs nothing).
import Raft

extension KVStateMachine {
    /// `apply`, with the exactly-once rules checked.
    public mutating func applyChecked(_ cmd: KVCommand) -> (
        output: String, breach: ServiceRuleBreach?
    ) {
        let op = cmd.operation
        let seqBefore = lastSeq[cmd.clientId] ?? 0
        let isDuplicate = op.op != .get && seqBefore >= cmd.seq
        let valueBefore = isDuplicate ? data[op.key] : nil
        let output = apply(cmd)
        let seqAfter = lastSeq[cmd.clientId] ?? 0
        if seqAfter < seqBefore {
            return (
                output, Self.breach("dup-table-monotone", client: cmd.clientId, seqBefore, seqAfter)
            )
        }
        if isDuplicate, data[op.key] != valueBefore {
            return (
                output,
                ServiceRuleBreach(
                    "kv-rule:at-most-once",
                    "\(op.op.name)(\(op.key)) of client \(cmd.clientId) seq \(cmd.seq) applied "
                        + "again after seq \(seqBefore) — a request is applied at most once")
            )
        }
        return (output, nil)
    }

    /// `restore`, with the duplicate table checked not to go back for any client.
    public mutating func restoreChecked(_ s: KVSnapshot) -> ServiceRuleBreach? {
        let before = lastSeq
        restore(s)
        // Clients in ascending order, so the breach reported is the same on every run.
        for client in before.keys.sorted() {
            let now = lastSeq[client] ?? 0
            if now < before[client]! {
                return Self.breach("dup-table-monotone", client: client, before[client]!, now)
            }
        }
        return nil
    }

    static func breach(_ rule: String, client: Int, _ before: Int, _ after: Int)
        -> ServiceRuleBreach
    {
        ServiceRuleBreach(
            "kv-rule:" + rule,
            "client \(client)'s last applied seq went from \(before) to \(after) — the "
                + "duplicate table never goes back for a client")
    }
}
