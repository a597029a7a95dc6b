extension HistoryPage {
    /// The document head, style sheet, title and verdict line.
    static func head(title: String, result: CheckResult) -> String {
        var verdict = "\(result.verdict.rawValue): \(result.operationCount) operations,"
        verdict += " \(result.partitionCount) partition" + (result.partitionCount == 1 ? "" : "s")
        if let reason = result.unknownReason { verdict += " — " + reason }
        if let explanation = result.explanation {
            let key = explanation.partitionKey.map { "key \(quoted($0))" } ?? "the history"
            verdict += " — \(key): the green operations (numbered) are the longest"
            verdict += " linearizable prefix found; none of the red ones can come next"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>\(HTMLText.escape(title)) — \(result.verdict.rawValue)</title>
            <style>
            body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
            h1 { font-size: 16px; margin: 0 0 4px; }
            .verdict { margin: 0 0 12px; }
            .verdict.illegal { color: #a00; } .verdict.unknown { color: #a60; }
            .lane { display: flex; align-items: center; border-top: 1px solid #eee; }
            .client { width: 80px; flex: none; color: #555; }
            .track { position: relative; flex: 1; height: 24px; }
            .op { position: absolute; top: 3px; height: 18px; box-sizing: border-box;
              border: 1px solid #666; border-radius: 3px; overflow: hidden; white-space: nowrap;
              font: 11px/16px ui-monospace, monospace; padding: 0 3px; background: #ddd; }
            .op.linearized, .op.prefix { background: #bfe5bf; border-color: #3a3; }
            .op.blocked { background: #f6b8b8; border-color: #c00; border-width: 2px; }
            .op.unplaced { background: #f7e2b0; border-color: #c90; }
            .op.other, .op.undecided { background: #eee; border-color: #bbb; color: #777; }
            .op.pending { border-right-style: dashed; }
            .op:hover { overflow: visible; z-index: 2; background-clip: padding-box; }
            .reasons li { margin: 2px 0; }
            pre { background: #f7f7f7; padding: 8px; overflow: auto; }
            </style>
            </head>
            <body>
            <h1>\(HTMLText.escape(title))</h1>
            <p class="verdict \(result.verdict.rawValue)">\(HTMLText.escape(verdict))</p>

            """
    }
}
