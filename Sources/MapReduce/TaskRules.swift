// The coordinator's task rules (the lab's mr/coordinator.go), checked by a shadow model of every
// task as the coordinator hands tasks out and hears them done, and reported as
// `mr-rule:<name>` citing the trace line of the step:
//
//   idle ──issue──▶ in-progress ──done──▶ completed
//   in-progress ──issue, only after taskTimeoutNs──▶ in-progress (a reissue)
//
//   reissue-after-timeout      a task in progress is handed out again only after the timeout
//   reduce-after-all-maps      no reduce task is handed out before every map is completed
//   completed-never-regresses  a completed task is never handed out again
//   done-after-issue           a task is reported done only after it was handed out
//   job-done-when-all-complete the job is done only when every task is completed
//
// The model keeps its own state (not the coordinator's), so a coordinator that forgets or
// rewrites its own bookkeeping is caught at the step that shows it.
import DSimCore

/// Shadow state of the coordinator's tasks, checking each transition.
public final class TaskRules {
    enum Phase: Equatable {
        case idle
        case inProgress(since: VirtualTime)
        case completed
    }

    private var maps: [Phase]
    private var reduces: [Phase]
    private let timeoutNs: VirtualTime
    /// Called with the first breach (the harness stops the run there).
    public var onBreach: ((Violation) -> Void)?
    /// The first breach seen.
    public private(set) var breach: Violation?

    /// A model of `maps` map tasks and `reduces` reduce tasks, reissued after `timeoutNs`.
    public init(maps: Int, reduces: Int, timeoutNs: VirtualTime) {
        self.maps = Array(repeating: .idle, count: maps)
        self.reduces = Array(repeating: .idle, count: reduces)
        self.timeoutNs = timeoutNs
    }

    private func fail(_ rule: String, _ detail: String, _ line: TraceLine) {
        guard breach == nil else { return }
        let v = Violation("mr-rule:" + rule, detail, events: [line])
        breach = v
        onBreach?(v)
    }

    /// The coordinator handed out task `index` of `kind` at `now` (trace line `line`).
    public func issued(_ kind: TaskKind, _ index: Int, now: VirtualTime, line: TraceLine) {
        let phase = kind == .map ? maps[index] : reduces[index]
        let name = "\(kind.rawValue) task \(index)"
        switch phase {
        case .completed:
            fail("completed-never-regresses", "\(name) handed out again after it completed", line)
        case .inProgress(let since) where now - since < timeoutNs:
            fail(
                "reissue-after-timeout",
                "\(name) handed out again \(formatTime(now - since)) after the last time "
                    + "(timeout \(formatTime(timeoutNs)))", line)
        default: break
        }
        if kind == .reduce, let m = maps.firstIndex(where: { $0 != .completed }) {
            fail("reduce-after-all-maps", "\(name) handed out before map task \(m) completed", line)
        }
        if kind == .map {
            maps[index] = .inProgress(since: now)
        } else {
            reduces[index] = .inProgress(since: now)
        }
    }

    /// Task `index` of `kind` was reported done (trace line `line`: the report's delivery).
    public func reportedDone(_ kind: TaskKind, _ index: Int, line: TraceLine) {
        let phase = kind == .map ? maps[index] : reduces[index]
        if phase == .idle {
            fail(
                "done-after-issue", "\(kind.rawValue) task \(index) done but never handed out", line
            )
        }
        if kind == .map { maps[index] = .completed } else { reduces[index] = .completed }
    }

    /// The coordinator declared the job done.
    public func jobDone(line: TraceLine) {
        let all = maps.allSatisfy { $0 == .completed } && reduces.allSatisfy { $0 == .completed }
        if !all { fail("job-done-when-all-complete", "job done with tasks not completed", line) }
    }

    /// A report of a kind that is not a task (wait, exit).
    public func reportedNonTask(_ kind: TaskKind, line: TraceLine) {
        fail("done-after-issue", "a \(kind.rawValue) reply was reported done", line)
    }
}
