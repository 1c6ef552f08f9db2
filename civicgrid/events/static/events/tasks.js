// Forms marked .geo send the phone's position with them when the phone gives it.
(function () {
  "use strict";
  document.querySelectorAll("form.geo").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.located || !navigator.geolocation) return;
      e.preventDefault();
      var submitter = e.submitter;
      var send = function () { form.dataset.located = "1"; form.requestSubmit(submitter); };
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lon.value = pos.coords.longitude; form.elements.lat.value = pos.coords.latitude; send();
      }, send, { timeout: 8000 });
    });
  });
})();
