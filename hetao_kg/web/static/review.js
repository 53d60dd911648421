// The review page: accept / reject proposals from the keyboard (j, k, a, r, e).
"use strict";
(function () {
  const token = document.querySelector('meta[name="review-token"]').content;
  const items = Array.from(document.querySelectorAll(".proposal"));
  const status = document.getElementById("status");
  let current = 0;

  function select(i) {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, i));
    items.forEach((el, k) => el.classList.toggle("current", k === current));
    items[current].focus();
  }

  async function decide(item, action) {
    const input = item.querySelector("input.en");
    const body = { id: item.dataset.id, action: action };
    if (input && input.value.trim()) body.en = input.value.trim();
    const res = await fetch("decide", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Review-Token": token },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    if (!res.ok) {
      status.textContent = answer.error;
      return;
    }
    item.className = "proposal state-" + answer.state + " current";
    item.querySelector(".state").textContent = answer.state;
    status.textContent = answer.id + ": " + answer.state;
    select(current + 1);
  }

  items.forEach((item, i) => {
    item.querySelector("button.accept").addEventListener("click", () => { select(i); decide(item, "accept"); });
    item.querySelector("button.reject").addEventListener("click", () => { select(i); decide(item, "reject"); });
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.target.tagName === "INPUT") {
      if (ev.key === "Enter") decide(items[current], "accept");
      return;
    }
    if (ev.key === "j") select(current + 1);
    else if (ev.key === "k") select(current - 1);
    else if (ev.key === "a") decide(items[current], "accept");
    else if (ev.key === "r") decide(items[current], "reject");
    else if (ev.key === "e") { const input = items[current].querySelector("input.en"); if (input) { ev.preventDefault(); input.focus(); } }
  });
  select(0);
})();
