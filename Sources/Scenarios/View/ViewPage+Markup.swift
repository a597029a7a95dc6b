// The viewer page's fixed markup, style and error catcher. Nothing here comes from a trace:
// the script (`ViewPage+Script.swift`) fills the page from the embedded JSON, as text.

extension ViewPage {
    /// Runs first, so an error anywhere later (a syntax error in the main script included) is
    /// caught into #js-errors for the browser tests.
    static let errorCatcher = #"""
        (function () {
          var early = [];
          function report(text) {
            var box = document.getElementById('js-errors');
            if (!box) { early.push(text); return; }
            box.appendChild(document.createTextNode(text + '\n'));
            box.setAttribute('data-count', String(Number(box.getAttribute('data-count') || 0) + 1));
            box.hidden = false;
          }
          window.onerror = function (message, source, line, column) {
            report('error: ' + message + ' (line ' + line + ':' + column + ')');
          };
          window.addEventListener('unhandledrejection', function (e) {
            report('unhandled rejection: ' + e.reason);
          });
          var original = console.error;
          console.error = function () {
            report('console.error: ' + Array.prototype.join.call(arguments, ' '));
            original.apply(console, arguments);
          };
          document.addEventListener('DOMContentLoaded', function () {
            var pending = early; early = [];
            pending.forEach(report);
          });
        })();
        """#

    /// The page's elements; the script fills them.
    static let body = #"""
        <pre id="js-errors" data-count="0" hidden></pre>
        <header id="top">
          <div id="title-row"><b>dsim view</b> <span id="title"></span> <span id="meta"></span></div>
          <div id="verdict"></div>
          <div id="controls">
            <span class="group"><button id="zoom-out" title="zoom out (-)">&minus;</button><button id="zoom-in" title="zoom in (+)">+</button></span>
            <span class="group"><button id="goto-violation">go to violation</button></span>
            <span class="group">time (ms) <input id="t-from" size="7" placeholder="from"> to <input id="t-to" size="7" placeholder="to"> <button id="t-apply">apply</button> <button id="t-clear">all</button></span>
            <span class="group" id="node-filters">lanes:</span>
            <span class="group" id="kind-filters">messages:</span>
          </div>
          <div id="legend">
            <svg width="560" height="16" aria-hidden="true">
              <line class="legend arrow" x1="4" y1="8" x2="40" y2="8" marker-end="url(#head)"></line><text x="46" y="12">delivered</text>
              <line class="legend arrow dup" x1="116" y1="8" x2="152" y2="8" marker-end="url(#head-dup)"></line><text x="158" y="12">duplicate copy</text>
              <line class="legend arrow drop" x1="258" y1="8" x2="290" y2="8"></line><text class="x-mark" x="290" y="12">&#x2717;</text><text x="302" y="12">dropped</text>
              <line class="legend arrow guessed" x1="372" y1="8" x2="408" y2="8" marker-end="url(#head)"></line><text x="414" y="12">send time guessed</text>
            </svg>
            <span class="swatch leader"></span>leader <span class="swatch candidate"></span>candidate
            <span class="swatch follower"></span>follower <span class="swatch down"></span>crashed
            <span class="swatch cut"></span>cut off <span class="swatch partition"></span>partition
          </div>
        </header>
        <section id="history" hidden>
          <div class="panel-title">history: one row per client, operations over their call&ndash;return interval; click one for the messages that served it</div>
          <div id="history-scroll"><svg id="history-svg"></svg></div>
        </section>
        <div id="main">
          <div id="diagram-col">
            <div id="lane-head-wrap"><svg id="lane-head" height="22"></svg></div>
            <div id="diagram-wrap"><svg id="diagram"></svg></div>
          </div>
          <aside id="detail"><div class="panel-title">selected</div><div id="detail-body">Click an event, an arrow or an operation.</div></aside>
        </div>
        <div id="status" data-ready="0"></div>
        <svg width="0" height="0" style="position:absolute">
          <defs>
            <marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#2f6db5"></path></marker>
            <marker id="head-dup" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#d9822b"></path></marker>
          </defs>
        </svg>
        """#

    /// The page's style: system fonts only (no font is fetched).
    static let style = #"""
        html, body { height: 100%; margin: 0; }
        body { display: flex; flex-direction: column; font: 12px ui-monospace, "DejaVu Sans Mono", monospace; color: #222; background: #fff; }
        header { padding: 6px 10px; border-bottom: 1px solid #ccc; background: #fafafa; }
        #title-row { font-size: 13px; }
        #meta { color: #777; }
        #verdict { margin: 4px 0; padding: 4px 8px; white-space: pre-wrap; max-height: 9em; overflow: auto; }
        #verdict.violation { background: #fde8e8; border: 2px solid #c0392b; }
        #verdict.ok { background: #e8f6e8; border: 1px solid #3a8a3a; }
        #verdict.unknown { background: #fff5d6; border: 1px solid #b38600; }
        #verdict .invariant { color: #c0392b; font-weight: bold; }
        #controls .group { margin-right: 14px; display: inline-block; }
        #controls label { margin-left: 4px; }
        #legend { color: #555; margin-top: 3px; }
        #legend svg { vertical-align: middle; }
        .swatch { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 8px; vertical-align: middle; }
        .swatch.leader, .band.leader { fill: #3a9a48; background: #3a9a48; }
        .swatch.candidate, .band.candidate { fill: #e0a526; background: #e0a526; }
        .swatch.follower, .band.follower { fill: #9dbbe0; background: #9dbbe0; }
        .band { opacity: 0.85; }
        .swatch.down, .down { fill: #bbb; background: #bbb; }
        .swatch.cut, .cut { fill: #eee; background: #eee; }
        .cut { stroke: #999; stroke-dasharray: 3 3; }
        .swatch.partition, .partition { fill: #e9dcf5; background: #e9dcf5; }
        .down { opacity: 0.55; }
        #history { border-bottom: 1px solid #ccc; max-height: 34vh; display: flex; flex-direction: column; }
        #history[hidden] { display: none; }
        #history-scroll { overflow: auto; }
        .panel-title { color: #555; padding: 3px 10px; background: #f3f3f3; }
        #main { flex: 1; display: flex; min-height: 0; }
        #diagram-col { flex: 1; display: flex; flex-direction: column; min-width: 0; }
        #lane-head-wrap { overflow: hidden; border-bottom: 1px solid #ddd; background: #f7f7f7; flex: none; }
        #diagram-wrap { flex: 1; overflow: auto; position: relative; }
        #detail { width: 360px; border-left: 1px solid #ccc; overflow: auto; flex: none; }
        #detail-body { padding: 6px 10px; }
        #detail-body pre { white-space: pre-wrap; word-break: break-all; background: #f5f5f5; padding: 4px; }
        #detail-body .row { margin: 3px 0; }
        button.link { font: inherit; border: none; background: none; color: #2f6db5; cursor: pointer; padding: 0 2px; text-decoration: underline; }
        svg text { font: 11px ui-monospace, "DejaVu Sans Mono", monospace; fill: #222; }
        .lane { stroke: #d5d5d5; }
        .lane-name { font-weight: bold; }
        .time { fill: #888; }
        .arrow { stroke: #2f6db5; stroke-width: 1.2; fill: none; }
        .arrow.dup { stroke: #d9822b; stroke-dasharray: 2 2; }
        .arrow.drop { stroke: #c0392b; stroke-dasharray: 5 3; }
        .arrow.guessed { stroke: #8a9bb0; }
        .x-mark { fill: #c0392b; font-weight: bold; }
        .ev { fill: #555; stroke: none; }
        .ev-role, .ev-vote { fill: #3a7a3a; }
        .ev-commit, .ev-apply { fill: #7b3fb0; }
        .ev-crash { fill: #c0392b; }
        .ev-op, .ev-start { fill: #d9822b; }
        .ev-shard, .ev-groupConfig, .ev-config { fill: #0f8a8a; }
        .ev-recv { fill: #2f6db5; }
        .cited { fill: #fbd4d0; stroke: #c0392b; stroke-width: 1; }
        .sel-row { fill: #fff3b0; }
        .related-row { fill: #eaf2ff; }
        .part-label { fill: #7a4fa0; }
        .op { fill: #b9d3f0; stroke: #2f6db5; cursor: pointer; }
        .op-open { fill: #eee; stroke-dasharray: 3 2; }
        .op-bad { fill: #f5b7b1; stroke: #c0392b; stroke-width: 2; }
        .op-sel { stroke: #000; stroke-width: 2; }
        .illegal { stroke: #c0392b; stroke-width: 2; stroke-dasharray: 4 2; }
        .illegal-label { fill: #c0392b; font-weight: bold; }
        #js-errors { background: #c0392b; color: #fff; margin: 0; padding: 4px; }
        #status { display: none; }
        """#
}
