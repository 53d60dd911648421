/* hetao-kg network view on vis-network (as shipped by pyvis), unpacked from the page.
   Positions come from Python (physics off); this script adds what an explorer needs:
   labels by level of detail at a fixed pixel size, search, filters, legend toggles,
   neighbour dimming, fit and zoom, tooltips that cite, keyboard navigation and a table
   alternative. Labels and quotes are data: they reach the page only through
   textContent and the canvas. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hetao-data").textContent);
  var text = data.text, labelPx = data.label_px;
  var container = document.getElementById("network");
  var tip = document.getElementById("tooltip"), live = document.getElementById("live");
  var FONT = getComputedStyle(document.body).fontFamily;
  var coarse = !!(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
  var MIN_R = coarse ? 7 : 5;
  var base = typeof data.base === "string" && data.base ? data.base.replace(/\/+$/, "") : null;  // the explorer, when known

  function unpackVis() {  // vis-network, gzip + base64 in the page; its hash is in the CSP
    if (window.vis) { return Promise.resolve(); }
    var b64 = document.getElementById("vis-network-gz").textContent.trim();
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(function (code) {
      var s = document.createElement("script");
      s.textContent = code;
      document.head.appendChild(s);
    });
  }

  unpackVis().then(start).catch(function (err) { console.error("hetao-kg: " + err); });

  function start() {
    var byId = {}, neighbours = {}, edgesOf = {}, edgeById = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; neighbours[n.id] = []; edgesOf[n.id] = []; });
    data.edges.forEach(function (e) {
      edgeById[e.id] = e;
      neighbours[e.source].push(e.target); neighbours[e.target].push(e.source);
      edgesOf[e.source].push(e.id); edgesOf[e.target].push(e.id);
    });
    var groupLinks = {};
    (data.group_links || []).forEach(function (g) { groupLinks[g.id] = g; });
    Object.keys(data.vis.options.groups).forEach(function (g) {
      var style = data.vis.options.groups[g];
      if (style.shape === "custom") { style.ctxRenderer = roundSquare; }
    });
    var visNodes = data.vis.nodes;
    var nodes = new vis.DataSet(visNodes), edges = new vis.DataSet(data.vis.edges);
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.vis.options);
    window.hetaoNetwork = network;

    function roundSquare(args) {  // the "counted group" shape: a rounded square
      var ctx = args.ctx, x = args.x, y = args.y, s = args.style.size * 0.9;
      return {
        drawNode: function () {
          ctx.beginPath();
          if (ctx.roundRect) { ctx.roundRect(x - s, y - s, 2 * s, 2 * s, s * 0.35); } else { ctx.rect(x - s, y - s, 2 * s, 2 * s); }
          ctx.fillStyle = args.style.color; ctx.fill();
          var on = args.state && (args.state.selected || args.state.hover);
          ctx.lineWidth = on ? 3 : 1.5;
          ctx.strokeStyle = on ? "#ffffff" : "#16191d"; ctx.stroke();
        },
        nodeDimensions: { width: 2 * s, height: 2 * s }
      };
    }

    // --- state ----------------------------------------------------------------------
    var hidden = {}, hiddenEdges = {}, offFamilies = {}, offEvidence = {}, statusFilter = "";
    var current = { selected: null, active: null, tipFor: null, pinned: false, near: null };
    var widths = {}, shownLabels = [];
    function scale() { return network.getScale(); }
    function visible() { return data.nodes.filter(function (n) { return !hidden[n.id]; }); }
    function rect() { return container.getBoundingClientRect(); }
    function toPage(x, y) { var p = network.canvasToDOM({ x: x, y: y }), r = rect(); return { x: p.x + r.left, y: p.y + r.top }; }
    function labelText(n) { return (n.mark ? text[n.mark] + ": " : "") + n.label; }
    // nodes keep at least MIN_R CSS pixels of radius however far out the drawing is zoomed
    // (a phone shows the whole drawing at a tenth of its size), and a finger can hit them
    function disp(n) { return Math.max(n.r, MIN_R / scale()); }
    var sizedFor = null;
    function resize() {
      var k = scale(), step = Math.round(Math.log(k) * 25);
      if (step === sizedFor) { return; }
      sizedFor = step;
      nodes.update(data.nodes.map(function (n) { return { id: n.id, size: Math.max(n.r, MIN_R / k) }; }));
    }
    // a label is at most this wide (CSS pixels); longer ones end in "…" (the whole name is in the details)
    function labelMax() { return Math.max(90, Math.min(260, rect().width * 0.42)); }
    var elided = {};
    function elide(ctx, id, t, maxW) {
      var key = id + "|" + maxW;
      if (elided[key] !== undefined) { return elided[key]; }
      ctx.save(); ctx.font = labelPx + "px " + FONT;
      var out = t;
      if (ctx.measureText(t).width > maxW) {
        var chars = Array.from(t), lo = 1, hi = chars.length;
        while (lo < hi) {  // the longest start that fits with its ellipsis
          var mid = (lo + hi + 1) >> 1;
          if (ctx.measureText(chars.slice(0, mid).join("").trimEnd() + text.elided).width <= maxW) { lo = mid; } else { hi = mid - 1; }
        }
        out = chars.slice(0, lo).join("").trimEnd() + text.elided;
      }
      ctx.restore();
      elided[key] = out;
      return out;
    }

    // --- drawing: group boxes, labels by level of detail, marks and the focus ring ------
    function measure(ctx, id, t) {
      if (widths[id] === undefined) { ctx.save(); ctx.font = labelPx + "px " + FONT; widths[id] = ctx.measureText(t).width; ctx.restore(); }
      return widths[id];
    }
    var ruler = document.createElement("canvas").getContext("2d"), LINE_H = labelPx * 1.3 + 3;  // wrapped lines: their 1 px margins do not touch
    function measureText(t) { return measure(ruler, "text:" + t, t); }
    // a text in lines at most maxW wide: English breaks at spaces, Chinese between characters
    // (never before closing punctuation); more than maxLines lines end in "…"
    var CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f";
    var TOKENS = new RegExp("[" + CJK + "]|[^\\s" + CJK + "]+\\s*|\\s+", "g"), CLOSING = /^[\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f\uff09\u300d\u300f,.;:!?)]/;
    var wrapped = {};
    // balanced: the narrowest width that needs no more lines (no lone last word); greedy: each line as full as it goes
    function wrap(t, maxW, maxLines, greedy) {
      maxW = Math.floor(maxW);
      var key = maxLines + "|" + maxW + "|" + !!greedy + "|" + t;
      if (wrapped[key]) { return wrapped[key]; }
      var lines = breakLines(t, maxW), lo = maxW / 2, hi = maxW;
      if (!greedy && lines.length >= 2 && lines.length <= maxLines) {
        for (var i = 0; i < 8; i++) { var mid = (lo + hi) / 2; if (breakLines(t, mid).length > lines.length) { lo = mid; } else { hi = mid; } }
        lines = breakLines(t, hi);
      }
      wrapped[key] = fitLines(lines, maxW, maxLines);
      return wrapped[key];
    }
    function breakLines(t, maxW) {
      var lines = [], cur = "";
      (t.match(TOKENS) || []).forEach(function (tok) {
        if (!cur || CLOSING.test(tok) || measureText((cur + tok).trimEnd()) <= maxW) { cur += tok; }
        else { lines.push(cur.trimEnd()); cur = tok.trimStart(); }
      });
      if (cur.trim()) { lines.push(cur.trimEnd()); }
      return lines;
    }
    function fitLines(lines, maxW, maxLines) {
      if (lines.length > maxLines) { lines = lines.slice(0, maxLines - 1).concat([lines.slice(maxLines - 1).reduce(function (a, l) { return a + (/[\u2e80-\uffef]$/.test(a) ? "" : " ") + l; })]); }
      return lines.map(function (l) { return measureText(l) > maxW ? elide(ruler, "wrap:" + l, l, maxW) : l; });
    }
    // column headings, each wrapped to its column's width on screen (bold: 6% wider than measured)
    var laneAt = {};
    function laneLayout(k) {
      var ls = (data.lanes || []).slice().sort(function (a, b) { return a.x - b.x; });
      return ls.map(function (l, i) {
        var room = Math.min(i > 0 ? l.x - ls[i - 1].x : Infinity, i < ls.length - 1 ? ls[i + 1].x - l.x : Infinity) * k - 10;
        return { lane: l, lines: wrap(l.label, Math.max(56, Math.min(room, 400)) / 1.06, 3) };
      });
    }
    function laneRows(k) { return laneLayout(k).reduce(function (m, l) { return Math.max(m, l.lines.length); }, 0); }
    network.on("beforeDrawing", function (ctx) {
      ctx.save();
      ctx.setLineDash([6, 4]); ctx.strokeStyle = "#8a929c"; ctx.lineWidth = 1.2;
      (data.boxes || []).forEach(function (b) { ctx.beginPath(); ctx.rect(b.x, b.y, b.w, b.h); ctx.stroke(); });
      ctx.setLineDash([]); ctx.strokeStyle = "#9aa3ad"; ctx.fillStyle = "#9aa3ad"; ctx.lineWidth = 2;
      (data.group_geometry || []).forEach(function (g) {
        var m = /M([-\d.]+),([-\d.]+)L([-\d.]+),([-\d.]+)/.exec(g.d);
        var x1 = +m[1], y1 = +m[2], x2 = +m[3], y2 = +m[4];
        ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2 - 8, y2); ctx.stroke();
        ctx.beginPath(); ctx.moveTo(x2, y2); ctx.lineTo(x2 - 12, y2 - 6); ctx.lineTo(x2 - 12, y2 + 6); ctx.closePath(); ctx.fill();
      });
      ctx.restore();
    });
    network.on("afterDrawing", function (ctx) {
      var k = scale(), r = rect(), placed = [], discs = [];
      var maxW = labelMax();
      shownLabels = [];
      ctx.save();
      ctx.font = (labelPx / k) + "px " + FONT;
      ctx.lineJoin = "round"; ctx.lineWidth = 3 / k; ctx.strokeStyle = "#16191d";
      visible().forEach(function (n) {  // the drawn nodes on screen: no label may sit on one
        var p = toPage(n.x, n.y), rr = disp(n) * k + 2;
        if (p.x + rr >= r.left && p.x - rr <= r.right && p.y + rr >= r.top && p.y - rr <= r.bottom) {
          discs.push([p.x - rr, p.y - rr, p.x + rr, p.y + rr, n.id]);
        }
      });
      // overNodes: true = any node may be under the box; "near" = only the dimmed ones (a focus's labels
      // go over what the focus has faded); otherwise none
      var lg = document.getElementById("legend").getBoundingClientRect(), cover = [lg.left - 2, lg.top - 2, lg.right + 2, lg.bottom + 2];  // no label under the legend
      function hits(box, own, overNodes) {
        if (box[0] < r.left || box[2] > r.right || box[1] < r.top || box[3] > r.bottom) { return true; }
        if (lg.width && box[0] < cover[2] && cover[0] < box[2] && box[1] < cover[3] && cover[1] < box[3]) { return true; }
        if (placed.some(function (q) { return box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3]; })) { return true; }
        return overNodes !== true && discs.some(function (q) {
          return q[4] !== own && (overNodes !== "near" || current.near[q[4]]) && box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3];
        });
      }
      function draw(id, t, w, px, cx, top, align, alpha, colour) {  // px: the label's box in page pixels
        ctx.globalAlpha = alpha; ctx.textAlign = align; ctx.textBaseline = "top";
        ctx.strokeText(t, cx, top); ctx.fillStyle = colour || "#eeeeee"; ctx.fillText(t, cx, top);
        placed.push(px);
        shownLabels.push({ id: id, text: t, px: parseFloat(/([\d.]+)px/.exec(ctx.font)[1]) * k, box: px });
      }
      var lineH = LINE_H;
      function block(id, whole, lines, x, y) {  // lines of one text at page (x, y): all of them where they are, or none
        var boxes = lines.map(function (t, i) {
          var top = y + i * lineH;
          return [x - 1, top - 1, x + measureText(t) + 1, top + labelPx * 1.3 + 1];
        });
        if (boxes.some(function (bx) { return hits(bx, null); })) { return false; }
        lines.forEach(function (t, i) {
          var at = network.DOMtoCanvas({ x: x - r.left, y: y + i * lineH - r.top });
          draw(id, t, 0, boxes[i], at.x, at.y, "left", 1);
          shownLabels[shownLabels.length - 1].whole = whole;
        });
        return true;
      }
      function placeNode(n, alpha) {  // below the node, else above, right or left of it, else at a corner; else shorter
        var full = labelText(n), c = toPage(n.x, n.y), rr = disp(n) * k, hgt = labelPx * 1.3;
        var gap = data.rings && n.status_iri ? 8 : 4;  // clear of the stage ring
        var focus = current.near && current.near[n.id];
        // the selection and the most important node are labelled even over other nodes when nowhere else is free;
        // the selection's neighbours over the nodes the focus has faded
        var must = n.id === current.selected || (n.priority === 0 && !current.near);
        var widest = n.mark ? Math.max(maxW, rect().width * 0.45) : maxW;
        var budgets = focus ? [widest, Math.min(widest, 150), Math.min(widest, 90), Math.min(widest, 60)] : [widest, Math.min(widest, 110)];
        var modes = focus ? (must ? ["near", true] : ["near"]) : must ? [false, true] : [false];  // the whole name over faded nodes before a shorter one
        for (var m = 0; m < modes.length; m++) {
          for (var j = 0; j < budgets.length; j++) {
            var t = elide(ctx, n.id, full, budgets[j]), w = measure(ctx, n.id + "@" + t, t);
            var side = c.y - hgt / 2, d = rr * 0.7 + gap;
            var spots = [[c.x - w / 2, c.y + rr + gap], [c.x - w / 2, c.y - rr - gap - hgt], [c.x + rr + gap + 1, side], [c.x - rr - gap - 1 - w, side],
                         [c.x + d, c.y + d], [c.x + d, c.y - d - hgt], [c.x - d - w, c.y + d], [c.x - d - w, c.y - d - hgt]];
            if (focus) {  // a crowded focus: a row further out, or the label's end (or start) under the node
              var below = c.y + rr + gap, above = c.y - rr - gap - hgt;
              spots = spots.concat([[c.x - w, below], [c.x, below], [c.x - w, above], [c.x, above],
                                    [c.x - w / 2, below + hgt + 2], [c.x - w / 2, above - hgt - 2], [c.x - w, below + hgt + 2], [c.x - w, above - hgt - 2]]);
            }
            for (var i = 0; i < spots.length; i++) {
              var s = spots[i], box = [s[0] - 1, s[1] - 1, s[0] + w + 1, s[1] + hgt + 1];
              if (!hits(box, n.id, modes[m])) {
                var at = network.DOMtoCanvas({ x: s[0] - r.left, y: s[1] - r.top });
                draw(n.id, t, w, box, at.x, at.y, "left", alpha);
                return;
              }
            }
          }
        }
      }
      function placeEdge(e) {  // the link type, along a selected node's link (its middle first)
        var a = byId[e.source], b = byId[e.target], t = e.label;
        if (!t || hiddenEdges[e.id]) { return; }
        var w = measure(ctx, "edge:" + t, t), hgt = labelPx * 1.3;
        var along = [0.5, 0.38, 0.62, 0.28, 0.72];
        for (var i = 0; i < along.length; i++) {
          var f = along[i], m = toPage(a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f);
          var box = [m.x - w / 2 - 1, m.y - hgt / 2 - 1, m.x + w / 2 + 1, m.y + hgt / 2 + 1];
          if (!hits(box, null, "near")) {
            var at = network.DOMtoCanvas({ x: m.x - w / 2 - r.left, y: m.y - hgt / 2 - r.top });
            draw("edge:" + e.id, t, w, box, at.x, at.y, "left", 1, "#ffd166");
            return;
          }
        }
      }
      var lanes = laneLayout(k);  // column headings (construction: the stages, in lifecycle order), just above the top node
      if (lanes.length) {
        var top = Infinity;
        visible().forEach(function (n) { top = Math.min(top, toPage(n.x, n.y).y - disp(n) * k - 6); });  // (clear of a stage ring)
        ctx.font = "bold " + (labelPx / k) + "px " + FONT;
        laneAt = {};
        lanes.forEach(function (L) {
          var y = Math.max(r.top + 2, top - 4 - L.lines.length * LINE_H), cx = toPage(L.lane.x, L.lane.y).x;
          laneAt[L.lane.id] = { x: cx, y: y };
          var boxes = L.lines.map(function (t, i) {  // each line centred on its column, kept on screen
            var ty = y + i * LINE_H, edge = lg.width && lg.top < ty + LINE_H && ty < lg.bottom ? cover[0] : r.right;
            var w = measureText(t) * 1.06, left = Math.max(r.left + 2, Math.min(edge - w - 2, cx - w / 2));
            return [left - 1, y + i * LINE_H - 1, left + w + 1, y + i * LINE_H + labelPx * 1.3 + 1];
          });
          if (boxes.some(function (b) { return hits(b, null); })) { return; }
          L.lines.forEach(function (t, i) {
            var at = network.DOMtoCanvas({ x: boxes[i][0] + 1 - r.left, y: boxes[i][1] + 1 - r.top });
            draw(L.lane.id, t, 0, boxes[i], at.x, at.y, "left", 1, "#ffd9a0");
            shownLabels[shownLabels.length - 1].whole = L.lane.label;
          });
        });
        ctx.font = (labelPx / k) + "px " + FONT;
      }
      (data.boxes || []).forEach(function (b) {  // a box's heading and what the report counts, wrapped to the box
        var tl = toPage(b.x, b.y), br = toPage(b.x + b.w, b.y + b.h), inner = Math.max(120, br.x - tl.x - 24);
        var x = tl.x + 12, y = tl.y + 8;
        var tries = [wrap(b.label, inner, 2), wrap(b.label, inner, 2, true), wrap(b.label, inner, 1)], head = [];
        for (var i = 0; i < tries.length && !head.length; i++) { if (block(b.id + "#label", b.label, tries[i], x, y)) { head = tries[i]; } }  // the first that fits
        var info = wrap(b.info, inner, 4);  // under the heading, else as a caption under the box
        if (!block(b.id + "#info", b.info, info, x, y + head.length * lineH + 2)) { block(b.id + "#info", b.info, info, x, br.y + 4); }
      });
      // where the eye goes: the selection, then its neighbours and its links' types, then the rest by importance
      var order = visible().slice().sort(function (a, b) { return a.priority - b.priority; });
      if (current.near) {
        var sel = current.selected;
        order.sort(function (a, b) { return (a.id !== sel) - (b.id !== sel) || !current.near[a.id] - !current.near[b.id] || a.priority - b.priority; });
        var nearCount = order.filter(function (n) { return current.near[n.id]; }).length;
        order.slice(0, nearCount).forEach(function (n) { placeNode(n, 1); });
        edgesOf[sel].forEach(function (id) { placeEdge(edgeById[id]); });
        order.slice(nearCount).forEach(function (n) { placeNode(n, 0.15); });
      } else {
        order.forEach(function (n) { placeNode(n, 1); });
      }
      ctx.globalAlpha = 1;
      if (data.rings) {  // the development stage: a ring in the stage's colour (legend: Status)
        visible().forEach(function (n) {
          var colour = n.status_iri && data.rings[n.status_iri];
          if (!colour) { return; }
          ctx.globalAlpha = current.near && !current.near[n.id] ? 0.15 : 1;
          ctx.beginPath(); ctx.arc(n.x, n.y, disp(n) + 3.5 / k, 0, 2 * Math.PI); ctx.strokeStyle = colour; ctx.lineWidth = 2.5 / k; ctx.stroke();
        });
        ctx.globalAlpha = 1;
      }
      data.nodes.forEach(function (n) {
        if (n.mark && !hidden[n.id]) {
          ctx.beginPath(); ctx.arc(n.x, n.y, disp(n) + 6 / k, 0, 2 * Math.PI); ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 3 / k; ctx.stroke();
        }
      });
      if (current.active && document.activeElement === container) {
        var a = byId[current.active];
        ctx.beginPath(); ctx.arc(a.x, a.y, disp(a) + 11 / k, 0, 2 * Math.PI); ctx.strokeStyle = "#ffd166"; ctx.lineWidth = 3 / k; ctx.stroke();
      }
      ctx.restore();
    });

    // --- fit and zoom: to the nodes (labels keep their pixel size and give way) ------------------
    function fit() {
      var r = rect(), ns = visible().length ? visible() : data.nodes;
      var legend = document.getElementById("legend");
      var right = legend && legend.open && window.innerWidth > 700 && window.innerHeight > 500 ? legend.getBoundingClientRect().width + 16 : 0;
      var padX = 20, padTop = 14, padBottom = 14 + labelPx * 1.4;  // room for the lowest row's labels
      var w = Math.max(40, r.width - 2 * padX - right), h;
      var k = 1, x0, y0, x1, y1, top;
      for (var round = 0; round < 3; round++) {  // small nodes keep a minimum size on screen, so the bounds depend on k
        top = padTop + (data.lanes && data.lanes.length ? laneRows(k) * LINE_H + 10 : 0);  // room for the column headings
        h = Math.max(40, r.height - top - padBottom);
        x0 = Infinity; y0 = Infinity; x1 = -Infinity; y1 = -Infinity;
        ns.forEach(function (n) {
          var rr = Math.max(n.r, MIN_R / k);
          x0 = Math.min(x0, n.x - rr); x1 = Math.max(x1, n.x + rr); y0 = Math.min(y0, n.y - rr); y1 = Math.max(y1, n.y + rr);
        });
        (data.boxes || []).forEach(function (b) { x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h); });
        k = Math.min(w / Math.max(1, x1 - x0), h / Math.max(1, y1 - y0), 1.6);
      }
      // centre of the drawing at the centre of the free area (left of an open legend, above the last labels)
      var cx = (x0 + x1) / 2 + (right / 2) / k, cy = (y0 + y1) / 2 + ((padBottom - top) / 2) / k;
      network.moveTo({ position: { x: cx, y: cy }, scale: k, animation: false });
      resize();
    }
    function zoomBy(f) {
      var k = Math.max(0.02, Math.min(8, scale() * f));
      network.moveTo({ position: network.getViewPosition(), scale: k, animation: false });
      resize();
    }
    function centreOn(id) {
      network.moveTo({ position: { x: byId[id].x, y: byId[id].y }, scale: Math.max(1, scale()), animation: false });
      resize();
    }

    // --- filters -------------------------------------------------------------------------
    function applyFilters() {
      data.nodes.forEach(function (n) {
        hidden[n.id] = !!offFamilies[n.family] || (!!statusFilter && n.status_iri !== statusFilter && n.family !== "more");
      });
      data.edges.forEach(function (e) {
        hiddenEdges[e.id] = hidden[e.source] || hidden[e.target] || !!offEvidence[e.inferred ? "inferred" : "stated"];
      });
      if (offEvidence.stated || offEvidence.inferred) {  // nodes left without any shown link go too
        data.nodes.forEach(function (n) {
          if (!hidden[n.id] && edgesOf[n.id].length && edgesOf[n.id].every(function (id) { return hiddenEdges[id]; })) { hidden[n.id] = true; }
        });
      }
      nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: hidden[n.id] }; }));
      edges.update(data.edges.map(function (e) { return { id: e.id, hidden: hiddenEdges[e.id] }; }));
      document.querySelectorAll("#node-table tbody tr").forEach(function (tr) { tr.hidden = !!hidden[tr.getAttribute("data-id")]; });
      document.querySelectorAll("#edge-table tbody tr").forEach(function (tr) { tr.hidden = !!hiddenEdges[tr.getAttribute("data-id")]; });
      if (current.selected && hidden[current.selected]) { clear(); }
      network.redraw();
    }
    function toggles(selector, attribute, off) {  // legend buttons: pressed = shown
      document.querySelectorAll(selector).forEach(function (b) {
        b.addEventListener("click", function () {
          var on = b.getAttribute("aria-pressed") !== "true";
          b.setAttribute("aria-pressed", on ? "true" : "false");
          off[b.getAttribute(attribute)] = !on;
          applyFilters();
        });
      });
    }
    toggles(".family-toggle", "data-family", offFamilies);
    toggles(".evidence-toggle", "data-evidence", offEvidence);
    var statusSelect = document.getElementById("status-filter");
    if (statusSelect) { statusSelect.addEventListener("change", function () { statusFilter = statusSelect.value; applyFilters(); }); }

    // --- selection and dimming ---------------------------------------------------------------
    function select(id) {
      current.selected = id;
      var near = {}; near[id] = true;
      neighbours[id].forEach(function (m) { near[m] = true; });
      current.near = near;
      nodes.update(data.nodes.map(function (n) { return { id: n.id, opacity: near[n.id] ? 1 : 0.15 }; }));
      edges.update(data.edges.map(function (e) {
        var on = e.source === id || e.target === id;
        return { id: e.id, color: { color: on ? "#e8e8e8" : "#9aa3ad", opacity: on ? 1 : 0.15 }, width: on ? 2.4 : 1.6 };
      }));
      network.selectNodes([id], false);
      live.textContent = byId[id].label;
    }
    function clear() {
      current.selected = null; current.near = null; current.pinned = false;
      nodes.update(data.nodes.map(function (n) { return { id: n.id, opacity: 1 }; }));
      edges.update(data.edges.map(function (e) { return { id: e.id, color: { color: "#9aa3ad", opacity: 1 }, width: 1.6 }; }));
      network.unselectAll();
      hideTip(true);
    }

    // --- tooltips ------------------------------------------------------------------------------
    function el(tag, cls, value, lang) {
      var d = document.createElement(tag);
      if (cls) { d.className = cls; }
      if (value !== undefined && value !== null) { d.textContent = value; }
      if (lang) { d.setAttribute("lang", lang); }
      return d;
    }
    function evidenceBlock(ev) {
      var out = document.createDocumentFragment();
      if (!ev) { return out; }
      if (ev.evidence_label) {
        var m = el("div", "meta", text.evidence_kind + ": " + ev.evidence_label);
        if (ev.inferred) { m.appendChild(el("span", "inferred", " (" + text.inferred + ")")); }
        out.appendChild(m);
      }
      var sentence = ev.s !== undefined ? data.sentences[ev.s] : ev.quote;
      var reader = sourceHref(ev);
      if (sentence) {
        var q = el("div", "quote", null, data.quote_lang);
        var holder = q;
        if (reader && pinnedNow) {  // the quote leads to its sentence in the source reader
          holder = el("a"); holder.href = reader; holder.title = text.in_source; q.appendChild(holder);
        }
        var span = ev.quote !== undefined && ev.s === undefined ? [0, sentence.length] : (ev.span || [0, sentence.length]);
        holder.appendChild(document.createTextNode("\u201c" + sentence.slice(0, span[0])));
        holder.appendChild(el("mark", null, sentence.slice(span[0], span[1])));
        holder.appendChild(document.createTextNode(sentence.slice(span[1]) + "\u201d"));
        out.appendChild(q);
      }
      if (ev.d !== undefined) {
        var where = ev.paragraph ? ", " + text.paragraph.replace("{p}", ev.paragraph).replace("{s}", ev.sentence_number) : "";
        out.appendChild(el("div", "meta", text.source + ": " + data.documents[ev.d] + where));
      }
      return out;
    }
    // --- into the explorer (when the page knows where it is: served by `hetao-kg serve`, or a base given) ---
    var KG = "https://w3id.org/hetao-kg/id/";
    function entityHref(iri) { return base !== null && iri && iri.indexOf(KG) === 0 ? base + "/id/" + iri.slice(KG.length) : null; }
    function sourceHref(ev) {
      if (base === null || !ev || ev.d === undefined || !data.document_ids[ev.d]) { return null; }
      return base + "/source/" + data.document_ids[ev.d] + (ev.sid ? "#" + ev.sid : "");
    }
    function actions(links) {
      var box = el("div", "actions");
      links.forEach(function (l) { if (l[0]) { var a = el("a", null, l[1]); a.href = l[0]; box.appendChild(a); } });
      return box.childNodes.length ? box : document.createDocumentFragment();
    }
    var pinnedNow = false;
    function fill(target, pinned) {
      while (tip.firstChild) { tip.removeChild(tip.firstChild); }
      pinnedNow = !!pinned;
      if (pinned) {
        var close = el("button", "close", "\u00d7");
        close.type = "button"; close.setAttribute("aria-label", text.close);
        close.addEventListener("click", function () { hideTip(true); container.focus({ preventScroll: true }); });
        tip.appendChild(close);
      }
      if (target.type === "node") {
        var n = byId[target.id];
        tip.appendChild(el("div", "title", n.label, n.lang));
        var said = {}; said[n.label] = true;
        n.labels.forEach(function (l) { if (!said[l.text]) { said[l.text] = true; tip.appendChild(el("div", "label", l.text, l.lang)); } });
        if (n.family !== "more") {
          var fam = text.families[n.family];
          tip.appendChild(el("div", "meta", text.kind + ": " + fam + (n.kind && n.kind !== fam ? " (" + n.kind + ")" : "")));
        }
        if (n.more) { tip.appendChild(el("div", "meta", text.more_info.replace("{n}", n.more))); }
        if (n.status) { tip.appendChild(el("div", "meta", text.status + ": " + n.status)); }
        if (n.sector) { tip.appendChild(el("div", "meta", text.sector + ": " + n.sector)); }
        n.attributes.forEach(function (a) {
          if (a.value === n.status || a.value === n.sector) { return; }
          var d = el("div", "meta", a.property + ": " + a.value);
          if (a.inferred) { d.appendChild(el("span", "inferred", " (" + text.inferred + ")")); }
          tip.appendChild(d);
        });
        n.hub.forEach(function (h) { tip.appendChild(el("div", "meta", h)); });
        tip.appendChild(evidenceBlock(n.evidence));
        if (pinned) { tip.appendChild(actions([[entityHref(n.iri), text.open_page], [sourceHref(n.evidence), text.in_source]])); }
      } else {
        var e = edgeById[target.id];
        var t = el("div", "title");
        t.appendChild(el("span", null, e.source_label, byId[e.source].lang));
        t.appendChild(document.createTextNode(" \u2192 " + e.label + " \u2192 "));
        t.appendChild(el("span", null, e.target_label, byId[e.target].lang));
        tip.appendChild(t);
        tip.appendChild(evidenceBlock(e.evidence));
        if (pinned) {
          tip.appendChild(actions([[e.evidence.g ? entityHref(KG + e.evidence.g) : null, text.open_assertion], [sourceHref(e.evidence), text.in_source],
                                   [entityHref(byId[e.source].iri), e.source_label], [entityHref(byId[e.target].iri), e.target_label]]));
        }
      }
    }
    function anchorOf(target) {
      if (target.type === "node") {
        var n = byId[target.id], k = scale(), c = toPage(n.x, n.y), rr = disp(n) * k * 1.3;
        var box = { left: c.x - rr, top: c.y - rr, right: c.x + rr, bottom: c.y + rr };
        shownLabels.forEach(function (l) {
          if (l.id === n.id) {
            box = { left: Math.min(box.left, l.box[0]), top: Math.min(box.top, l.box[1]), right: Math.max(box.right, l.box[2]), bottom: Math.max(box.bottom, l.box[3]) };
          }
        });
        return box;
      }
      return { left: target.x - 6, top: target.y - 6, right: target.x + 6, bottom: target.y + 6 };
    }
    function sheet() { return current.pinned && (window.innerWidth <= 700 || window.innerHeight <= 500); }
    function around(target) {  // what the details must not cover: the node and its label, and a focus's neighbours and link types
      var out = [anchorOf(target)];
      if (target.type !== "node" || !current.near || target.id !== current.selected) { return out; }
      var k = scale();
      Object.keys(current.near).forEach(function (id) {
        if (id === target.id || hidden[id]) { return; }
        var n = byId[id], c = toPage(n.x, n.y), rr = disp(n) * k + 2;
        out.push({ left: c.x - rr, top: c.y - rr, right: c.x + rr, bottom: c.y + rr });
      });
      shownLabels.forEach(function (l) {
        if (current.near[l.id] || l.id.indexOf("edge:") === 0) { out.push({ left: l.box[0], top: l.box[1], right: l.box[2], bottom: l.box[3] }); }
      });
      return out;
    }
    function place(target) {
      if (sheet()) { tip.style.left = ""; tip.style.top = ""; return; }  // a bottom sheet (view.css)
      var a = anchorOf(target), keep = around(target), W = window.innerWidth, H = window.innerHeight, gap = 10;
      tip.style.left = "0px"; tip.style.top = "0px";
      var w = tip.offsetWidth, h = tip.offsetHeight;
      var all = keep.reduce(function (u, b) {
        return { left: Math.min(u.left, b.left), top: Math.min(u.top, b.top), right: Math.max(u.right, b.right), bottom: Math.max(u.bottom, b.bottom) };
      });
      function beside(b) {
        return [[b.right + gap, (b.top + b.bottom) / 2 - h / 2], [b.left - gap - w, (b.top + b.bottom) / 2 - h / 2],
                [(b.left + b.right) / 2 - w / 2, b.bottom + gap], [(b.left + b.right) / 2 - w / 2, b.top - gap - h]];
      }
      var r = rect(), corners = [[r.left + 8, r.top + 8], [r.right - w - 8, r.top + 8], [r.left + 8, r.bottom - h - 8], [r.right - w - 8, r.bottom - h - 8]];
      function clamp(p) { return [Math.max(8, Math.min(W - w - 8, p[0])), Math.max(8, Math.min(H - h - 8, p[1]))]; }
      function over(p, b) { return p[0] < b.right && b.left < p[0] + w && p[1] < b.bottom && b.top < p[1] + h; }
      function free(p) { return !keep.some(function (b) { return over(p, b); }); }
      var spots = beside(a).concat(beside(all), corners).map(clamp), best = spots.filter(free)[0] || null;
      for (var i = 0; i < 4 && !best; i++) { if (!over(spots[i], a)) { best = spots[i]; } }  // a crowded focus: at least not on the node
      if (!best) { best = clamp(a.top > H / 2 ? [8, 8] : [8, H - h - 8]); }
      tip.style.left = Math.round(best[0]) + "px"; tip.style.top = Math.round(best[1]) + "px";
    }
    function showTip(target, pinned) {
      if (current.pinned && !pinned) { return; }
      fill(target, pinned);
      pinnedAt = pinned && lastPointer === "touch" ? Date.now() : 0;
      tip.hidden = false;
      tip.classList.toggle("pinned", !!pinned);
      tip.scrollTop = 0;
      current.tipFor = target; current.pinned = !!pinned;
      place(target);
    }
    // a tap opens the details under the finger: the click the browser sends after that touch
    // must not land on the sheet's close button or links
    var pinnedAt = 0, lastPointer = "";
    container.addEventListener("pointerdown", function (ev) { lastPointer = ev.pointerType; }, true);
    container.addEventListener("keydown", function () { lastPointer = ""; }, true);
    tip.addEventListener("click", function (ev) {
      if (Date.now() - pinnedAt < 400) { ev.preventDefault(); ev.stopPropagation(); }
    }, true);
    function hideTip(force) {
      if (current.pinned && !force) { return; }
      tip.hidden = true; current.tipFor = null; current.pinned = false;
      tip.classList.remove("pinned");
    }
    function pagePoint(params) { var r = rect(); return { x: params.pointer.DOM.x + r.left, y: params.pointer.DOM.y + r.top }; }

    // --- pointer: vis-network pans and zooms; we listen ------------------------------------------
    network.on("hoverNode", function (p) { showTip({ type: "node", id: p.node }, false); });
    network.on("blurNode", function () { hideTip(false); });
    network.on("hoverEdge", function (p) { var q = pagePoint(p); showTip({ type: "edge", id: p.edge, x: q.x, y: q.y }, false); });
    network.on("blurEdge", function () { hideTip(false); });
    network.on("dragStart", function () { hideTip(true); });
    network.on("zoom", function () { resize(); if (current.tipFor) { place(current.tipFor); } });
    function moved(p) {  // a node dragged by the user: it stays where it is put (the page's layout is unchanged)
      if (!p.nodes || !p.nodes.length) { return; }
      var at = network.getPositions(p.nodes);
      p.nodes.forEach(function (id) { byId[id].x = at[id].x; byId[id].y = at[id].y; });
    }
    network.on("dragging", moved);
    network.on("dragEnd", moved);
    network.on("doubleClick", function (p) {  // straight to the explorer's page of a node or a link's statement
      var href = p.nodes.length ? entityHref(byId[p.nodes[0]].iri)
        : p.edges.length && edgeById[p.edges[0]] && edgeById[p.edges[0]].evidence.g ? entityHref(KG + edgeById[p.edges[0]].evidence.g) : null;
      if (href) { window.location.href = href; }
    });
    network.on("click", function (p) {
      if (p.nodes.length) { activate(p.nodes[0]); select(p.nodes[0]); showTip({ type: "node", id: p.nodes[0] }, true); }
      else if (p.edges.length) { var q = pagePoint(p); current.pinned = false; showTip({ type: "edge", id: p.edges[0], x: q.x, y: q.y }, true); }
      else { clear(); }
    });
    container.addEventListener("pointerleave", function () { hideTip(false); });
    document.getElementById("fit").addEventListener("click", fit);
    document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.4); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(1 / 1.4); });
    window.addEventListener("resize", function () {  // a turned phone, an opened keyboard: keep the selection in view
      if (current.selected) { centreOn(current.selected); if (current.tipFor) { place(current.tipFor); } } else { fit(); }
    });

    // --- keyboard: Tab into the drawing, arrows move between nodes, Enter opens details -----
    function activate(id) {
      current.active = id;
      container.setAttribute("aria-activedescendant", "");
      live.textContent = byId[id].label;
      network.redraw();
    }
    function move(dx, dy) {
      var from = byId[current.active], best = null, bestScore = Infinity;
      visible().forEach(function (n) {
        if (n.id === from.id) { return; }
        var vx = n.x - from.x, vy = n.y - from.y, along = vx * dx + vy * dy, across = Math.abs(vx * dy - vy * dx);
        if (along <= 0) { return; }
        var score = along + 2 * across;
        if (score < bestScore) { bestScore = score; best = n; }
      });
      if (!best) { return; }
      activate(best.id);
      var p = toPage(best.x, best.y), r = rect();
      if (p.x < r.left + 20 || p.x > r.right - 20 || p.y < r.top + 20 || p.y > r.bottom - 20) { centreOn(best.id); }
      if (current.tipFor) { showTip({ type: "node", id: best.id }, true); }
    }
    container.addEventListener("focus", function () {
      if (!current.active) { activate(visible().slice().sort(function (a, b) { return a.priority - b.priority; })[0].id); }
      network.redraw();
    });
    container.addEventListener("blur", function () { network.redraw(); });
    container.addEventListener("keydown", function (ev) {
      var keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (keys[ev.key] && current.active) { ev.preventDefault(); move(keys[ev.key][0], keys[ev.key][1]); }
      else if ((ev.key === "Enter" || ev.key === " ") && current.active) {
        ev.preventDefault(); select(current.active); showTip({ type: "node", id: current.active }, true);
      } else if (ev.key === "+" || ev.key === "=") { zoomBy(1.4); }
      else if (ev.key === "-") { zoomBy(1 / 1.4); }
      else if (ev.key === "0") { fit(); }
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { clear(); input.value = ""; results.hidden = true; }
    });

    // --- search: zh-Hans, zh-Hant, English, pinyin (the view's slice of the index) -----------
    var input = document.getElementById("search"), results = document.getElementById("results");
    function fold(s) {
      return s.toLowerCase().replace(/\u00fc/g, "v").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[\s\p{P}\p{S}_]+/gu, "");
    }
    function search(q) {
      var f = fold(q);
      if (!f) { return []; }
      var hits = [];
      data.nodes.forEach(function (n) {
        if (n.family === "more") { return; }
        var score = 0;
        n.search.forEach(function (t) { score = Math.max(score, t === f ? 3 : t.indexOf(f) === 0 ? 2 : t.indexOf(f) > 0 ? 1 : 0); });
        if (score) { hits.push([score, n]); }
      });
      hits.sort(function (a, b) { return b[0] - a[0] || a[1].priority - b[1].priority; });
      return hits.slice(0, 8).map(function (h) { return h[1]; });
    }
    function focusNode(id) {
      if (hidden[id]) {  // a hit hidden by a filter: show its family again
        offFamilies[byId[id].family] = false;
        var b = document.querySelector('.family-toggle[data-family="' + byId[id].family + '"]');
        if (b) { b.setAttribute("aria-pressed", "true"); }
        statusFilter = ""; if (statusSelect) { statusSelect.value = ""; }
        applyFilters();
      }
      centreOn(id); activate(id); select(id);
      showTip({ type: "node", id: id }, true);
    }
    var hitList = [], chosen = 0;
    function choose(i) {  // the highlighted hit: arrow keys move it, Enter opens it
      var items = results.querySelectorAll("li[role=option]");
      if (!items.length) { input.removeAttribute("aria-activedescendant"); return; }
      chosen = (i + items.length) % items.length;
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === chosen ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[chosen].id);
      items[chosen].scrollIntoView({ block: "nearest" });
    }
    function showResults() {
      while (results.firstChild) { results.removeChild(results.firstChild); }
      hitList = [];
      if (!input.value) { results.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); return; }
      hitList = search(input.value);
      if (!hitList.length) { results.appendChild(el("li", "none", text.no_match)); }
      hitList.forEach(function (n, i) {
        var li = el("li", null, n.label, n.lang);
        li.id = "hit-" + i;
        li.setAttribute("role", "option");
        li.addEventListener("pointerdown", function (ev) { ev.preventDefault(); results.hidden = true; focusNode(n.id); });
        results.appendChild(li);
      });
      results.hidden = false;
      input.setAttribute("aria-expanded", "true");
      choose(0);
    }
    input.addEventListener("input", showResults);
    input.addEventListener("keydown", function (ev) {
      if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && hitList.length) {
        ev.preventDefault();
        if (results.hidden) { results.hidden = false; }
        choose(chosen + (ev.key === "ArrowDown" ? 1 : -1));
      } else if (ev.key === "Enter") {
        if (!hitList.length && input.value) { hitList = search(input.value); chosen = 0; }
        var hit = hitList[chosen];
        if (hit) { ev.preventDefault(); results.hidden = true; input.setAttribute("aria-expanded", "false"); focusNode(hit.id); }
      }
    });

    // --- table alternative -----------------------------------------------------------------------
    var toggle = document.getElementById("table-toggle"), table = document.getElementById("table-view");
    toggle.addEventListener("click", function () {
      var on = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? text.drawing : text.table;
      table.hidden = !on;
      container.hidden = on;
      if (!on) { network.redraw(); fit(); }
    });

    // --- start -------------------------------------------------------------------------------------
    if (window.matchMedia && window.matchMedia("(hover: none)").matches) {
      var hint = document.getElementById("hint"); hint.textContent = hint.getAttribute("data-touch");
    }
    var legend = document.getElementById("legend");
    if (window.innerWidth <= 700 || window.innerHeight <= 500) { legend.open = false; }
    legend.addEventListener("toggle", function () { network.redraw(); });
    fit();
    window.hetaoView = {
      fit: fit, zoom: zoomBy, select: select, focusNode: focusNode, clear: clear, scale: scale, labelPx: labelPx,
      point: function (id) { return toPage(byId[id].x, byId[id].y); },
      nodeId: function (iri) { var n = data.nodes.filter(function (m) { return m.iri === iri; })[0]; return n ? n.id : null; },
      labels: function () { return shownLabels.slice(); },
      nodes: function () {
        return data.nodes.map(function (n) {
          var p = toPage(n.x, n.y);
          return { id: n.id, iri: n.iri, label: n.label, family: n.family, mark: n.mark, hidden: !!hidden[n.id], x: p.x, y: p.y,
                   r: disp(n) * scale(), colour: network.body.nodes[n.id].options.color.background, shape: network.body.nodes[n.id].options.shape,
                   opacity: nodes.get(n.id).opacity === undefined ? 1 : nodes.get(n.id).opacity };
        });
      },
      edges: function () {
        return data.edges.map(function (e) {
          var a = toPage(byId[e.source].x, byId[e.source].y), b = toPage(byId[e.target].x, byId[e.target].y);
          return { id: e.id, source: e.source, target: e.target, label: e.label, inferred: e.inferred, more: e.more,
                   dashed: !!edges.get(e.id).dashes, hidden: !!hiddenEdges[e.id], mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } };
        });
      },
      active: function () { return current.active; },
      priority: function (id) { return byId[id].priority; },
      lanes: function () {  // where each heading's first line is drawn (or would be)
        return (data.lanes || []).map(function (l) { var p = laneAt[l.id] || toPage(l.x, l.y); return { label: l.label, x: p.x, y: p.y }; });
      },
      boxes: function () {
        return (data.boxes || []).map(function (b) {
          var a = toPage(b.x, b.y), c = toPage(b.x + b.w, b.y + b.h);
          return { id: b.id, label: b.label, info: b.info, box: [a.x, a.y, c.x, c.y] };
        });
      }
    };
    network.once("afterDrawing", function () {
      window.requestAnimationFrame(function () { document.body.setAttribute("data-ready", "true"); });
    });
    network.redraw();
  }
})();
