// `dsim merge RESULTS...`: the summary of one campaign from the results files of its shards
// (or of its interrupted and resumed parts): failures united by seed, seeds counted once.
import DSimCore
import Foundation
import Scenarios

enum MergeCommand {
    static let help = """
        usage: dsim merge RESULTS... [--junit FILE]

          combines the --results files of the shards of one campaign (dsim fuzz --shard I/N
          --results FILE) into the summary the unsharded campaign prints
        exit: 0 no failure (original-bound runs at the expected rate pass), 1 violations or an
              original-bound rate well above the expected one, 2 unknown verdicts only,
              3 bad input (unreadable
              files, or files of different campaigns)
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, valued: ["junit"], boolean: ["help"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard !a.positionals.isEmpty else { throw UsageError("expected RESULTS files") }
        let records = try a.positionals.map(CampaignRecord.load)
        let campaign = { (h: JSON) -> JSON in
            guard case .object(let m) = h else { return h }
            return .object(m.filter { $0.0 != "shard" })
        }
        let first = records[0]
        for (i, r) in records.enumerated() where campaign(r.header) != campaign(first.header) {
            throw UsageError(
                "\(a.positionals[i]) is of another campaign than \(a.positionals[0])")
        }
        let request = try WorkerRequestDecoding.request(first.header, path: a.positionals[0])
        var bySeed: [UInt64: CampaignFailure] = [:]
        var finished = Set<UInt64>()
        for r in records {
            finished.formUnion(r.finished)
            // A later line for a seed (its smallest-trace recording) wins.
            for f in r.failures { bySeed[f.seed] = f }
        }
        let failures = bySeed.keys.sorted().map { bySeed[$0]! }
        let expected = first.header["seeds"]?.intValue ?? 0
        if finished.count < expected {
            eprint("  merge: \(finished.count) of \(expected) seeds finished in these files")
        }
        let rate = first.header["originalBoundRate"]?.doubleValue ?? 0
        for l in FuzzCampaign.summary(request, seedsRun: finished.count, failures, expected: rate) {
            print(l)
        }
        if let path = a.value("junit") {
            try JUnitReport.write(path, request, seedsRun: finished.count, failures)
        }
        return FuzzCampaign.exitCode(failures, seedsRun: finished.count, expected: rate)
    }
}
