// The sequential reference (the lab's `mrsequential.go`): every Map, then one sort, then every
// Reduce, in one process. Its output is what the distributed job must produce.

/// The sequential MapReduce.
public enum Sequential {
    /// The output lines (`"%v %v"`, in key order) of `app` over `inputs` (name, contents).
    public static func run(_ app: SequentialApp, inputs: [(name: String, contents: String)])
        -> [String]
    {
        var pairs: [KeyValue] = []
        for input in inputs { pairs += app.map(input.name, input.contents) }
        return reduceSorted(pairs, app.reduce)
    }
}
