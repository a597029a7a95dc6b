// `dsim check-history --html OUT`: one self-contained page of a checked history, in the spirit
// of Porcupine's visualization. No script, no font, no network: HTML and one style sheet.
//
// Layout. One row per client; each operation is a bar from its call to its return (a pending
// one runs to the right edge, dashed). The horizontal axis is the rank of the distinct event
// times, not the times themselves, so a burst of short operations stays readable next to a long
// one. Colours: for a linearizable history every bar is green. For an illegal one, only the
// partition the explanation is about is drawn: the longest linearizable prefix green, numbered
// in its order; the operations that cannot come next red, each with its reason under the
// timeline; the rest of that partition amber. Hovering a bar shows its whole description.
//
// Safety. Every string from the history (keys, values, summaries, states) reaches the page only
// through `escape`, as text or as a quoted attribute value: a value like `</script>` or
// `<img onerror=…>` shows as written and never becomes markup. The page contains no script at
// all, so there is nothing to inject into.

/// Renders a checked history as a self-contained HTML page.
public enum HistoryPage {
    /// One bar: an operation placed on the page.
    struct Bar {
        var id: Int
        var client: Int
        var start: Int  // time rank of the call
        var end: Int?  // time rank of the return; nil when pending
        var summary: String
        var partition: String?
        var role: Role
    }

    /// How a bar is coloured.
    enum Role: Equatable {
        case linearized
        case prefix(position: Int)
        case blocked(reason: String)
        case unplaced
        case otherPartition
        case undecided
    }

    /// The page for `history` and its check `result`; `title` heads it (a file name).
    public static func render<Model: LinearizabilityModel>(
        _ history: History<Model>, result: CheckResult, title: String
    ) -> String {
        // An illegal history shows the partition the explanation is about, on its own time
        // scale: the other keys would only crowd it.
        var shown = history
        if let explanation = result.explanation, result.partitionCount > 1 {
            let keys = LinearizabilityChecker.partitionKeys(history)
            shown.operations = history.operations.indices.filter {
                keys[$0] == explanation.partitionKey
            }.map { history.operations[$0] }
        }
        let bars = bars(shown, result)
        let lanes = Set(shown.operations.map(\.client)).sorted()
        let width = max(1, (bars.map { max($0.start, $0.end ?? $0.start) }.max() ?? 0) + 1)
        var html = head(title: title, result: result)
        if shown.operations.count < history.operations.count {
            html += "<p>Showing the \(shown.operations.count) operations on that key only.</p>\n"
        }
        html += "<div class=\"timeline\">\n"
        for client in lanes {
            html += "<div class=\"lane\"><div class=\"client\">client \(client)</div>"
            html += "<div class=\"track\">"
            for bar in bars where bar.client == client { html += barHTML(bar, width: width) }
            html += "</div></div>\n"
        }
        html += "</div>\n" + reasons(bars, result) + "</body>\n</html>\n"
        return html
    }

    /// Every operation as a bar, with its role from the result.
    static func bars<Model: LinearizabilityModel>(_ history: History<Model>, _ result: CheckResult)
        -> [Bar]
    {
        let ranks = timeRanks(history)
        let explanation = result.explanation
        var prefixPosition: [Int: Int] = [:]
        for (position, operation) in (explanation?.prefix ?? []).enumerated() {
            prefixPosition[operation.id] = position + 1
        }
        var blockedReason: [Int: String] = [:]
        for operation in explanation?.blocked ?? [] {
            blockedReason[operation.id] = reason(operation, explanation)
        }
        let keys = LinearizabilityChecker.partitionKeys(history)
        return zip(history.operations, keys).map { operation, partition in
            let role: Role
            switch result.verdict {
            case .linearizable: role = .linearized
            case .unknown: role = .undecided
            case .illegal:
                if partition != explanation?.partitionKey {
                    role = .otherPartition
                } else if let position = prefixPosition[operation.id] {
                    role = .prefix(position: position)
                } else if let reason = blockedReason[operation.id] {
                    role = .blocked(reason: reason)
                } else {
                    role = .unplaced
                }
            }
            return Bar(
                id: operation.id, client: operation.client,
                start: ranks[operation.callTime] ?? 0,
                end: operation.returnTime.flatMap { ranks[$0] },
                summary: history.model.describe(input: operation.input, output: operation.output),
                partition: partition, role: role)
        }
    }

    /// Why a blocked operation cannot come next.
    static func reason(_ operation: ExplainedOperation, _ explanation: Explanation?) -> String {
        let state = explanation?.stateAfterPrefix ?? "?"
        var text = "cannot come next: the model rejects it in the state after the prefix, \(state)"
        if explanation?.deadline?.id == operation.id {
            text += "; and it returned first, so nothing called later can come before it"
        }
        return text
    }

    /// Distinct call and return times -> their rank.
    private static func timeRanks<Model>(_ history: History<Model>) -> [Int: Int] {
        var times = Set<Int>()
        for operation in history.operations {
            times.insert(operation.callTime)
            if let returnTime = operation.returnTime { times.insert(returnTime) }
        }
        var ranks: [Int: Int] = [:]
        for (rank, time) in times.sorted().enumerated() { ranks[time] = rank }
        return ranks
    }

    private static func barHTML(_ bar: Bar, width: Int) -> String {
        let left = Double(bar.start) / Double(width) * 100
        let right = Double((bar.end ?? width - 1) + 1) / Double(width) * 100
        var classes = "op"
        var label = bar.summary
        switch bar.role {
        case .linearized: classes += " linearized"
        case .prefix(let position):
            classes += " prefix"
            label = "\(position). " + label
        case .blocked: classes += " blocked"
        case .unplaced: classes += " unplaced"
        case .otherPartition: classes += " other"
        case .undecided: classes += " undecided"
        }
        if bar.end == nil { classes += " pending" }
        var tooltip = "op \(bar.id): \(bar.summary)"
        if let partition = bar.partition { tooltip += " [key \(partition)]" }
        if case .blocked(let reason) = bar.role { tooltip += " — " + reason }
        return "<div class=\"\(classes)\" data-op=\"\(bar.id)\" style=\"left:"
            + String(format: "%.3f", left) + "%;width:"
            + String(format: "%.3f", max(0.3, right - left))
            + "%\" title=\"\(HTMLText.escape(tooltip))\">"
            + "<span>\(HTMLText.escape(label))</span></div>"
    }

    /// The list of blocked operations with their reasons (illegal histories only).
    private static func reasons(_ bars: [Bar], _ result: CheckResult) -> String {
        guard let explanation = result.explanation else { return "" }
        var html = "<h2>Cannot come next</h2>\n<ul class=\"reasons\">\n"
        for bar in bars {
            guard case .blocked(let reason) = bar.role else { continue }
            html +=
                "<li data-op=\"\(bar.id)\"><code>\(HTMLText.escape(bar.summary))</code> (op \(bar.id),"
            html += " client \(bar.client)): \(HTMLText.escape(reason))</li>\n"
        }
        html += "</ul>\n<h2>Explanation</h2>\n<pre>\(HTMLText.escape(explanation.text()))</pre>\n"
        return html
    }

}
