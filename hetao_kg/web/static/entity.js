// Entity page: the "copy citation" button (shown only where the clipboard can be written;
// the citation text stays readable and selectable under "Cite this page" without it), and
// the named views that draw the entity, asked from the server once the page is shown.
(function () {
  "use strict";
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard || !window.isSecureContext) { return; }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = button.getAttribute("data-done");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
  document.querySelectorAll("ul.in-views[data-src]").forEach(function (list) {
    fetch(list.getAttribute("data-src"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { views: [] }; })
      .then(function (answer) {
        var first = list.firstElementChild;
        answer.views.forEach(function (v) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = v.href; a.textContent = v.title; a.setAttribute("data-view", v.name);
          li.appendChild(a); list.insertBefore(li, first);
        });
        list.setAttribute("data-ready", "true");
      })
      .catch(function () { list.setAttribute("data-ready", "true"); });
  });
})();
