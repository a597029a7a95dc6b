// Go-style channels for async processes: buffered or unbuffered (capacity 0: a send waits for a
// receiver), close, and `select` over receive and send cases with an optional timeout. Waiting
// senders and receivers are queued in arrival order; a `select` registers on several channels
// and the first case to complete fires its parker, so stale registrations are skipped (and
// compacted) later. When several cases are ready at once the winner is drawn through `Choices`,
// as Go picks at random.

/// A channel of `T` between tasks of one simulation.
public final class SimChannel<T> {
    struct Receiver {
        let deliver: (T?) -> Bool  // nil = closed; false if the waiter already fired elsewhere
        let isLive: () -> Bool
    }
    struct Sender {
        let value: T
        let claim: () -> Bool  // completes the sender; false if it already fired elsewhere
        let isLive: () -> Bool
    }

    unowned let sim: AsyncSimulation
    /// Buffer capacity (0 = unbuffered).
    public let capacity: Int
    /// A name for deadlock reports.
    public let name: String
    var buffer: [T] = []
    var head = 0
    var receivers: [Receiver] = []
    var senders: [Sender] = []
    /// True once closed.
    public private(set) var isClosed = false

    /// A channel with `capacity` buffered slots.
    public init(_ sim: AsyncSimulation, capacity: Int = 0, name: String = "chan") {
        self.sim = sim
        self.capacity = capacity
        self.name = name
    }

    /// Number of buffered values.
    public var count: Int { buffer.count - head }

    /// Sends `value`, waiting while the channel is full (or, unbuffered, for a receiver).
    /// Sending on a closed channel is a programming error, as in Go.
    public func send(_ value: T) async throws {
        try await sim.park("send on \(self.name)") { (p: Parker<Void>) in
            if !trySend(value) {
                senders.append(
                    Sender(
                        value: value, claim: { p.fire(.success(())) }, isLive: { !p.isDone }))
            } else {
                p.fire(.success(()))
            }
        }
    }

    /// Receives a value, waiting until one is available; nil once closed and drained.
    public func receive() async throws -> T? {
        try await sim.park("receive on \(self.name)") { (p: Parker<T?>) in
            if let v = tryReceive() {
                p.fire(.success(v))
            } else {
                receivers.append(
                    Receiver(deliver: { p.fire(.success($0)) }, isLive: { !p.isDone }))
            }
        }
    }

    /// Closes the channel: waiting receivers get nil.
    public func close() {
        precondition(!isClosed, "close of closed channel \(name)")
        isClosed = true
        let waiting = receivers
        receivers = []
        for r in waiting { _ = r.deliver(nil) }
    }

    /// Completes a send without waiting if a receiver or buffer space is available.
    func trySend(_ value: T) -> Bool {
        precondition(!isClosed, "send on closed channel \(name)")
        while !receivers.isEmpty {
            let r = receivers.removeFirst()
            if r.deliver(value) { return true }
        }
        if count < capacity {
            buffer.append(value)
            return true
        }
        return false
    }

    /// Takes a value without waiting: `.some(v)` a value, `.some(nil)` closed, nil none.
    func tryReceive() -> T?? {
        if head < buffer.count {
            let v = buffer[head]
            head += 1
            if head > 32 && head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            refillFromSenders()
            return .some(v)
        }
        while !senders.isEmpty {
            let s = senders.removeFirst()
            if s.claim() { return .some(s.value) }
        }
        if isClosed { return .some(nil) }
        return nil
    }

    private func refillFromSenders() {
        while count < capacity, !senders.isEmpty {
            let s = senders.removeFirst()
            if s.claim() { buffer.append(s.value) }
        }
    }

    /// True when a receive would not wait.
    var canReceive: Bool {
        if count > 0 || isClosed { return true }
        return senders.contains { $0.isLive() }
    }

    /// True when a send would not wait.
    var canSend: Bool { count < capacity || receivers.contains { $0.isLive() } }

    func compact() {
        if receivers.count > 16 { receivers.removeAll { !$0.isLive() } }
        if senders.count > 16 { senders.removeAll { !$0.isLive() } }
    }
}

/// One case of a `select`.
public struct SelectCase<Result> {
    let isReady: () -> Bool
    let complete: () -> Result?  // performs the ready operation
    let register: (Parker<Result>) -> Void

    /// Receives from `channel`; `then` maps the value (nil = closed) to the select's result.
    public static func receive<T>(_ channel: SimChannel<T>, _ then: @escaping (T?) -> Result)
        -> SelectCase
    {
        SelectCase(
            isReady: { channel.canReceive },
            complete: { channel.tryReceive().map(then) },
            register: { p in
                channel.compact()
                channel.receivers.append(
                    SimChannel<T>.Receiver(
                        deliver: { p.fire(.success(then($0))) }, isLive: { !p.isDone }))
            })
    }

    /// Sends `value` on `channel`; the select's result is `result` when the send happens.
    public static func send<T>(_ channel: SimChannel<T>, _ value: T, _ result: Result)
        -> SelectCase
    {
        SelectCase(
            isReady: { channel.canSend },
            complete: { channel.trySend(value) ? result : nil },
            register: { p in
                channel.compact()
                channel.senders.append(
                    SimChannel<T>.Sender(
                        value: value, claim: { p.fire(.success(result)) }, isLive: { !p.isDone }))
            })
    }
}

extension AsyncSimulation {
    /// Go's `select`: waits until one case can proceed and performs it, or until `timeout`
    /// passes (then returns `onTimeout`). Ready cases are chosen among at random via `Choices`.
    public func select<Result>(
        _ cases: [SelectCase<Result>], timeout: VirtualTime? = nil, onTimeout: Result? = nil
    ) async throws -> Result {
        try await park("select over \(cases.count) cases") { (p: Parker<Result>) in
            let readyIndices = cases.indices.filter { cases[$0].isReady() }
            if !readyIndices.isEmpty {
                let pick = readyIndices[choices.below(readyIndices.count, "select.case")]
                if let r = cases[pick].complete() {
                    p.fire(.success(r))
                    return
                }
            }
            for c in cases { c.register(p) }
            if let t = timeout, let r = onTimeout {
                timers.push({ p.fire(.success(r)) }, at: now + max(0, t))
            }
        }
    }
}
