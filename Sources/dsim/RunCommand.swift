// `dsim run`: one run of one scenario with one seed; the full trace is written whether it
// passes or not.
import DSimCore
import Scenarios

enum RunCommand {
    static let help = """
        usage: dsim run --system S --seed N [--scenario X] --trace FILE [--plant BUG]... [--spec F]

          one run; the full trace goes to FILE whether the run passes or not
        exit: 0 passed, 1 violation, 2 unknown, 3 bad usage
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(
            args, valued: ["system", "seed", "scenario", "trace", "plant", "spec"],
            boolean: ["help"])
        if a.has("help") {
            print(help)
            return Exit.ok
        }
        guard a.positionals.isEmpty else {
            throw UsageError("unexpected argument '\(a.positionals[0])'")
        }
        var request = try requestFromSpecOrSystem(a)
        guard a.value("seed") != nil else { throw UsageError("--seed is required") }
        guard let tracePath = a.value("trace") else { throw UsageError("--trace FILE is required") }
        request.seed = try a.uint("seed", 0)
        request.planted += a.all("plant")
        try checkPlanted(request.system, request.planted)
        try validate(request, spec: a.value("spec"))
        let result = Runner.run(
            request, source: .seed(request.seed), record: true, build: buildInfo)
        try writeTrace(result.lines, to: tracePath)
        print(
            "\(request.system.name)/\(request.scenario.name) seed=\(request.seed): "
                + "\(describe(result.verdict)) (\(result.lines.count) lines, \(result.decisions) decisions) -> \(tracePath)"
        )
        return exitCode(result.verdict)
    }
}
