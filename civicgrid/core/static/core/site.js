// Behaviour every page shares, kept out of the markup because the Content-Security-Policy
// allows no inline script and no on…= attributes.
(function () {
  "use strict";
  // <form data-confirm="…"> asks before it is sent.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  }, true);
  // <button data-print> prints the page.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-print]");
    if (button) { e.preventDefault(); window.print(); }
  });
})();
