// Entity page: the "copy citation" button (shown only where the clipboard can be written;
// the citation text stays readable and selectable under "Cite this page" without it).
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
})();
