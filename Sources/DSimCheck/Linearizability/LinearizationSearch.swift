// The search: Wing & Gong's algorithm with Lowe's memoization, as in Porcupine.
//
// A history is linearizable if its operations can be put in one sequence that (a) respects real
// time — if A returned before B was called, A comes first — and (b) the model accepts, each
// operation seeing the state its predecessors left. We look for such a sequence by depth-first
// search over "which operation takes effect next".
//
// Events. Every operation contributes a call event and a return event. Sorted by time (calls
// before returns at equal times, because intervals are closed; a pending operation returns at
// +infinity) they form a doubly linked list. An operation may be linearized next exactly when its
// call comes before the first return still in the list: the first return belongs to an operation
// that must take effect before anything called after it.
//
// The loop. Walk the list from the head. At a call event, try its operation: if the model
// accepts it from the current state, push (event, state) on a stack, unlink ("lift") its call and
// return events, and restart from the head. At a return event no remaining candidate worked, so
// backtrack: pop the last operation, relink its events, restore the state, and continue with the
// event after its call. The list empties exactly when every operation is linearized; the stack
// empties at a return event exactly when no order exists.
//
// Forced reads (a partial-order reduction of ours, not in Porcupine). An operation that never
// changes the state (a get, a read) and fits the current state can always be linearized next:
// given any complete linearization from here, moving it to the front keeps every state the same
// and breaks no real-time order (it is a candidate, so nothing unlinearized returned before its
// call). So on reaching a configuration the search first sweeps the candidates for such a read
// and, if one fits, takes it as the only branch; if that branch fails, the configuration fails.
// Only when no read fits does the main pass try the other operations.
//
// Memoization (Lowe). A configuration is (set of linearized operations, model state). What can
// follow depends only on it, so a configuration reached twice is skipped the second time. The set
// is a bitset with an incrementally maintained Zobrist hash (`SearchCache`); model states are
// interned to integers (`ModelStepper`, reached through the `Stepping` closures), and recent
// (state, operation) answers are kept in a small `TransitionMemo`, so repeated steps (the rule
// when states are few, as in a register) skip the model and the inner loop is a few array reads
// and one or two hash probes. This file is not generic: it compiles once, fully optimized.
//
// Order. Among the calls between two returns, the search tries the earliest deadline (return)
// first; that changes which linearization is found first, never whether one exists.
//
// Explanation. The deepest stack seen before a backtrack is the longest linearizable prefix;
// `Explanation` shows it and the operations that could not follow.
//
// Limits. The search runs in slices of iterations (`run(iterationsMax:limits:)`) and can resume,
// which lets the checker advance many partitions in deterministic rounds. Every `checkInterval`
// iterations it checks its limits. Over its memory share it first degrades: it empties the
// configuration cache (sound: the cache only prunes repeated work) and continues; it stops only
// when the rest of its memory alone is over the share, or the deadline has passed. Stopping
// yields `stopped`, which the checker reports as unknown — never linearizable.

/// Why a search stopped before deciding.
enum SearchStop: Equatable {
    /// The wall-clock budget ran out.
    case timeout
    /// Even with the configuration cache emptied, the search's memory (model states, event
    /// lists, step memo) exceeded its share of the budget.
    case memory(bytes: Int, limitBytes: Int)
    /// The iteration budget (`CheckOptions.iterationsMax`) ran out.
    case iterations(Int)
}

/// When a search must give up.
struct SearchLimits {
    /// Stop when the clock passes this instant; nil for no limit.
    var deadline: ContinuousClock.Instant?
    /// The most bytes this search may hold (its share of the check's budget). Past it the
    /// search empties its configuration cache and goes on; it stops only when what remains
    /// is still too much.
    var cacheBytesMax: Int

    /// True if the clock has passed the deadline.
    var isPastDeadline: Bool {
        guard let deadline else { return false }
        return ContinuousClock.now >= deadline
    }
}

/// The outcome of (a slice of) one partition's search. Operations are the partition's local
/// indices.
enum SearchOutcome: Equatable {
    /// A linearization, in order.
    case linearizable(order: [Int32])
    /// No linearization; the longest linearizable prefix found, in order.
    case illegal(longestPrefix: [Int32])
    /// Gave up.
    case stopped(SearchStop)
    /// The slice's iterations ran out; `run` again to continue.
    case paused
}

/// Depth-first search for a linearization of one partition's operations.
struct LinearizationSearch {
    /// The search's only view of the model, over interned state ids (0 = initial state).
    struct Stepping {
        /// The state after an operation in a state, or -1 if the model rejects it.
        let step: (_ state: Int32, _ operation: Int32) -> Int32
        /// Approximate bytes the interned states hold.
        let stateBytes: () -> Int
        /// Forgets every state but the initial one and these; returns their new ids.
        let compact: (_ keep: [Int32]) -> [Int32]
    }

    /// Iterations between limit checks (a power of two).
    static var checkInterval: Int { 4096 }

    private let stepping: Stepping
    private var memo: TransitionMemo
    private var cache: SearchCache
    // Event list: index 0 is the head sentinel, 1...2n are events, 2n+1 is the tail sentinel.
    private var next: [Int32]
    private var prev: [Int32]
    private let eventOperation: [Int32]
    /// For a call event, its return event; 0 for a return event (and the sentinels).
    private let eventMatch: [Int32]
    private let tail: Int32
    // Where the search is: the current state and the next event to look at.
    private var state: Int32 = 0
    private var event: Int32 = 1
    /// Loop iterations so far, over all slices.
    private(set) var iterations = 0
    // The stack of linearized operations: their call events, the state before each, and
    // whether a sweep forced it (see `run`).
    private var stackEvents: [Int32] = []
    private var stackStates: [Int32] = []
    private var stackIsForced: [Bool] = []
    /// Per operation: the model's `isReadOnly` for its input.
    private let isReadOnly: [Bool]
    /// True while sweeping the candidates for a read-only operation to force.
    private var isSweeping = true
    // The longest prefix recorded so far, and how many of its leading operations the current
    // stack shares (Invariant: stack[0..<agreement] == longest[0..<agreement]).
    private var longest: [Int32] = []
    private var agreement = 0

    /// Configurations explored so far (counting those the cache later forgot).
    var configurationCount: Int { cache.insertedCount }

    /// Times the configuration cache was emptied to stay within the memory share.
    var evictionCount: Int { cache.evictionCount }

    /// Bytes held: the caches, the interned model states, the event lists and the stack.
    var byteCount: Int { cache.byteCount + otherByteCount }

    /// The most bytes held at once so far (cache growth moments included), as of the last
    /// limit check.
    var bytesPeak: Int { max(cache.bytesPeak, byteCount) }

    /// Bytes held outside the configuration cache, which eviction cannot free.
    private var otherByteCount: Int {
        memo.byteCount + stepping.stateBytes() + (next.count + prev.count) * 4
            + (eventOperation.count + eventMatch.count) * 4
            + grownCapacity(stackEvents.count) * 9 + grownCapacity(longest.count) * 4
            + isReadOnly.count
    }

    /// A search over operations with these call and return times (nil = pending) and
    /// read-only flags, whose inputs and outputs `stepping` steps under the same indices.
    init(callTimes: [Int], returnTimes: [Int?], isReadOnly: [Bool], stepping: Stepping) {
        let count = callTimes.count
        precondition(returnTimes.count == count, "\(count) calls, \(returnTimes.count) returns")
        precondition(isReadOnly.count == count, "\(count) calls, \(isReadOnly.count) flags")
        self.isReadOnly = isReadOnly
        precondition(count < Int(Int32.max) / 2 - 2, "too many operations: \(count)")
        self.stepping = stepping
        cache = SearchCache(operationCount: count)
        memo = TransitionMemo(operationCount: count)
        let events = Self.sortedEvents(callTimes: callTimes, returnTimes: returnTimes)
        var eventOperation = [Int32](repeating: -1, count: 2 * count + 2)
        var eventMatch = [Int32](repeating: 0, count: 2 * count + 2)
        var returnEvent = [Int32](repeating: 0, count: count)
        for (position, event) in events.enumerated() {
            eventOperation[position + 1] = event.operation
            if !event.isCall { returnEvent[Int(event.operation)] = Int32(position + 1) }
        }
        for (position, event) in events.enumerated() where event.isCall {
            eventMatch[position + 1] = returnEvent[Int(event.operation)]
        }
        self.eventOperation = eventOperation
        self.eventMatch = eventMatch
        tail = Int32(2 * count + 1)
        next = (0..<Int32(2 * count + 2)).map { $0 + 1 }
        prev = (0..<Int32(2 * count + 2)).map { $0 - 1 }
    }

    /// Call and return events in list order: by time, calls before returns at equal times.
    /// Then each run of consecutive calls is reordered by return time (then operation index):
    /// which operations are candidates depends only on which runs precede the first remaining
    /// return, so this changes nothing but the order the search tries candidates in — earliest
    /// deadline first, which finds linearizations of real histories with far less
    /// backtracking than call order.
    private static func sortedEvents(callTimes: [Int], returnTimes: [Int?])
        -> [(operation: Int32, isCall: Bool)]
    {
        var keys: [(time: Int, kind: Int, operation: Int32)] = []
        keys.reserveCapacity(2 * callTimes.count)
        for index in callTimes.indices {
            keys.append((callTimes[index], 0, Int32(index)))
            keys.append((returnTimes[index] ?? Int.max, 1, Int32(index)))
        }
        keys.sort { ($0.time, $0.kind, $0.operation) < ($1.time, $1.kind, $1.operation) }
        var runStart = 0
        for position in 0...keys.count where position == keys.count || keys[position].kind == 1 {
            keys[runStart..<position].sort {
                let left = returnTimes[Int($0.operation)] ?? Int.max
                let right = returnTimes[Int($1.operation)] ?? Int.max
                return (left, $0.operation) < (right, $1.operation)
            }
            runStart = position + 1
        }
        return keys.map { ($0.operation, $0.kind == 0) }
    }

    /// Runs the search until it decides, `limits` stop it, or `iterations` reaches
    /// `iterationsMax` (then `paused`; call again with a higher maximum to continue).
    mutating func run(iterationsMax: Int, limits: SearchLimits) -> SearchOutcome {
        cache.externalBytes = otherByteCount
        cache.bytesMax = limits.cacheBytesMax - cache.externalBytes
        while event != tail {
            if iterations >= iterationsMax { return .paused }
            iterations += 1
            if iterations & (Self.checkInterval - 1) == 0, let stop = checkLimits(limits) {
                return .stopped(stop)
            }
            let match = eventMatch[Int(event)]
            if match == 0 {  // a return event: this pass over the candidates is over
                if isSweeping {
                    isSweeping = false
                    event = next[0]
                } else if !backtrack() {
                    return .illegal(longestPrefix: longest)
                }
                continue
            }
            let operation = eventOperation[Int(event)]
            // Sweeps try only read-only operations, the main pass only the others.
            let after = isReadOnly[Int(operation)] == isSweeping ? step(operation) : -1
            if after < 0 {
                event = next[Int(event)]
            } else if cache.insertSettingBit(Int(operation), state: after) {
                push(event: event, state: state, isForced: isSweeping)
                state = after
                lift(event, match)
                event = next[0]
                isSweeping = true
            } else if !isSweeping {
                event = next[Int(event)]
            } else if !backtrack() {  // the forced read's configuration already failed
                return .illegal(longestPrefix: longest)
            }
        }
        return .linearizable(order: stackEvents.map { eventOperation[Int($0)] })
    }

    /// Why to stop now, if at all; over the memory share, empties the cache first.
    private mutating func checkLimits(_ limits: SearchLimits) -> SearchStop? {
        if limits.isPastDeadline { return .timeout }
        cache.externalBytes = otherByteCount
        cache.bytesMax = limits.cacheBytesMax - cache.externalBytes
        cache.notePeak()
        guard byteCount > limits.cacheBytesMax else { return nil }
        evict()
        guard byteCount > limits.cacheBytesMax else { return nil }
        return .memory(bytes: byteCount, limitBytes: limits.cacheBytesMax)
    }

    /// Forgets every configuration, every remembered step and every model state the current
    /// path does not use. Sound: the search will only redo work.
    private mutating func evict() {
        cache.evictAll()
        memo = TransitionMemo(operationCount: isReadOnly.count)
        let renumbered = stepping.compact(stackStates + [state])
        stackStates = Array(renumbered.dropLast())
        state = renumbered[renumbered.count - 1]
    }

    /// The state after `operation` from the current state (remembered), or -1.
    private mutating func step(_ operation: Int32) -> Int32 {
        let key = TransitionMemo.key(state: state, operation: operation)
        if let known = memo.lookup(key) { return known }
        let answer = stepping.step(state, operation)
        memo.store(key, answer)
        return answer
    }

    private mutating func push(event: Int32, state: Int32, isForced: Bool) {
        let depth = stackEvents.count
        if agreement == depth && depth < longest.count
            && longest[depth] == eventOperation[Int(event)]
        {
            agreement = depth + 1
        }
        stackEvents.append(event)
        stackStates.append(state)
        stackIsForced.append(isForced)
    }

    /// Undoes the last linearized operation and moves to the event after its call, in the main
    /// pass. A configuration whose forced read failed has failed itself, so undoing a forced
    /// read undoes the operation before it too. False when there is nothing left to undo (the
    /// partition is illegal).
    private mutating func backtrack() -> Bool {
        recordLongestPrefix()
        var isForced = true
        while isForced {
            guard let callEvent = stackEvents.popLast(), let before = stackStates.popLast(),
                let wasForced = stackIsForced.popLast()
            else { return false }
            agreement = min(agreement, stackEvents.count)
            state = before
            cache.clearBit(Int(eventOperation[Int(callEvent)]))
            unlift(callEvent, eventMatch[Int(callEvent)])
            event = next[Int(callEvent)]
            isForced = wasForced
        }
        isSweeping = false
        return true
    }

    /// At a dead end: if the stack is deeper than the longest prefix so far, it becomes it.
    /// Only the part that differs is copied.
    private mutating func recordLongestPrefix() {
        guard stackEvents.count > longest.count else { return }
        longest.removeSubrange(agreement...)
        for event in stackEvents[agreement...] { longest.append(eventOperation[Int(event)]) }
        agreement = stackEvents.count
    }

    /// Unlinks a call event and its return event.
    private mutating func lift(_ call: Int32, _ match: Int32) {
        unlink(call)
        unlink(match)
    }

    /// Relinks what `lift` unlinked, in reverse order (the events kept their own links).
    private mutating func unlift(_ call: Int32, _ match: Int32) {
        relink(match)
        relink(call)
    }

    private mutating func unlink(_ event: Int32) {
        let before = prev[Int(event)]
        let after = next[Int(event)]
        next[Int(before)] = after
        prev[Int(after)] = before
    }

    private mutating func relink(_ event: Int32) {
        next[Int(prev[Int(event)])] = event
        prev[Int(next[Int(event)])] = event
    }
}

/// The capacity an array that grew by doubling has for `count` elements. Memory figures use it
/// rather than `Array.capacity`, which follows malloc's usable sizes: those vary with the heap's
/// history, and a figure that decides evictions must be the same on every run.
func grownCapacity(_ count: Int) -> Int {
    var capacity = 1
    while capacity < count { capacity *= 2 }
    return capacity
}
