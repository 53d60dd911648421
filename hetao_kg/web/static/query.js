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
  var share = document.getElementById("share");
  function sync() {
    var url = new URL(config.queryPage, window.location.href);
    url.searchParams.set("query", tab.getQuery());
    url.searchParams.set("lang", config.lang);
    share.href = url.pathname + url.search;
    window.history.replaceState(null, "", url.pathname + url.search);
  }
  tab.on("query", sync);
  window.hetaoEditor = yasgui;
})();
