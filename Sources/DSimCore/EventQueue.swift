// A binary min-heap of events ordered by (virtual time, sequence number). The sequence number
// is assigned at insertion and breaks ties, so two events due at the same instant run in the
// order they were scheduled: never in hash order, never in allocation order.

/// Virtual time in nanoseconds since the start of a run.
public typealias VirtualTime = Int64

/// Virtual-time unit helpers (integers only).
public enum Duration {
    /// Nanoseconds in one microsecond.
    public static let microsecond: VirtualTime = 1_000
    /// Nanoseconds in one millisecond.
    public static let millisecond: VirtualTime = 1_000_000
    /// Nanoseconds in one second.
    public static let second: VirtualTime = 1_000_000_000
}

/// Renders a virtual time as seconds with millisecond precision, e.g. `1.250s`.
public func formatTime(_ t: VirtualTime) -> String {
    let ms = t / Duration.millisecond
    let whole = ms / 1000
    let frac = ms % 1000
    let fracText = String(frac)
    return "\(whole)." + String(repeating: "0", count: 3 - fracText.count) + fracText + "s"
}

/// A min-heap of payloads keyed by (time, sequence).
public struct EventQueue<Payload> {
    @usableFromInline struct Entry {
        @usableFromInline var time: VirtualTime
        @usableFromInline var seq: UInt64
        @usableFromInline var payload: Payload
        @inlinable init(time: VirtualTime, seq: UInt64, payload: Payload) {
            self.time = time
            self.seq = seq
            self.payload = payload
        }
        @inlinable @inline(__always)
        func precedes(_ o: Entry) -> Bool {
            time < o.time || (time == o.time && seq < o.seq)
        }
    }

    @usableFromInline var heap: [Entry] = []
    @usableFromInline var nextSeq: UInt64 = 0

    /// An empty queue.
    public init() { heap.reserveCapacity(256) }

    /// Number of pending events.
    public var count: Int { heap.count }
    /// True when nothing is pending.
    public var isEmpty: Bool { heap.isEmpty }
    /// The time of the earliest event, if any.
    public var nextTime: VirtualTime? { heap.first?.time }

    /// Schedules `payload` at `time`.
    @inlinable
    public mutating func push(_ payload: Payload, at time: VirtualTime) {
        insert(Entry(time: time, seq: nextSeq, payload: payload))
        nextSeq &+= 1
    }

    /// Adds an entry with its own sequence number and sifts it up to its place (`push`, and
    /// PCT putting back the ready events it did not pick).
    @inlinable @inline(__always)
    mutating func insert(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if heap[i].precedes(heap[parent]) {
                heap.swapAt(i, parent)
                i = parent
            } else {
                break
            }
        }
    }

    /// Removes and returns the earliest event.
    @inlinable
    public mutating func pop() -> (time: VirtualTime, payload: Payload)? {
        guard !heap.isEmpty else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return (last.time, last.payload) }
        let top = heap[0]
        heap[0] = last
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var m = l
            let r = l + 1
            if r < n && heap[r].precedes(heap[l]) { m = r }
            if heap[m].precedes(heap[i]) {
                heap.swapAt(i, m)
                i = m
            } else {
                break
            }
        }
        return (top.time, top.payload)
    }

    /// Drops every pending event.
    public mutating func removeAll() { heap.removeAll(keepingCapacity: true) }
}
