// The unit picker (org/_unit_picker.html): a combobox over /org/units/search.json. Type, then
// choose with the arrow keys and Enter (or a tap); the chosen unit's code goes in the hidden
// input and a live region says how many units were found and which one was chosen.
(function () {
  "use strict";
  function init(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    var input = box.querySelector(".unitpicker-search");
    var hidden = box.querySelector("input[type=hidden]");
    var list = box.querySelector(".unitpicker-list");
    var status = box.querySelector("[role=status]");
    var results = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true; input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      }
    }
    function choose(i) {
      var hit = results[i];
      if (!hit) return;
      hidden.value = hit.code;
      input.value = hit.path || hit.name;
      close();
      status.textContent = box.dataset.chosen.replace("%(label)s", input.value);
      box.dispatchEvent(new CustomEvent("civicgrid:unit", { bubbles: true, detail: hit }));
    }
    function render() {
      list.textContent = "";
      results.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.code = hit.code;
        li.textContent = hit.path || hit.name;
        var kind = document.createElement("small");
        kind.className = "muted";
        kind.textContent = " · " + hit.kind_label;
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length
        ? box.dataset.found.replace("%(n)s", results.length) : box.dataset.none;
      active = -1;
    }
    function search() {
      var q = input.value.trim();
      if (!q) { results = []; render(); status.textContent = ""; return; }
      var params = new URLSearchParams({ q: q, scope: box.dataset.scope });
      box.dataset.kinds.split(",").filter(Boolean).forEach(function (k) { params.append("kind", k); });
      if (box.dataset.under) params.set("under", box.dataset.under);
      var ticket = ++asked;
      fetch(box.dataset.url + "?" + params, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (ticket === asked) { results = data.results; render(); } });
    }
    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden && results.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        highlight(Math.min(active + 1, results.length - 1));
      } else if (e.key === "ArrowUp") {
        e.preventDefault(); highlight(Math.max(active - 1, 0));
      } else if (e.key === "Enter" && !list.hidden && results.length) {
        // Enter picks the highlighted unit (or the only/first one) instead of sending the form.
        e.preventDefault(); choose(active >= 0 ? active : 0);
      } else if (e.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  function initAll() { document.querySelectorAll("[data-unit-picker]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  document.addEventListener("htmx:afterSwap", initAll);
})();
