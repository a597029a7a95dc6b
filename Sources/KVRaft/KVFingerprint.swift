// The key/value service's nodes as the explorer fingerprints them (see DSimCore's
// `ExplorePath`). Left out: the links and the clerk's driver (shared objects, fingerprinted
// by the harness that owns them) and the Raft host's scratch batch.
import DSimCore
import Raft

extension KVStateMachine: Fingerprintable {
    /// The whole map and the whole duplicate table (their `Hashable` is order-independent;
    /// `hash(into:)` above only spreads states and hashes their sizes).
    public func fingerprint(into h: inout Hasher) {
        h.combine(data)
        h.combine(lastSeq)
        h.combine(bugs)
    }
}

extension KVClerk: Fingerprintable {
    /// The clerk's whole position in its protocol.
    public func fingerprint(into h: inout Hasher) {
        h.combine(index)
        h.combine(leader)
        h.combine(seq)
        h.combine(attempt)
        h.combine(refusals)
        h.combine(current)
        h.combine(sentAt)
        h.combine(isRetryArmed)
    }
}

extension KVNode: Fingerprintable {
    /// The server (its Raft host) or the clerk.
    public func fingerprint(into h: inout Hasher) {
        h.combine(server != nil)
        server?.host.fingerprint(into: &h)
        h.combine(clerk != nil)
        clerk?.fingerprint(into: &h)
    }

    /// Fields the fingerprint leaves out on purpose, at any depth.
    public static let notFingerprinted: Set<String> = [
        "links", "driver", "ready", "isBooting", "roleLine",
    ]

    /// Tests only: every stored field but those left out on purpose, as text.
    public var testOnly_state: String {
        testOnly_stateText(self, excluding: KVNode.notFingerprinted)
    }
}
