// The lab's applications (`mrapps/*.go`) and CS350 HW3's credit app, as values. Each follows
// its Go original line by line; lab-tests.md §4 says what the test apps are for.
import DSimCore

/// The applications.
public enum Apps {
    /// Words: maximal runs of letters (Go's `strings.FieldsFunc(s, !unicode.IsLetter)`).
    static func words(_ s: String) -> [Substring] {
        s.split(whereSeparator: { !$0.isLetter })
    }

    /// wc.go: (word, "1") per word; Reduce counts.
    public static let wc = SequentialApp(
        map: { _, contents in words(contents).map { KeyValue(String($0), "1") } },
        reduce: { _, values in String(values.count) })

    /// indexer.go: (word, document) once per distinct word; Reduce gives
    /// `"<n> doc1,doc2,…"` with the documents sorted.
    public static let indexer = SequentialApp(
        map: { document, contents in
            Set(words(contents).map(String.init)).sorted().map { KeyValue($0, document) }
        },
        reduce: { _, values in "\(values.count) " + values.sorted().joined(separator: ",") })

    /// CS350 HW3 credit.go: the number of people per agency whose 2023 credit score was above
    /// 400. Input rows are `user_id,agency,year,credit_score` (a header line is skipped). The
    /// key is `"<agency>:"`, so `"%v %v"` prints the handout's `Equifax: 648`; Reduce counts
    /// distinct user ids (a person counted once per agency).
    public static let credit = SequentialApp(
        map: { _, contents in
            var out: [KeyValue] = []
            for line in contents.split(separator: "\n") {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                guard f.count == 4, let score = Int(f[3].trimmingSpaces), Int(f[0]) != nil,
                    f[2].trimmingSpaces == "2023", score > 400
                else { continue }
                out.append(KeyValue(f[1].trimmingSpaces + ":", String(f[0])))
            }
            return out
        },
        reduce: { _, values in String(Set(values).count) })

    /// nocrash.go: keys a–d carrying the file name, its length, the contents' length and
    /// "xyzzy"; Reduce joins the sorted values with spaces.
    public static let nocrash = SequentialApp(
        map: { filename, contents in
            [
                KeyValue("a", filename), KeyValue("b", String(filename.utf8.count)),
                KeyValue("c", String(contents.utf8.count)), KeyValue("d", "xyzzy"),
            ]
        },
        reduce: { _, values in values.sorted().joined(separator: " ") })

    /// crash.go: nocrash, but each Map and Reduce call first has a 33% chance to kill its
    /// process and a 33% chance to sleep 0–10 s.
    public static let crash = MapReduceApp(
        name: "crash",
        map: { env, f, c in
            try await maybeCrash(env)
            return nocrash.map(f, c)
        },
        reduce: { env, k, v in
            try await maybeCrash(env)
            return nocrash.reduce(k, v)
        }, reference: nocrash)

    static func maybeCrash(_ env: AppEnv) async throws {
        let r = env.choices.below(1000, "mr.app.crash")
        if r < 330 {
            try env.exitProcess()
        } else if r < 660 {
            let ms = env.choices.below(10_000, "mr.app.delay")
            try await env.sim.sleep(VirtualTime(ms) * Duration.millisecond)
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
