// The viewer page's script. Time runs downwards, one row per observation line (a burst of
// events at one instant gets rows of its own; the time column says when), one lane per node.
// A message is an arrow from the row after which it was sent to the row it was received on;
// a dropped one ends half-way with a cross. Spans shade lanes: role and term bands, crashed,
// cut off; partitions shade every lane.
//
// Big traces: below FULL_LIMIT rows everything is drawn once; above it only the rows in and
// near the scrolled window are, and the window is redrawn as it moves. Every string from the
// trace goes in with textContent or setAttribute, never as markup.

extension ViewPage {
    /// The script that draws the page from #trace-data.
    static let script = #"""
        (function () {
          'use strict';
          var D = JSON.parse(document.getElementById('trace-data').textContent);
          var E = D.events, M = D.msgs, S = D.spans, OPS = D.ops;
          var NS = 'http://www.w3.org/2000/svg';
          var FULL_LIMIT = 2500, MARGIN_PX = 600;
          var TIME_W = 92, LANE_W = 150, TOP = 8;
          var ZOOMS = [4, 6, 9, 13, 18, 24, 32], zi = 4;
          var wrap = document.getElementById('diagram-wrap');
          var svg = document.getElementById('diagram');
          var head = document.getElementById('lane-head');
          var statusBox = document.getElementById('status');

          function el(tag, attrs, parent) {
            var e = document.createElementNS(NS, tag);
            for (var k in attrs) e.setAttribute(k, attrs[k]);
            if (parent) parent.appendChild(e);
            return e;
          }
          function textEl(tag, attrs, text, parent) {
            var e = el(tag, attrs, parent);
            e.textContent = text;
            return e;
          }
          function html(tag, text, parent, cls) {
            var e = document.createElement(tag);
            if (text !== undefined && text !== null) e.textContent = text;
            if (cls) e.className = cls;
            if (parent) parent.appendChild(e);
            return e;
          }
          function fmtT(ns) {
            if (ns === null || ns === undefined) return 'never';
            var s = Math.floor(ns / 1e9), rest = String(ns % 1e9);
            while (rest.length < 9) rest = '0' + rest;
            return s + '.' + rest.slice(0, 6) + 's';
          }
          function laneName(n) { return n === null || n === -1 ? 'world' : 'n' + n; }

          // ---- indexes --------------------------------------------------------------------
          var maxLine = D.lines + 2;
          var eventOfLine = new Int32Array(maxLine).fill(-1);
          E.forEach(function (e, i) { eventOfLine[e.l] = i; });
          var msgOfLine = new Int32Array(maxLine).fill(-1);
          M.forEach(function (m, i) { msgOfLine[m.l] = i; });
          var repliesTo = {};
          M.forEach(function (m) { if (m.q !== null) (repliesTo[m.q] = repliesTo[m.q] || []).push(m.l); });
          var opsOfLine = {};
          OPS.forEach(function (o, i) {
            (opsOfLine[o.l] = opsOfLine[o.l] || []).push(i);
            o.sv.forEach(function (l) { (opsOfLine[l] = opsOfLine[l] || []).push(i); });
          });
          var cited = {};
          D.cited.forEach(function (l) { cited[l] = true; });
          var fields = {};
          function fieldsOf(i) {
            if (!fields[i]) {
              try { fields[i] = JSON.parse(E[i].r); } catch (err) { fields[i] = {}; }
            }
            return fields[i];
          }
          function summary(i, skip) {
            var f = fieldsOf(i), out = [];
            Object.keys(f).forEach(function (k) {
              if (k === 'ev' || k === 't' || k === 'node' || (skip && skip[k])) return;
              var v = f[k];
              out.push(k + '=' + (typeof v === 'string' ? v : JSON.stringify(v)));
            });
            return out.join(' ');
          }
          var MSG_KEYS = { from: 1, to: 1, msg: 1 };
          function labelOf(i) {
            var e = E[i], f = fieldsOf(i);
            if (e.e === 'recv') return '\u2190 n' + f.from + ' ' + f.msg + ' ' + summary(i, MSG_KEYS);
            if (e.e === 'drop') return '\u2192 n' + f.to + ' \u2717 ' + f.msg + ' ' + summary(i, MSG_KEYS);
            if (e.e === 'role') return f.role + ' t' + f.term;
            if (e.e === 'shard') return 'shard ' + f.shard + ' ' + f.from + ' \u2192 ' + f.to + ' (gid ' + f.gid + ' #' + f.num + ')';
            if (e.e === 'start') return 'start index=' + f.index + ' t' + f.term + (f.value !== undefined ? ' value=' + f.value : '');
            if (e.e === 'op' && f.input) {
              var o = OPS[(opsOfLine[e.l] || []).filter(function (j) { return OPS[j].l === e.l; })[0]];
              if (o) return 'op c' + o.c + ' ' + o.s + (o.o ? ' \u2192 ' + o.o : '');
            }
            if (e.e === 'vote') return 'vote for n' + f['for'] + ' t' + f.term + ' ' + summary(i, { 'for': 1, term: 1 });
            return e.e + ' ' + summary(i);
          }

          // ---- lanes, filters, rows ----------------------------------------------------------
          var hasWorld = E.some(function (e) { return e.n === null; });
          var lanes = (hasWorld ? [-1] : []).concat(D.nodes.map(function (n) { return n.id; }));
          var isClerk = {};
          D.nodes.forEach(function (n) { isClerk[n.id] = n.clerk; });
          var laneOn = {}, kindOn = {};
          lanes.forEach(function (n) { laneOn[n] = true; });
          D.kinds.forEach(function (k) { kindOn[k] = true; });
          var tFrom = -Infinity, tTo = Infinity;
          var laneX = {}, rows = [], width = 0, height = 0;
          var rowOfLine = new Int32Array(maxLine), lastRowUpTo = new Int32Array(maxLine);
          function rowH() { return ZOOMS[zi]; }
          function laneOf(e) { return e.n === null ? -1 : e.n; }
          function eventShown(e) {
            if (!laneOn[laneOf(e)] || e.t < tFrom || e.t > tTo) return false;
            if (e.e === 'recv' || e.e === 'drop') {
              var m = M[msgOfLine[e.l]];
              if (m && !kindOn[m.k]) return false;
            }
            return true;
          }
          function layout() {
            rows = [];
            rowOfLine.fill(-1);
            for (var i = 0; i < E.length; i++) {
              if (eventShown(E[i])) { rowOfLine[E[i].l] = rows.length; rows.push(i); }
            }
            var r = -1;
            for (var l = 0; l < maxLine; l++) { if (rowOfLine[l] >= 0) r = rowOfLine[l]; lastRowUpTo[l] = r; }
            var k = 0, shown = lanes.filter(function (n) { return laneOn[n]; }).length;
            LANE_W = Math.max(150, Math.min(300, Math.floor((wrap.clientWidth - TIME_W - 24) / Math.max(1, shown))));
            laneX = {};
            lanes.forEach(function (n) { if (laneOn[n]) { laneX[n] = TIME_W + k * LANE_W + 14; k++; } });
            width = TIME_W + k * LANE_W + 20;
            height = TOP * 2 + rows.length * rowH();
            svg.setAttribute('width', width);
            svg.setAttribute('height', height);
            head.setAttribute('width', width);
            head.replaceChildren();
            lanes.forEach(function (n) {
              if (!laneOn[n]) return;
              var name = laneName(n) + (isClerk[n] ? ' clerk' : '');
              textEl('text', { x: laneX[n] - 4, y: 15, 'class': 'lane-name' }, name, head);
            });
            textEl('text', { x: 4, y: 15, 'class': 'time' }, 'time', head);
          }
          function yRow(r) { return TOP + r * rowH() + rowH() / 2; }
          function firstRowFrom(line) { return lastRowUpTo[Math.max(0, line - 1)] + 1; }

          // ---- drawing ------------------------------------------------------------------------
          var selected = -1, related = {}, drawnFrom = 0, drawnTo = 0, virtual = false;
          function messageGeometry(m) {
            if (!kindOn[m.k] || laneX[m.f] === undefined || laneX[m.d] === undefined) return null;
            var r2 = rowOfLine[m.l];
            if (r2 < 0) return null;
            var x1 = laneX[m.f], y2 = yRow(r2);
            if (m.tr === null) {
              return { x1: x1, y1: y2, x2: x1 + (laneX[m.d] - x1) / 2, y2: y2 + rowH() * 0.7, drop: true };
            }
            var rs = lastRowUpTo[m.a];
            var y1 = rs >= 0 ? yRow(rs) + rowH() / 2 : TOP;
            if (y1 >= y2) y1 = y2 - rowH() * 0.45;
            return { x1: x1, y1: y1, x2: laneX[m.d], y2: y2, drop: false };
          }
          function drawSpans(g, y0, y1) {
            S.forEach(function (s) {
              var ra = firstRowFrom(s.a), rb = s.b === null ? rows.length : firstRowFrom(s.b);
              var top = TOP + ra * rowH(), bottom = TOP + rb * rowH();
              if (rb <= ra || bottom < y0 || top > y1) return;
              if (s.k === 'partition') {
                el('rect', { x: TIME_W, y: top, width: width - TIME_W, height: bottom - top, 'class': 'partition' }, g);
                if (top >= y0) textEl('text', { x: TIME_W + 4, y: top + 11, 'class': 'part-label' }, 'partition ' + s.s, g);
                return;
              }
              if (laneX[s.n] === undefined) return;
              var x = laneX[s.n];
              if (s.k === 'role') {
                var role = s.s.split(' ')[0];
                var band = el('rect', { x: x - 10, y: top, width: 5, height: bottom - top, 'class': 'band ' + role }, g);
                textEl('title', {}, s.s, band);
              } else {
                el('rect', { x: x - 12, y: top, width: LANE_W - 8, height: bottom - top, 'class': s.k }, g);
              }
            });
          }
          function drawArrows(g, y0, y1) {
            var count = 0;
            M.forEach(function (m) {
              var p = messageGeometry(m);
              if (!p || Math.max(p.y1, p.y2) < y0 || Math.min(p.y1, p.y2) > y1) return;
              var cls = 'arrow' + (p.drop ? ' drop' : '') + (m.dup ? ' dup' : '') + (m.x ? '' : ' guessed');
              var a = { x1: p.x1, y1: p.y1, x2: p.x2, y2: p.y2, 'class': cls, 'data-line': m.l };
              if (!p.drop) a['marker-end'] = m.dup ? 'url(#head-dup)' : 'url(#head)';
              el('line', a, g);
              if (p.drop) textEl('text', { x: p.x2 - 4, y: p.y2 + 4, 'class': 'x-mark', 'data-line': m.l }, '\u2717', g);
              count++;
            });
            return count;
          }
          function drawRows(g, r0, r1) {
            var h = rowH(), chars = Math.floor((LANE_W - 16) / 6.6);
            for (var r = r0; r < r1; r++) {
              var i = rows[r], e = E[i], y = yRow(r), x = laneX[laneOf(e)];
              if (cited[e.l]) el('rect', { x: 0, y: y - h / 2, width: width, height: h, 'class': 'cited', 'data-line': e.l }, g);
              else if (e.l === selected) el('rect', { x: 0, y: y - h / 2, width: width, height: h, 'class': 'sel-row' }, g);
              else if (related[e.l]) el('rect', { x: 0, y: y - h / 2, width: width, height: h, 'class': 'related-row' }, g);
              if (r === 0 || E[rows[r - 1]].t !== e.t) {
                if (h >= 9) textEl('text', { x: 4, y: y + 4, 'class': 'time' }, fmtT(e.t), g);
              }
              el('circle', { cx: x, cy: y, r: Math.min(4, h / 3), 'class': 'ev ev-' + e.e.replace(/[^A-Za-z]/g, '_'), 'data-line': e.l }, g);
              if (h >= 9) {
                var label = labelOf(i);
                if (label.length > chars) label = label.slice(0, chars - 1) + '\u2026';
                textEl('text', { x: x + 6, y: y + 4, 'data-line': e.l }, label, g);
              }
            }
          }
          function render() {
            var started = performance.now();
            virtual = rows.length > FULL_LIMIT;
            var y0 = 0, y1 = height;
            if (virtual) {
              y0 = Math.max(0, wrap.scrollTop - MARGIN_PX);
              y1 = wrap.scrollTop + wrap.clientHeight + MARGIN_PX;
            }
            drawnFrom = y0; drawnTo = y1;
            svg.replaceChildren();
            var gSpans = el('g', {}, svg), gLanes = el('g', {}, svg), gRows = el('g', {}, svg), gArrows = el('g', {}, svg);
            drawSpans(gSpans, y0, y1);
            Object.keys(laneX).forEach(function (n) {
              el('line', { x1: laneX[n], y1: Math.max(0, y0), x2: laneX[n], y2: Math.min(height, y1), 'class': 'lane' }, gLanes);
            });
            var r0 = Math.max(0, Math.floor((y0 - TOP) / rowH()));
            var r1 = Math.min(rows.length, Math.ceil((y1 - TOP) / rowH()) + 1);
            drawRows(gRows, r0, r1);
            var arrows = drawArrows(gArrows, y0, y1);
            statusBox.setAttribute('data-arrows', String(arrows));
            statusBox.setAttribute('data-virtual', virtual ? '1' : '0');
            statusBox.setAttribute('data-last-draw-ms', (performance.now() - started).toFixed(1));
          }
          var pending = false;
          wrap.addEventListener('scroll', function () {
            head.parentNode.scrollLeft = wrap.scrollLeft;
            if (!virtual || pending) return;
            var top = wrap.scrollTop, bottom = top + wrap.clientHeight;
            var nearTop = drawnFrom > 0 && top < drawnFrom + MARGIN_PX / 3;
            var nearBottom = drawnTo < height && bottom > drawnTo - MARGIN_PX / 3;
            if (!nearTop && !nearBottom) return;
            pending = true;
            requestAnimationFrame(function () { pending = false; render(); });
          });
          function scrollToLine(line) {
            var r = rowOfLine[line];
            if (r < 0) r = Math.max(0, lastRowUpTo[line]);
            wrap.scrollTop = Math.max(0, yRow(r) - wrap.clientHeight / 3);
            var e = E[eventOfLine[line]];
            if (e && laneX[laneOf(e)] !== undefined) {
              wrap.scrollLeft = Math.max(0, laneX[laneOf(e)] - wrap.clientWidth / 2);
            }
            render();
          }

          // ---- selection and causes ----------------------------------------------------------
          function link(line, parent, what) {
            var b = html('button', 'L' + line + (what ? ' ' + what : ''), parent, 'link');
            b.addEventListener('click', function () { select(line, true); });
            return b;
          }
          function shortOf(line) {
            var i = eventOfLine[line];
            return i < 0 ? '' : '(' + laneName(E[i].n) + ' ' + labelOf(i).slice(0, 40) + ')';
          }
          function row(parent, label) {
            var d = html('div', null, parent, 'row');
            html('span', label + ' ', d);
            return d;
          }
          function relatedOf(line) {
            var out = {};
            var i = eventOfLine[line];
            if (i >= 0 && E[i].c !== null) out[E[i].c] = true;
            var k = msgOfLine[line];
            if (k >= 0) {
              var m = M[k];
              if (m.c !== null) out[m.c] = true;
              if (m.q !== null) out[m.q] = true;
              (repliesTo[line] || []).forEach(function (l) { out[l] = true; });
            }
            return out;
          }
          function select(line, scroll) {
            selected = line;
            related = relatedOf(line);
            showDetail(line);
            if (scroll) scrollToLine(line); else render();
          }
          function showDetail(line) {
            var box = document.getElementById('detail-body');
            box.replaceChildren();
            var i = eventOfLine[line];
            if (i < 0) { html('div', 'line ' + line + ' is not an event', box); return; }
            var e = E[i];
            html('div', 'L' + line + ' at ' + fmtT(e.t) + ' on ' + laneName(e.n), box, 'row');
            html('pre', e.r, box);
            if (cited[line]) html('div', 'cited by the violation', box, 'row invariant');
            if (e.c !== null) link(e.c, row(box, 'handler: the message received just before'), shortOf(e.c));
            var k = msgOfLine[line];
            if (k >= 0) messageDetail(M[k], box);
            (opsOfLine[line] || []).forEach(function (j) {
              var o = OPS[j];
              link(o.l, row(box, o.l === line ? 'operation' : 'serves operation'), '#' + o.id + ' client ' + o.c + ' ' + o.s);
            });
          }
          function messageDetail(m, box) {
            html('div', m.k + ': n' + m.f + ' \u2192 n' + m.d + (m.dup ? ' (duplicate copy)' : ''), box, 'row');
            html('div', 'sent at ' + fmtT(m.ts) + (m.x ? ' (from its network decisions)' : ' (guessed: no network decision recorded)'), box, 'row');
            html('div', m.tr === null ? 'dropped by the network' : 'received at ' + fmtT(m.tr), box, 'row');
            if (m.c !== null) link(m.c, row(box, 'sent while handling'), shortOf(m.c));
            if (m.q !== null) link(m.q, row(box, 'answers the request'), shortOf(m.q));
            (repliesTo[m.l] || []).forEach(function (l) { link(l, row(box, 'answered by'), shortOf(l)); });
          }
          svg.addEventListener('click', function (ev) {
            var t = ev.target.closest('[data-line]');
            if (t) select(Number(t.getAttribute('data-line')), false);
          });

          // ---- header, verdict, controls -----------------------------------------------------
          document.getElementById('title').textContent = D.title;
          document.title = 'dsim view: ' + D.title;
          document.getElementById('meta').textContent = D.lines + ' lines, ' + D.decisions + ' decisions, ' + E.length + ' events, ' + M.length + ' messages';
          function showVerdict() {
            var box = document.getElementById('verdict'), v = D.verdict;
            if (!v) { box.textContent = 'no verdict line (truncated trace?)'; box.className = 'unknown'; return; }
            if (v.verdict === 'ok') { box.textContent = 'VERDICT ok'; box.className = 'ok'; return; }
            if (v.verdict !== 'violation') { box.textContent = 'VERDICT ' + v.verdict + ': ' + (v.message || ''); box.className = 'unknown'; return; }
            box.className = 'violation';
            html('span', 'VIOLATION ', box);
            html('span', String(v.invariant), box, 'invariant');
            html('span', ': ' + v.message + '\n', box);
            var p = html('span', D.cited.length ? 'proved by lines: ' : 'no line cited', box);
            D.cited.forEach(function (l) { link(l, p, ''); });
          }
          function checkbox(parent, label, on, change) {
            var l = html('label', null, parent);
            var c = html('input', null, l);
            c.type = 'checkbox'; c.checked = on;
            c.addEventListener('change', function () { change(c.checked); layout(); render(); });
            l.appendChild(document.createTextNode(label));
          }
          lanes.forEach(function (n) {
            checkbox(document.getElementById('node-filters'), laneName(n), true, function (on) { laneOn[n] = on; });
          });
          D.kinds.forEach(function (k) {
            checkbox(document.getElementById('kind-filters'), k, true, function (on) { kindOn[k] = on; });
          });
          function zoomTo(z) {
            var centre = (wrap.scrollTop + wrap.clientHeight / 2 - TOP) / rowH();
            zi = Math.max(0, Math.min(ZOOMS.length - 1, z));
            layout();
            wrap.scrollTop = Math.max(0, TOP + centre * rowH() - wrap.clientHeight / 2);
            render();
          }
          document.getElementById('zoom-in').addEventListener('click', function () { zoomTo(zi + 1); });
          document.getElementById('zoom-out').addEventListener('click', function () { zoomTo(zi - 1); });
          document.addEventListener('keydown', function (ev) {
            if (ev.target.tagName === 'INPUT') return;
            if (ev.key === '+' || ev.key === '=') zoomTo(zi + 1);
            if (ev.key === '-') zoomTo(zi - 1);
          });
          document.getElementById('goto-violation').addEventListener('click', function () {
            if (D.cited.length) select(D.cited[0], true);
          });
          function ms(id) {
            var v = document.getElementById(id).value.trim();
            return v === '' || isNaN(Number(v)) ? null : Number(v) * 1e6;
          }
          document.getElementById('t-apply').addEventListener('click', function () {
            var a = ms('t-from'), b = ms('t-to');
            tFrom = a === null ? -Infinity : a; tTo = b === null ? Infinity : b;
            layout(); wrap.scrollTop = 0; render();
          });
          document.getElementById('t-clear').addEventListener('click', function () {
            document.getElementById('t-from').value = ''; document.getElementById('t-to').value = '';
            tFrom = -Infinity; tTo = Infinity; layout(); render();
          });

          // ---- history panel -----------------------------------------------------------------
          function drawHistory() {
            if (!OPS.length) return;
            document.getElementById('history').hidden = false;
            var hs = document.getElementById('history-svg');
            var clients = [], seen = {};
            OPS.forEach(function (o) { if (!seen[o.c]) { seen[o.c] = true; clients.push(o.c); } });
            clients.sort(function (a, b) { return a - b; });
            var rowOf = {};
            clients.forEach(function (c, k) { rowOf[c] = k; });
            // Time is compressed to the order of calls and returns (as Porcupine draws a
            // history): what matters is which operations overlap, not how long they took.
            // At equal times calls come before returns (DESIGN §6: the operations overlap),
            // except that a client's operation returns before its next one is called.
            var points = [];
            OPS.forEach(function (o, j) {
              points.push({ t: o.call, k: 0, j: j });
              if (o.ret !== null) points.push({ t: o.ret, k: 1, j: j });
            });
            if (D.illegalAt !== null) points.push({ t: D.illegalAt, k: 2, j: -1 });
            points.sort(function (a, b) { return a.t - b.t || a.k - b.k || a.j - b.j; });
            var lastOf = {};
            OPS.forEach(function (o, j) {
              var prev = lastOf[o.c];
              lastOf[o.c] = j;
              if (prev === undefined || OPS[prev].ret !== o.call) return;
              var r = points.findIndex(function (p) { return p.j === prev && p.k === 1; });
              var c = points.findIndex(function (p) { return p.j === j && p.k === 0; });
              if (r > c) points.splice(c, 0, points.splice(r, 1)[0]);
            });
            // The illegal point goes right after the return the explanation names.
            var named = OPS.findIndex(function (o) { return o.id === D.illegalOp && o.ret === D.illegalAt; });
            if (named >= 0) {
              var at = points.findIndex(function (p) { return p.k === 2; });
              var mark = points.splice(at, 1)[0];
              var after = points.findIndex(function (p) { return p.j === named && p.k === 1; });
              points.splice(after + 1, 0, mark);
            }
            var callAt = {}, retAt = {}, illegalRank = null;
            points.forEach(function (p, i) {
              if (p.k === 0) callAt[p.j] = i; else if (p.k === 1) retAt[p.j] = i; else illegalRank = i;
            });
            var n = points.length, left = 70, rh = 20;
            var step = Math.max(14, Math.min(120, Math.floor(1100 / Math.max(1, n))));
            var w = step * n;
            hs.setAttribute('width', w + left + 60);
            hs.setAttribute('height', clients.length * rh + 30);
            function x(rank) { return left + rank * step + step / 2; }
            clients.forEach(function (c, k) { textEl('text', { x: 4, y: k * rh + 14 }, 'client ' + c, hs); });
            var order = OPS.map(function (o, j) { return j; });
            order.sort(function (a, b) { return (OPS[a].bad ? 1 : 0) - (OPS[b].bad ? 1 : 0) || a - b; });
            order.forEach(function (j) {
              var o = OPS[j];
              var x0 = x(callAt[j]), x1 = o.ret === null ? w + left + 40 : x(retAt[j]);
              var cls = 'op' + (o.bad ? ' op-bad' : '') + (o.ret === null ? ' op-open' : '');
              var r = el('rect', { x: x0, y: rowOf[o.c] * rh + 2, width: x1 - x0, height: rh - 5, 'class': cls, 'data-op': j }, hs);
              textEl('title', {}, '#' + o.id + ' ' + o.s + (o.o ? ' \u2192 ' + o.o : '') + ' [' + fmtT(o.call) + ', ' + fmtT(o.ret) + ']', r);
              var chars = Math.floor((x1 - x0 - 4) / 6.6);
              if (chars >= 4) {
                var s = o.s + (o.o ? '\u2192' + o.o : '');
                textEl('text', { x: x0 + 2, y: rowOf[o.c] * rh + 13, 'data-op': j }, s.length > chars ? s.slice(0, chars - 1) + '\u2026' : s, hs);
              }
            });
            if (D.illegalAt !== null) {
              var xi = x(illegalRank);
              el('line', { x1: xi, y1: 0, x2: xi, y2: clients.length * rh + 4, 'class': 'illegal' }, hs);
              textEl('text', { x: xi - 3, y: clients.length * rh + 20, 'class': 'illegal-label', 'text-anchor': 'end' }, 'illegal: no operation can come next at ' + fmtT(D.illegalAt), hs);
              var sc = document.getElementById('history-scroll');
              sc.scrollLeft = Math.max(0, xi - sc.clientWidth / 2);
            }
            hs.addEventListener('click', function (ev) {
              var t = ev.target.closest('[data-op]');
              if (t) selectOp(Number(t.getAttribute('data-op')));
            });
          }
          function selectOp(j) {
            var o = OPS[j];
            selected = o.l;
            related = {};
            o.sv.forEach(function (l) { related[l] = true; });
            var box = document.getElementById('detail-body');
            box.replaceChildren();
            html('div', 'operation #' + o.id + ' of client ' + o.c + (o.n === null ? '' : ' (clerk n' + o.n + ')'), box, 'row');
            html('div', o.s + (o.o ? ' \u2192 ' + o.o : ''), box, 'row');
            html('div', 'called ' + fmtT(o.call) + ', returned ' + fmtT(o.ret), box, 'row');
            if (o.bad) html('div', 'cited by the violation', box, 'row invariant');
            link(o.l, row(box, 'its op line'), '');
            var p = row(box, o.sv.length + ' messages of its clerk while it was outstanding:');
            o.sv.forEach(function (l) { link(l, p, ''); });
            scrollToLine(o.sv.length ? o.sv[0] : o.l);
          }

          // ---- self-test: the browser tests open the page with #selftest, which drives every
          // control once; an exception lands in #js-errors like any other.
          function click(id) { document.getElementById(id).click(); }
          function selfTest() {
            var steps = 0;
            click('zoom-in'); click('zoom-out'); click('zoom-out'); steps += 3;
            document.querySelectorAll('#node-filters input, #kind-filters input').forEach(function (c) {
              c.click(); c.click(); steps += 2;
            });
            var mid = E.length ? E[Math.floor(E.length / 2)].t : 0;
            document.getElementById('t-from').value = String(mid / 1e6);
            click('t-apply'); click('t-clear'); steps += 2;
            for (var i = 0; i < E.length; i += Math.max(1, Math.floor(E.length / 40))) {
              select(E[i].l, true); steps++;
            }
            M.slice(0, 20).forEach(function (m) { select(m.l, false); steps++; });
            for (var j = 0; j < OPS.length; j += Math.max(1, Math.floor(OPS.length / 10))) {
              selectOp(j); steps++;
            }
            wrap.scrollTop = height / 2; wrap.dispatchEvent(new Event('scroll')); render();
            click('goto-violation'); steps += 2;
            statusBox.setAttribute('data-selftest', String(steps));
          }

          // ---- first draw --------------------------------------------------------------------
          showVerdict();
          layout();
          render();
          drawHistory();
          if (D.cited.length) {
            var first = D.cited.filter(function (l) { return eventOfLine[l] >= 0; })[0];
            if (first !== undefined) select(first, true);
          }
          if (location.hash === '#selftest') selfTest();
          statusBox.setAttribute('data-messages', String(M.length));
          statusBox.setAttribute('data-rows', String(rows.length));
          statusBox.setAttribute('data-render-ms', performance.now().toFixed(1));
          statusBox.setAttribute('data-ready', '1');
        })();
        """#
}
