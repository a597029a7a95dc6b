// A campaign: one scenario over a range of seeds, `jobs` seeds at a time on separate threads.
// Each seed's run is single-threaded and self-contained (its own simulation, choices and
// trace), so running seeds in parallel changes nothing about any one of them; results are
// reported in seed order whatever order the threads finish in.
import DSimCore
import Foundation

/// The result of one seed of a campaign.
public struct SeedOutcome {
    /// The seed.
    public var seed: UInt64
    /// Its verdict.
    public var verdict: Verdict
    /// Trace lines the run counted (a size measure).
    public var lineCount: Int
    /// Virtual time the run took.
    public var virtualTime: VirtualTime
}

/// Progress of a running campaign.
public struct CampaignProgress {
    /// Seeds finished.
    public var done: Int
    /// Seeds in all.
    public var total: Int
    /// Violations so far.
    public var violations: Int
    /// Unknown verdicts so far.
    public var unknowns: Int
}

/// Runs a scenario over many seeds.
public enum Campaign {
    /// Runs seeds `first ..< first + count` of `template` (its seed is ignored) on `jobs`
    /// threads. `progress` is called from worker threads, serialized. With `stopAtFirst`, seeds
    /// after the first violation found may be skipped (results then hold fewer entries).
    public static func run(
        _ template: RunRequest, first: UInt64, count: Int, jobs: Int, build: BuildInfo,
        stopAtFirst: Bool = false, progress: ((CampaignProgress) -> Void)? = nil
    ) -> [SeedOutcome] {
        let lock = NSLock()
        var results = [SeedOutcome?](repeating: nil, count: count)
        var next = 0
        var state = CampaignProgress(done: 0, total: count, violations: 0, unknowns: 0)
        var stop = false
        let workers = max(1, min(jobs, count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                lock.lock()
                let i = next
                next += 1
                let halt = stop
                lock.unlock()
                if i >= count || halt { return }
                var request = template
                request.seed = first &+ UInt64(i)
                let r = Runner.run(
                    request, source: .seed(request.seed), record: false, build: build)
                lock.lock()
                results[i] = SeedOutcome(
                    seed: request.seed, verdict: r.verdict, lineCount: r.lineCount,
                    virtualTime: r.virtualTime)
                state.done += 1
                if case .violation = r.verdict {
                    state.violations += 1
                    if stopAtFirst { stop = true }
                }
                if case .unknown = r.verdict { state.unknowns += 1 }
                progress?(state)
                lock.unlock()
            }
        }
        return results.compactMap { $0 }
    }
}
