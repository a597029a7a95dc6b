// World fingerprints for the explorer (see `ExplorePath`). A fingerprint must cover everything
// a run's future depends on, and nothing that only names things (trace line numbers,
// incarnation and timer generation counters, sequence numbers): two prefixes that reach the
// same state are then expanded once. What is left out is said where it is left out.

/// A value that can feed the explorer's world fingerprint.
public protocol Fingerprintable {
    /// Feeds every part of the value that its future depends on into `h`.
    func fingerprint(into h: inout Hasher)
}

extension EventQueue {
    /// The pending payloads with their times, in the order they will run (sequence numbers
    /// themselves are left out: only the order they give matters).
    public func inRunOrder() -> [(time: VirtualTime, payload: Payload)] {
        heap.sorted { $0.precedes($1) }.map { ($0.time, $0.payload) }
    }
}

extension NetworkOptions: Fingerprintable {
    /// Every fault option.
    public func fingerprint(into h: inout Hasher) {
        h.combine(reliable)
        h.combine(delayMinNs)
        h.combine(delayMaxNs)
        h.combine(requestDropPerMille)
        h.combine(replyDropPerMille)
        h.combine(duplicatePerMille)
        h.combine(longReordering)
        h.combine(longDelays)
    }
}

extension SansIOSimulation
where Node: Fingerprintable, Node.Message: Hashable, Node.Durable: Hashable {
    /// The kernel's part of the world: the time, each node (up or down, its value, its saved
    /// state), who reaches whom, the fault options, and every pending event that can still
    /// have an effect. Messages to or from an earlier incarnation and disarmed timers are left
    /// out (they are dropped on arrival whatever happens), and so are the incarnation and timer
    /// generation counters that tell them apart, the traffic counters (no explored scenario
    /// checks them) and the run guard's counts.
    public func fingerprint(into h: inout Hasher) {
        h.combine(now)
        for i in nodes.indices {
            h.combine(alive[i])
            if let n = nodes[i] { n.fingerprint(into: &h) }
            h.combine(persisters[i].state)
        }
        h.combine(connectivity.connected)
        h.combine(connectivity.group)
        network.fingerprint(into: &h)
        for (time, event) in queue.inRunOrder() {
            switch event {
            case .deliver(let from, let to, let toInc, let fromInc, let m):
                let stale =
                    incarnation[Int(to)] != toInc
                    || (m.isReply && incarnation[Int(from)] != fromInc)
                if stale { continue }
                h.combine(time)
                h.combine(0 as UInt8)
                h.combine(from)
                h.combine(to)
                h.combine(m)
            case .timer(let node, let key, let generation, let inc):
                let i = Int(node)
                guard incarnation[i] == inc, alive[i],
                    timerGeneration[i][Int(key)] == generation
                else { continue }
                h.combine(time)
                h.combine(1 as UInt8)
                h.combine(node)
                h.combine(key)
            }
        }
    }
}
