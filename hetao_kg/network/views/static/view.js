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

    // --- drawing: group boxes, labels by level of detail, marks and the focus ring ------
    function measure(ctx, id, t) {
      if (widths[id] === undefined) { ctx.font = labelPx + "px " + FONT; widths[id] = ctx.measureText(t).width; }
      return widths[id];
    }
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
      var k = scale(), r = rect(), placed = [];
      shownLabels = [];
      ctx.save();
      ctx.font = (labelPx / k) + "px " + FONT;
      ctx.lineJoin = "round"; ctx.lineWidth = 3 / k; ctx.strokeStyle = "#16191d";
      function place(id, t, cx, top, align, alpha) {  // cx, top in canvas units; boxes in page pixels
        var w = measure(ctx, id, t), p = toPage(cx, top);
        var left = align === "left" ? p.x : p.x - w / 2;
        var box = [left - 1, p.y - 1, left + w + 1, p.y + labelPx * 1.3 + 1];
        if (box[0] < r.left || box[2] > r.right || box[1] < r.top || box[3] > r.bottom) { return; }
        if (placed.some(function (q) { return box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3]; })) { return; }
        placed.push(box);
        ctx.globalAlpha = alpha; ctx.textAlign = align === "left" ? "left" : "center"; ctx.textBaseline = "top";
        ctx.strokeText(t, cx, top); ctx.fillStyle = "#eeeeee"; ctx.fillText(t, cx, top);
        shownLabels.push({ id: id, text: t, px: parseFloat(ctx.font) * k, box: box });
      }
      (data.boxes || []).forEach(function (b) {
        place(b.id + "#label", b.label, b.x + 12 / k, b.y + 8 / k, "left", 1);
        place(b.id + "#info", b.info, b.x + 12 / k, b.y + 8 / k + labelPx * 1.6 / k, "left", 1);
      });
      visible().slice().sort(function (a, b) { return a.priority - b.priority; }).forEach(function (n) {
        var alpha = current.near && !current.near[n.id] ? 0.15 : 1;
        place(n.id, labelText(n), n.x, n.y + n.r + 4 / k, "center", alpha);
      });
      ctx.globalAlpha = 1;
      data.nodes.forEach(function (n) {
        if (n.mark && !hidden[n.id]) {
          ctx.beginPath(); ctx.arc(n.x, n.y, n.r + 7, 0, 2 * Math.PI); ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 3; ctx.stroke();
        }
      });
      if (current.active && document.activeElement === container) {
        var a = byId[current.active];
        ctx.beginPath(); ctx.arc(a.x, a.y, a.r + 11, 0, 2 * Math.PI); ctx.strokeStyle = "#ffd166"; ctx.lineWidth = 3 / k; ctx.stroke();
      }
      ctx.restore();
    });

    // --- fit and zoom ------------------------------------------------------------------
    function fit() {
      var r = rect(), ns = visible().length ? visible() : data.nodes;
      var legend = document.getElementById("legend");
      var right = legend && legend.open && window.innerWidth > 700 ? legend.getBoundingClientRect().width + 16 : 0;
      var pad = 16, w = Math.max(40, r.width - 2 * pad - right), h = Math.max(40, r.height - 2 * pad);
      var k = 1, x0, y0, x1, y1;
      var ctx = document.createElement("canvas").getContext("2d");
      for (var round = 0; round < 3; round++) {  // labels keep their pixel size, so the bounds depend on k
        x0 = Infinity; y0 = Infinity; x1 = -Infinity; y1 = -Infinity;
        ns.forEach(function (n) {
          var half = Math.max(n.r, measure(ctx, n.id, labelText(n)) / 2 / k);
          x0 = Math.min(x0, n.x - half); x1 = Math.max(x1, n.x + half);
          y0 = Math.min(y0, n.y - n.r); y1 = Math.max(y1, n.y + n.r + (4 + labelPx * 1.4) / k);
        });
        (data.boxes || []).forEach(function (b) { x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h); });
        k = Math.min(w / Math.max(1, x1 - x0), h / Math.max(1, y1 - y0), 1.6);
      }
      // centre of the drawing at the centre of the free area (left of an open legend)
      var cx = (x0 + x1) / 2 + (right / 2) / k, cy = (y0 + y1) / 2;
      network.moveTo({ position: { x: cx, y: cy }, scale: k, animation: false });
    }
    function zoomBy(f) {
      var k = Math.max(0.05, Math.min(8, scale() * f));
      network.moveTo({ position: network.getViewPosition(), scale: k, animation: false });
    }
    function centreOn(id) {
      network.moveTo({ position: { x: byId[id].x, y: byId[id].y }, scale: Math.max(1, scale()), animation: false });
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
      if (sentence) {
        var q = el("div", "quote", null, data.quote_lang);
        var span = ev.quote !== undefined && ev.s === undefined ? [0, sentence.length] : (ev.span || [0, sentence.length]);
        q.appendChild(document.createTextNode("\u201c" + sentence.slice(0, span[0])));
        q.appendChild(el("mark", null, sentence.slice(span[0], span[1])));
        q.appendChild(document.createTextNode(sentence.slice(span[1]) + "\u201d"));
        out.appendChild(q);
      }
      if (ev.d !== undefined) {
        var where = ev.paragraph ? ", " + text.paragraph.replace("{p}", ev.paragraph).replace("{s}", ev.sentence_number) : "";
        out.appendChild(el("div", "meta", text.source + ": " + data.documents[ev.d] + where));
      }
      return out;
    }
    function fill(target) {
      while (tip.firstChild) { tip.removeChild(tip.firstChild); }
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
      } else {
        var e = edgeById[target.id];
        var t = el("div", "title");
        t.appendChild(el("span", null, e.source_label, byId[e.source].lang));
        t.appendChild(document.createTextNode(" \u2192 " + e.label + " \u2192 "));
        t.appendChild(el("span", null, e.target_label, byId[e.target].lang));
        tip.appendChild(t);
        tip.appendChild(evidenceBlock(e.evidence));
      }
    }
    function anchorOf(target) {
      if (target.type === "node") {
        var n = byId[target.id], k = scale(), c = toPage(n.x, n.y), rr = n.r * k * 1.3;
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
    function place(target) {
      var a = anchorOf(target), W = window.innerWidth, H = window.innerHeight, gap = 10;
      tip.style.left = "0px"; tip.style.top = "0px";
      var w = tip.offsetWidth, h = tip.offsetHeight;
      var spots = [[a.right + gap, (a.top + a.bottom) / 2 - h / 2], [a.left - gap - w, (a.top + a.bottom) / 2 - h / 2],
                   [(a.left + a.right) / 2 - w / 2, a.bottom + gap], [(a.left + a.right) / 2 - w / 2, a.top - gap - h]];
      function clamp(p) { return [Math.max(8, Math.min(W - w - 8, p[0])), Math.max(8, Math.min(H - h - 8, p[1]))]; }
      function overlaps(p) { return p[0] < a.right && a.left < p[0] + w && p[1] < a.bottom && a.top < p[1] + h; }
      var best = null;
      for (var i = 0; i < spots.length && !best; i++) { var c = clamp(spots[i]); if (!overlaps(c)) { best = c; } }
      if (!best) { best = clamp(a.top > H / 2 ? [8, 8] : [8, H - h - 8]); }
      tip.style.left = Math.round(best[0]) + "px"; tip.style.top = Math.round(best[1]) + "px";
    }
    function showTip(target, pinned) {
      if (current.pinned && !pinned) { return; }
      fill(target);
      tip.hidden = false;
      current.tipFor = target; current.pinned = !!pinned;
      place(target);
    }
    function hideTip(force) {
      if (current.pinned && !force) { return; }
      tip.hidden = true; current.tipFor = null; current.pinned = false;
    }
    function pagePoint(params) { var r = rect(); return { x: params.pointer.DOM.x + r.left, y: params.pointer.DOM.y + r.top }; }

    // --- pointer: vis-network pans and zooms; we listen ------------------------------------------
    network.on("hoverNode", function (p) { showTip({ type: "node", id: p.node }, false); });
    network.on("blurNode", function () { hideTip(false); });
    network.on("hoverEdge", function (p) { var q = pagePoint(p); showTip({ type: "edge", id: p.edge, x: q.x, y: q.y }, false); });
    network.on("blurEdge", function () { hideTip(false); });
    network.on("dragStart", function () { hideTip(true); });
    network.on("zoom", function () { if (current.tipFor) { place(current.tipFor); } });
    network.on("click", function (p) {
      if (p.nodes.length) { activate(p.nodes[0]); select(p.nodes[0]); showTip({ type: "node", id: p.nodes[0] }, true); }
      else if (p.edges.length) { var q = pagePoint(p); current.pinned = false; showTip({ type: "edge", id: p.edges[0], x: q.x, y: q.y }, true); }
      else { clear(); }
    });
    container.addEventListener("pointerleave", function () { hideTip(false); });
    document.getElementById("fit").addEventListener("click", fit);
    document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.4); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(1 / 1.4); });
    window.addEventListener("resize", function () { fit(); });

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
    function showResults() {
      while (results.firstChild) { results.removeChild(results.firstChild); }
      if (!input.value) { results.hidden = true; return; }
      var hits = search(input.value);
      if (!hits.length) { results.appendChild(el("li", "none", text.no_match)); }
      hits.forEach(function (n, i) {
        var li = el("li", null, n.label, n.lang);
        li.setAttribute("role", "option");
        if (i === 0) { li.setAttribute("aria-selected", "true"); }
        li.addEventListener("pointerdown", function (ev) { ev.preventDefault(); results.hidden = true; focusNode(n.id); });
        results.appendChild(li);
      });
      results.hidden = false;
    }
    input.addEventListener("input", showResults);
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { var first = search(input.value)[0]; if (first) { results.hidden = true; focusNode(first.id); } }
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
    if (window.innerWidth <= 700) { legend.open = false; }
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
                   r: n.r * scale(), colour: network.body.nodes[n.id].options.color.background, shape: network.body.nodes[n.id].options.shape,
                   opacity: nodes.get(n.id).opacity === undefined ? 1 : nodes.get(n.id).opacity };
        });
      },
      edges: function () {
        return data.edges.map(function (e) {
          var a = toPage(byId[e.source].x, byId[e.source].y), b = toPage(byId[e.target].x, byId[e.target].y);
          return { id: e.id, source: e.source, target: e.target, inferred: e.inferred, more: e.more,
                   dashed: !!edges.get(e.id).dashes, hidden: !!hiddenEdges[e.id], mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } };
        });
      },
      active: function () { return current.active; },
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
