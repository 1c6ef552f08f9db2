// The knowledge test's countdown (a file, not inline: the CSP forbids inline scripts).
// The server says how many seconds are left when the page was made (its clock, not the
// phone's); when they run out the page reloads, and the server closes and marks the paper.
(function () {
  "use strict";
  var clock = document.getElementById("countdown");
  if (!clock) return;
  var left = parseInt(clock.getAttribute("data-seconds-left"), 10);
  if (isNaN(left)) return;
  var shown = clock.querySelector(".quiz-clock-left");
  var started = Date.now();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var remaining = Math.max(0, left - Math.floor((Date.now() - started) / 1000));
    var minutes = Math.floor(remaining / 60);
    shown.textContent = pad(minutes) + ":" + pad(remaining % 60);
    clock.classList.toggle("low", remaining <= 60);
    if (remaining <= 0) {
      clearInterval(timer);
      shown.textContent = clock.getAttribute("data-expired-text") || "00:00";
      // Give the last answer a moment to be saved, then let the server close the paper.
      setTimeout(function () { window.location.reload(); }, 1500);
    }
  }
  var timer = setInterval(tick, 1000);
  tick();
})();
