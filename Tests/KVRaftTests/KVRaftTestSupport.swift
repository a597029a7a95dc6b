// Helpers shared by the kvraft tests: run a scenario of the kvraft system by name.
import DSimCore
import Scenarios
import XCTest

enum KV {
    /// Runs scenario `name` of kvraft with `seed`.
    static func run(
        _ name: String, seed: UInt64, planted: [String] = [], params: JSON = .object([]),
        record: Bool = false
    ) -> RunResult {
        guard let scenario = KVRaftSystem.entry.scenario(name) else {
            preconditionFailure("no kvraft scenario \(name)")
        }
        var request = RunRequest(system: KVRaftSystem.entry, scenario: scenario, seed: seed)
        request.planted = planted
        // Today's knobs: the seeds these tests pin were chosen before knobs were drawn.
        request.params = params
        request = Knobs.standard(request)
        return Runner.run(
            request, source: .seed(seed), record: record, build: BuildInfo(commit: "test"))
    }

    /// Wall-clock seconds of `body` (test reporting only, never in a simulated path).
    static func seconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
