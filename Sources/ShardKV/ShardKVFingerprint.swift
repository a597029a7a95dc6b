// The shardkv nodes as the explorer fingerprints them (see DSimCore's `ExplorePath`). Left
// out: the shared references (the server directory, fixed once built, and the clerks' driver,
// fingerprinted by the harness that owns it), the Raft hosts' scratch batch and boot flag
// (empty and false between kernel steps) and their trace role line.
import DSimCore
import Raft
import ShardCtrler

extension ShardGroupState: Fingerprintable {
    /// Every field (synthesized `Hashable`): the configuration and the one before it, and each
    /// shard's status, data and duplicate table (pending pulls are the `pulling` shards).
    public func fingerprint(into h: inout Hasher) { h.combine(self) }
}

extension ShardKVServer: Fingerprintable {
    /// The Raft host (with the group state), the gid, the duty round (it picks the server a
    /// pull asks) and the term of the last no-op.
    public func fingerprint(into h: inout Hasher) {
        host.fingerprint(into: &h)
        h.combine(gid)
        h.combine(round)
        h.combine(noopTerm)
        h.combine(pollNs)
    }
}

extension ShardKVClerk: Fingerprintable {
    /// The clerk's whole position in its protocol (`==` compares every field but the shared
    /// references; the retry interval is fixed per clerk but included, a knob may vary it).
    public func fingerprint(into h: inout Hasher) {
        h.combine(self)
        h.combine(config)
        h.combine(leaderOf)
        h.combine(current)
        h.combine(target.gid)
        h.combine(target.server)
        h.combine(target.tried)
        h.combine(sentAt)
        h.combine(isRetryArmed)
        h.combine(isSleeping)
        h.combine(isWaitingForConfig)
        h.combine(clientId)
        h.combine(retryNs)
    }
}

extension ShardKVNode: Fingerprintable {
    /// Whichever components the node runs: a controller server (its host, with the
    /// configurations and duplicate table, and its planted bugs), a group server, a clerk, the
    /// embedded controller clerk (synthesized `Hashable`: every field) and the last
    /// configuration it returned.
    public func fingerprint(into h: inout Hasher) {
        h.combine(ctrlerServer != nil)
        if let c = ctrlerServer {
            c.host.fingerprint(into: &h)
            h.combine(c.bugs)
        }
        h.combine(server != nil)
        server?.fingerprint(into: &h)
        h.combine(clerk != nil)
        clerk?.fingerprint(into: &h)
        h.combine(ctrlerClerk)
        h.combine(lastConfig)
    }

    /// Fields the fingerprint leaves out on purpose, at any depth.
    public static let notFingerprinted: Set<String> = [
        "directory", "driver", "ready", "isBooting", "roleLine",
    ]

    /// Tests only: every stored field but those left out on purpose, as text.
    public var testOnly_state: String {
        testOnly_stateText(self, excluding: ShardKVNode.notFingerprinted)
    }
}
