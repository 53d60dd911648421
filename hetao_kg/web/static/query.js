// The SPARQL editor: YASGUI (vendored, see static/vendor/yasgui/VENDOR.md) against
// this server's endpoint only, with the project's prefixes preloaded, labels in the
// page's language (the endpoint's labels=LANG extension adds ?xLabel columns) and
// the page URL kept in step with the query so it can be shared.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var prefixes = Object.keys(config.prefixes).map(function (p) {
    return "PREFIX " + p + ": <" + config.prefixes[p] + ">";
  });
  var query = config.query;
  var missing = prefixes.filter(function (line) {
    var name = line.split(" ")[1];
    return query.indexOf(name) !== -1 && query.indexOf("PREFIX " + name) === -1 && query.indexOf("prefix " + name) === -1;
  });
  if (missing.length) { query = missing.join("\n") + "\n" + query; }
  var endpoint = new URL(config.endpoint, window.location.href).href;
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];  // the others call lov.linkeddata.es
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST", args: [{ name: "labels", value: config.lang }] },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
    populateFromUrl: false,
    yasqe: { value: query, resizeable: true, editorHeight: "320px" },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table" }
  });
  var tab = yasgui.getTab();
  // the tab keeps its own request settings, which override the defaults above
  tab.setRequestConfig({ endpoint: endpoint, method: "POST", args: [{ name: "labels", value: config.lang }] });
  tab.setQuery(query);
  var yasr = tab.getYasr && tab.getYasr();
  if (yasr && yasr.config.plugins.table) {  // whole values, wrapped, not cut to "inst:h…": a table read by people
    yasr.config.plugins.table.dynamicConfig = Object.assign({}, yasr.config.plugins.table.dynamicConfig, { isEllipsed: false, compact: true });
  }
  var share = document.getElementById("share");
  function sync() {
    var url = new URL(config.queryPage, window.location.href);
    url.searchParams.set("query", tab.getQuery());
    url.searchParams.set("lang", config.lang);
    share.href = url.pathname + url.search;
    window.history.replaceState(null, "", url.pathname + url.search);
  }
  tab.on("query", sync);

  // --- results for people: local links, valid prefixed names, nothing wider than the page ------
  var KG = "https://w3id.org/hetao-kg/id/", local = new URL(config.queryPage, window.location.href).pathname.replace(/\/query$/, "");
  var names = Object.keys(config.prefixes).sort(function (a, b) { return config.prefixes[b].length - config.prefixes[a].length; });
  var PN_LOCAL = /^[A-Za-z0-9_\u00C0-\uFFFF]([A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*[A-Za-z0-9_\-\u00B7\u00C0-\uFFFF])?$/;
  function prefixed(iri) {  // the longest namespace whose rest is a valid SPARQL local name: status:established
    for (var i = 0; i < names.length; i++) {
      var ns = config.prefixes[names[i]];
      if (iri.indexOf(ns) === 0 && PN_LOCAL.test(iri.slice(ns.length))) { return names[i] + ":" + iri.slice(ns.length); }
    }
    return "<" + iri + ">";
  }
  function tidy(root) {
    root.querySelectorAll("a[href]:not([data-tidy])").forEach(function (a) {
      var iri = a.getAttribute("href");
      a.setAttribute("data-tidy", "1");
      if (iri.indexOf(KG) === 0) { a.href = local + "/id/" + iri.slice(KG.length); a.title = iri; }
      else if (iri.indexOf(config.prefixes.hto) === 0) { a.href = local + "/ontology#" + iri.slice(config.prefixes.hto.length); a.title = iri; }
      else { return; }
      if (/^(https?:|<)/.test(a.textContent) || /^[a-z]+:[^ ]*\//.test(a.textContent)) { a.textContent = prefixed(iri); }
    });
  }
  // --- YASGUI's own markup, made accessible (axe: names for controls, roles that hold) ----------
  function accessible(root) {
    root.querySelectorAll(".tabsList").forEach(function (el) { el.hidden = true; });  // one query per page: its URL shares it
    root.querySelectorAll("textarea:not([aria-label]), input:not([type=hidden]):not([aria-label]):not([id])").forEach(function (el) {
      el.setAttribute("aria-label", "SPARQL");
    });
    root.querySelectorAll("select:not([aria-label])").forEach(function (el) { el.setAttribute("aria-label", config.lang === "en" ? "Rows per page" : "每页行数"); });
    root.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach(function (el) { el.setAttribute("tabindex", "0"); });
  }
  var root = document.getElementById("yasgui"), pending = false;
  function patch() { pending = false; accessible(root); tidy(root); }
  new MutationObserver(function () { if (!pending) { pending = true; window.requestAnimationFrame(patch); } })
    .observe(root, { childList: true, subtree: true });
  patch();
  window.hetaoEditor = yasgui;
})();
