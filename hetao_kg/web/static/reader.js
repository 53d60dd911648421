// The source reader: the quote (or sentence) the address points at is the one highlighted;
// every other quote stays quietly underlined. Without JavaScript the CSS :target rules still
// mark the chosen sentence.
(function () {
  "use strict";
  function choose() {
    document.querySelectorAll("mark.quoted.chosen, .sentence.chosen").forEach(function (m) { m.classList.remove("chosen"); });
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    if (id.indexOf("quote-") === 0) {
      document.querySelectorAll("mark.quoted").forEach(function (m) {
        if ((m.getAttribute("data-quotes") || "").split(" ").indexOf(id) !== -1) { m.classList.add("chosen"); }
      });
    } else {
      var s = document.getElementById(id);
      if (s && s.classList.contains("sentence")) { s.classList.add("chosen"); }
    }
  }
  window.addEventListener("hashchange", choose);
  choose();
})();
