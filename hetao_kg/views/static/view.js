/* hetao-kg network view: pan and zoom over a drawing laid out in Python, labels by
   level of detail, search, filters, legend toggles, neighbour dimming, tooltips that
   cite, keyboard navigation and a table alternative. Labels and quotes are data:
   they reach the page only through textContent. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hetao-data").textContent);
  var text = data.text;
  var svg = document.getElementById("canvas");
  var world = document.getElementById("world");
  var tip = document.getElementById("tooltip");
  var live = document.getElementById("live");
  var SVGNS = "http://www.w3.org/2000/svg";
  var byId = {}, nodeEl = {}, labelEl = {}, edgeEl = {}, neighbours = {}, edgesOf = {};
  data.nodes.forEach(function (n) {
    byId[n.id] = n; nodeEl[n.id] = document.getElementById(n.id);
    neighbours[n.id] = []; edgesOf[n.id] = [];
  });
  svg.querySelectorAll("text.label[data-id]").forEach(function (t) { labelEl[t.getAttribute("data-id")] = t; });
  var edgeById = {};
  data.edges.forEach(function (e) {
    edgeById[e.id] = e;
    neighbours[e.source].push(e.target); neighbours[e.target].push(e.source);
    edgesOf[e.source].push(e.id); edgesOf[e.target].push(e.id);
  });
  svg.querySelectorAll("g.edge").forEach(function (g) { edgeEl[g.getAttribute("data-id")] = g; });
  var groupById = {};
  (data.groups || []).forEach(function (g) { groupById[g.id] = g; });
  var groupLinkById = {};
  (data.group_links || []).forEach(function (g) { groupLinkById[g.id] = g; });

  // --- view transform -------------------------------------------------------------
  var view = { k: 1, x: 0, y: 0 };
  var labelPx = data.label_px;
  function size() { var r = svg.getBoundingClientRect(); return { w: r.width || 1, h: r.height || 1, left: r.left, top: r.top }; }
  function apply() {
    world.setAttribute("transform", "translate(" + view.x.toFixed(2) + "," + view.y.toFixed(2) + ") scale(" + view.k.toFixed(5) + ")");
    var fs = (labelPx / view.k).toFixed(3);
    Object.keys(labelEl).forEach(function (id) {
      var t = labelEl[id];
      t.setAttribute("font-size", fs);
      if (byId[id]) { t.setAttribute("y", (byId[id].y + byId[id].r + 4 / view.k).toFixed(2)); }
    });
    svg.querySelectorAll("g.group").forEach(function (g) {
      var r = g.querySelector("rect"), ts = g.querySelectorAll("text"), y = +r.getAttribute("y");
      ts.forEach(function (t, i) { t.setAttribute("font-size", fs); t.setAttribute("y", (y + (18 + i * 21) / view.k).toFixed(2)); });
    });
    lod();
    if (current.tipFor) { place(current.tipFor); }
  }
  function visibleNodes() { return data.nodes.filter(function (n) { return !hidden[n.id]; }); }
  function fit() {
    var s = size(), ns = visibleNodes();
    if (!ns.length) { ns = data.nodes; }
    var legend = document.getElementById("legend");
    var right = (legend && legend.open && window.innerWidth > 700) ? legend.getBoundingClientRect().width + 16 : 0;
    var pad = 16, w = Math.max(40, s.w - 2 * pad - right), h = Math.max(40, s.h - 2 * pad);
    var k = 1;
    for (var round = 0; round < 3; round++) {  // labels keep their pixel size, so bounds depend on k
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      ns.forEach(function (n) {
        var half = Math.max(n.r, (widths[n.id] || 0) / 2 / k);
        x0 = Math.min(x0, n.x - half); x1 = Math.max(x1, n.x + half);
        y0 = Math.min(y0, n.y - n.r); y1 = Math.max(y1, n.y + n.r + (4 + labelPx * 1.4) / k);
      });
      svg.querySelectorAll("g.group rect").forEach(function (r) {
        var bx = +r.getAttribute("x"), by = +r.getAttribute("y");
        x0 = Math.min(x0, bx); y0 = Math.min(y0, by); x1 = Math.max(x1, bx + +r.getAttribute("width")); y1 = Math.max(y1, by + +r.getAttribute("height"));
      });
      k = Math.min(w / Math.max(1, x1 - x0), h / Math.max(1, y1 - y0), 1.6);
    }
    view.k = k;
    view.x = pad + (w - (x1 - x0) * k) / 2 - x0 * k;
    view.y = pad + (h - (y1 - y0) * k) / 2 - y0 * k;
    apply();
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.max(0.05, Math.min(8, view.k * factor));
    var f = k / view.k;
    view.x = cx - (cx - view.x) * f; view.y = cy - (cy - view.y) * f; view.k = k;
    apply();
  }
  function zoomCentre(factor) { var s = size(); zoomAt(factor, s.w / 2, s.h / 2); }
  function screen(n) { var s = size(); return { x: s.left + view.x + n.x * view.k, y: s.top + view.y + n.y * view.k }; }
  function centreOn(n) {
    var s = size();
    if (view.k < 1) { view.k = 1; }
    view.x = s.w / 2 - n.x * view.k; view.y = s.h / 2 - n.y * view.k;
    apply();
  }

  // --- level of detail: labels at a constant size, none overlapping -----------------
  var widths = {};
  function lod() {
    // Greedy by priority over the labels' real boxes (read all first, then write).
    var s = size(), placed = [];
    var candidates = [];
    svg.querySelectorAll("text.group-label").forEach(function (t) { candidates.push(t); });
    visibleNodes().slice().sort(function (a, b) { return a.priority - b.priority; }).forEach(function (n) {
      if (labelEl[n.id]) { candidates.push(labelEl[n.id]); }
    });
    var boxes = candidates.map(function (t) {
      var r = t.getBoundingClientRect();
      return [r.left - s.left - 1, r.top - s.top - 1, r.right - s.left + 1, r.bottom - s.top + 1];
    });
    var show = boxes.map(function (box) {
      var off = box[0] < 0 || box[2] > s.w || box[1] < 0 || box[3] > s.h;  // wholly on screen or not at all
      var clash = placed.some(function (q) { return box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3]; });
      if (!off && !clash) { placed.push(box); return true; }
      return false;
    });
    candidates.forEach(function (t, i) { t.classList.toggle("lod-hidden", !show[i]); });
  }
  function measure() {  // label widths in screen pixels (font size labelPx / k, so width * k)
    Object.keys(labelEl).forEach(function (id) {
      var w = labelEl[id].getComputedTextLength() * view.k;
      if (!w) {  // not laid out (e.g. a hidden frame): estimate, wide characters count double
        var chars = labelEl[id].textContent;
        w = 0; for (var i = 0; i < chars.length; i++) { w += chars.charCodeAt(i) > 0x2e80 ? labelPx : labelPx * 0.6; }
      }
      widths[id] = w;
    });
  }

  // --- filters ----------------------------------------------------------------------
  var hidden = {}, hiddenEdges = {};
  var offFamilies = {}, offEvidence = {}, statusFilter = "";
  function applyFilters() {
    data.nodes.forEach(function (n) {
      var h = !!offFamilies[n.family] || (statusFilter && n.status_iri !== statusFilter && n.family !== "more");
      hidden[n.id] = h;
    });
    data.edges.forEach(function (e) {
      hiddenEdges[e.id] = hidden[e.source] || hidden[e.target] || !!offEvidence[e.inferred ? "inferred" : "stated"];
    });
    if (offEvidence.stated || offEvidence.inferred) {  // nodes left without any shown link go too
      data.nodes.forEach(function (n) {
        if (!hidden[n.id] && edgesOf[n.id].length && edgesOf[n.id].every(function (id) { return hiddenEdges[id]; })) { hidden[n.id] = true; }
      });
    }
    data.nodes.forEach(function (n) {
      nodeEl[n.id].classList.toggle("hidden", hidden[n.id]);
      if (labelEl[n.id]) { labelEl[n.id].classList.toggle("hidden", hidden[n.id]); }
    });
    data.edges.forEach(function (e) { edgeEl[e.id].classList.toggle("hidden", hiddenEdges[e.id]); });
    document.querySelectorAll("#node-table tbody tr").forEach(function (tr) { tr.hidden = !!hidden[tr.getAttribute("data-id")]; });
    document.querySelectorAll("#edge-table tbody tr").forEach(function (tr) { tr.hidden = !!hiddenEdges[tr.getAttribute("data-id")]; });
    if (current.selected && hidden[current.selected]) { clear(); }
    lod();
  }
  document.querySelectorAll(".family-toggle").forEach(function (b) {
    b.addEventListener("click", function () {
      var f = b.getAttribute("data-family"), on = b.getAttribute("aria-pressed") !== "true";
      b.setAttribute("aria-pressed", on ? "true" : "false");
      offFamilies[f] = !on;
      applyFilters();
    });
  });
  document.querySelectorAll(".evidence-toggle").forEach(function (b) {
    b.addEventListener("click", function () {
      var f = b.getAttribute("data-evidence"), on = b.getAttribute("aria-pressed") !== "true";
      b.setAttribute("aria-pressed", on ? "true" : "false");
      offEvidence[f] = !on;
      applyFilters();
    });
  });
  var statusSelect = document.getElementById("status-filter");
  if (statusSelect) { statusSelect.addEventListener("change", function () { statusFilter = statusSelect.value; applyFilters(); }); }

  // --- selection, dimming, tooltips ---------------------------------------------------
  var current = { selected: null, active: null, tipFor: null, pinned: false };
  function select(id) {
    current.selected = id;
    var near = {}; near[id] = true;
    neighbours[id].forEach(function (m) { near[m] = true; });
    svg.classList.add("dimming");
    data.nodes.forEach(function (n) {
      nodeEl[n.id].classList.toggle("near", !!near[n.id]);
      nodeEl[n.id].classList.toggle("selected", n.id === id);
      if (labelEl[n.id]) { labelEl[n.id].classList.toggle("near", !!near[n.id]); }
    });
    data.edges.forEach(function (e) { edgeEl[e.id].classList.toggle("near", e.source === id || e.target === id); });
    live.textContent = byId[id].label;
  }
  function clear() {
    current.selected = null; current.pinned = false;
    svg.classList.remove("dimming");
    svg.querySelectorAll(".near, .selected").forEach(function (el) { el.classList.remove("near", "selected"); });
    hideTip(true);
  }
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
    if (ev.quote) {
      var q = el("div", "quote", null, data.quote_lang);
      var sentence = ev.sentence_text || ev.quote, span = ev.span || [0, ev.quote.length];
      q.appendChild(document.createTextNode("\u201c" + sentence.slice(0, span[0])));
      q.appendChild(el("mark", null, sentence.slice(span[0], span[1])));
      q.appendChild(document.createTextNode(sentence.slice(span[1]) + "\u201d"));
      out.appendChild(q);
    }
    if (ev.document_label) {
      var where = ev.paragraph ? ", " + text.paragraph.replace("{p}", ev.paragraph).replace("{s}", ev.sentence_number) : "";
      out.appendChild(el("div", "meta", text.source + ": " + ev.document_label + where));
    }
    return out;
  }
  function fill(target) {
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    if (target.type === "node") {
      var n = byId[target.id];
      tip.appendChild(el("div", "title", n.label, n.lang));
      n.labels.forEach(function (l) { if (l.text !== n.label) { tip.appendChild(el("div", "label", l.text, l.lang)); } });
      if (n.family !== "more") { tip.appendChild(el("div", "meta", text.kind + ": " + text.families[n.family] + (n.kind ? " (" + n.kind + ")" : ""))); }
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
    } else if (target.type === "edge") {
      var e = edgeById[target.id] || groupLinkById[target.id];
      var t = el("div", "title");
      t.appendChild(el("span", null, e.source_label || e.source));
      t.appendChild(document.createTextNode(" \u2192 " + e.label + " \u2192 "));
      t.appendChild(el("span", null, e.target_label || e.target));
      tip.appendChild(t);
      tip.appendChild(evidenceBlock(e.evidence));
    } else if (target.type === "group") {
      var g = groupById[target.id];
      tip.appendChild(el("div", "title", g.label));
      tip.appendChild(el("div", "meta", g.info));
      tip.appendChild(evidenceBlock(g.evidence));
    }
  }
  function rectOf(target) {
    if (target.type === "node") {
      var r = nodeEl[target.id].getBoundingClientRect();
      var box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      var t = labelEl[target.id];
      if (t && !t.classList.contains("lod-hidden")) {
        var l = t.getBoundingClientRect();
        box = { left: Math.min(box.left, l.left), top: Math.min(box.top, l.top), right: Math.max(box.right, l.right), bottom: Math.max(box.bottom, l.bottom) };
      }
      return box;
    }
    return { left: target.x - 4, top: target.y - 4, right: target.x + 4, bottom: target.y + 4 };
  }
  function place(target) {
    var a = rectOf(target), W = window.innerWidth, H = window.innerHeight, gap = 10;
    tip.style.left = "0px"; tip.style.top = "0px";
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var spots = [
      [a.right + gap, (a.top + a.bottom) / 2 - h / 2], [a.left - gap - w, (a.top + a.bottom) / 2 - h / 2],
      [(a.left + a.right) / 2 - w / 2, a.bottom + gap], [(a.left + a.right) / 2 - w / 2, a.top - gap - h]
    ];
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

  // --- pointer: pan, zoom, hover, click, tap -------------------------------------------
  var drag = null;
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var s = size();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - s.left, ev.clientY - s.top);
  }, { passive: false });
  svg.addEventListener("pointerdown", function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
    svg.setPointerCapture && svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    if (!drag.moved) { drag.moved = true; hideTip(true); }
    view.x = drag.vx + dx; view.y = drag.vy + dy;
    apply();
  });
  function targetAt(ev) {
    var hit = document.elementFromPoint(ev.clientX, ev.clientY);
    var g = hit && hit.closest ? hit.closest("g.node, g.edge, g.group") : null;
    if (!g || !svg.contains(g)) { return null; }
    var id = g.getAttribute("data-id");
    if (g.classList.contains("node")) { return { type: "node", id: id }; }
    if (g.classList.contains("edge")) { return { type: "edge", id: id, x: ev.clientX, y: ev.clientY }; }
    return { type: "group", id: id, x: ev.clientX, y: ev.clientY };
  }
  svg.addEventListener("pointerup", function (ev) {
    var d = drag; drag = null;
    if (d && d.moved) { return; }
    var t = targetAt(ev);
    if (!t) { clear(); return; }
    if (t.type === "node") { activate(t.id); select(t.id); showTip(t, true); }
    else { current.pinned = false; showTip(t, true); }
  });
  svg.addEventListener("pointerover", function (ev) {
    if (drag || ev.pointerType === "touch") { return; }
    var t = targetAt(ev);
    if (t) { showTip(t, false); }
  });
  svg.addEventListener("pointerout", function (ev) {
    if (ev.pointerType === "touch") { return; }
    var into = ev.relatedTarget && ev.relatedTarget.closest ? ev.relatedTarget.closest("g.node, g.edge, g.group") : null;
    if (!into) { hideTip(false); }
  });
  svg.addEventListener("pointerleave", function () { hideTip(false); });
  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("zoom-in").addEventListener("click", function () { zoomCentre(1.4); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomCentre(1 / 1.4); });
  window.addEventListener("resize", function () { fit(); });

  // --- keyboard: Tab into the canvas, arrows move between nodes, Enter opens details ----
  var ring = document.createElementNS(SVGNS, "circle");
  ring.setAttribute("class", "focus-ring");
  ring.setAttribute("visibility", "hidden");
  world.appendChild(ring);
  function activate(id) {
    current.active = id;
    var n = byId[id];
    ring.setAttribute("cx", n.x); ring.setAttribute("cy", n.y); ring.setAttribute("r", n.r + 6);
    ring.setAttribute("visibility", "visible");
    svg.setAttribute("aria-activedescendant", id);
    live.textContent = n.label;
  }
  function move(dx, dy) {
    var from = byId[current.active], best = null, bestScore = Infinity;
    visibleNodes().forEach(function (n) {
      if (n.id === from.id) { return; }
      var vx = n.x - from.x, vy = n.y - from.y;
      var along = vx * dx + vy * dy, across = Math.abs(vx * dy - vy * dx);
      if (along <= 0) { return; }
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = n; }
    });
    if (best) {
      activate(best.id);
      var p = screen(best), s = size();
      if (p.x < s.left + 20 || p.x > s.left + s.w - 20 || p.y < s.top + 20 || p.y > s.top + s.h - 20) { centreOn(best); }
      if (current.tipFor) { showTip({ type: "node", id: best.id }, true); }
    }
  }
  svg.addEventListener("focus", function () {
    if (!current.active) { activate(visibleNodes().slice().sort(function (a, b) { return a.priority - b.priority; })[0].id); }
    ring.setAttribute("visibility", "visible");
  });
  svg.addEventListener("blur", function () { ring.setAttribute("visibility", "hidden"); });
  svg.addEventListener("keydown", function (ev) {
    var keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (keys[ev.key] && current.active) { ev.preventDefault(); move(keys[ev.key][0], keys[ev.key][1]); }
    else if ((ev.key === "Enter" || ev.key === " ") && current.active) {
      ev.preventDefault(); select(current.active); showTip({ type: "node", id: current.active }, true);
    } else if (ev.key === "+" || ev.key === "=") { zoomCentre(1.4); }
    else if (ev.key === "-") { zoomCentre(1 / 1.4); }
    else if (ev.key === "0") { fit(); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      clear();
      var input = document.getElementById("search");
      input.value = ""; results.hidden = true;
    }
  });

  // --- search: zh-Hans, zh-Hant, English, pinyin (the view's slice of the index) -------
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
      n.search.forEach(function (t) {
        var s = t === f ? 3 : (t.indexOf(f) === 0 ? 2 : (t.indexOf(f) > 0 ? 1 : 0));
        score = Math.max(score, s);
      });
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
    centreOn(byId[id]);
    activate(id); select(id);
    showTip({ type: "node", id: id }, true);
  }
  function showResults() {
    while (results.firstChild) { results.removeChild(results.firstChild); }
    var hits = search(input.value);
    if (!input.value) { results.hidden = true; return; }
    if (!hits.length) { results.appendChild(el("li", "none", text.no_match)); }
    hits.forEach(function (n, i) {
      var li = el("li", null, n.label, n.lang);
      li.setAttribute("role", "option");
      li.setAttribute("data-id", n.id);
      if (i === 0) { li.setAttribute("aria-selected", "true"); }
      li.addEventListener("pointerdown", function (ev) { ev.preventDefault(); results.hidden = true; focusNode(n.id); });
      results.appendChild(li);
    });
    results.hidden = false;
  }
  input.addEventListener("input", showResults);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var first = search(input.value)[0];
      if (first) { results.hidden = true; focusNode(first.id); }
    }
  });

  // --- table alternative ------------------------------------------------------------------
  var toggle = document.getElementById("table-toggle"), table = document.getElementById("table-view");
  toggle.addEventListener("click", function () {
    var on = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? text.drawing : text.table;
    table.hidden = !on;
    document.getElementById("network").hidden = on;
    if (!on) { fit(); }
  });

  // --- start ------------------------------------------------------------------------------
  var touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
  if (touch) { var hint = document.getElementById("hint"); hint.textContent = hint.getAttribute("data-touch"); }
  if (window.innerWidth <= 700) { document.getElementById("legend").open = false; }
  document.getElementById("legend").addEventListener("toggle", function () { lod(); });
  measure();
  fit();
  window.hetaoView = {
    fit: fit, zoom: zoomCentre, select: select, focusNode: focusNode, clear: clear,
    scale: function () { return view.k; }, labelPx: labelPx,
    point: function (id) { return screen(byId[id]); },
    nodeId: function (iri) { var n = data.nodes.filter(function (m) { return m.iri === iri; })[0]; return n ? n.id : null; }
  };
  document.body.setAttribute("data-ready", "true");
})();
