// The shard controller's nodes as the explorer fingerprints them (see DSimCore's
// `ExplorePath`). Left out: the links, the driver and the observer (shared objects,
// fingerprinted by the harness that owns them) and the Raft host's scratch batch.
import DSimCore
import Raft

extension CtrlerState: Fingerprintable {
    /// Every configuration, the whole duplicate table (in client order) and the planted
    /// bug's salt (`hash(into:)` only spreads states by configurations).
    public func fingerprint(into h: inout Hasher) {
        h.combine(configs)
        for client in lastApplied.keys.sorted() {
            h.combine(client)
            h.combine(lastApplied[client]!.seq)
            h.combine(lastApplied[client]!.config)
        }
        h.combine(bugOrderSalt)
    }
}

extension CtrlerNode: Fingerprintable {
    /// The server (its Raft host) or the clerk (every field, synthesized `Hashable`).
    public func fingerprint(into h: inout Hasher) {
        h.combine(server != nil)
        server?.host.fingerprint(into: &h)
        h.combine(clerk)
        h.combine(clerkIndex)
    }

    /// Fields the fingerprint leaves out on purpose, at any depth.
    public static let notFingerprinted: Set<String> = [
        "links", "driver", "observer", "ready", "isBooting", "roleLine",
    ]

    /// Tests only: every stored field but those left out on purpose, as text.
    public var testOnly_state: String {
        testOnly_stateText(self, excluding: CtrlerNode.notFingerprinted)
    }
}
