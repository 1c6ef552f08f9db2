// One event's place on a small map.
(function () {
  "use strict";
  var el = document.getElementById("event-map");
  if (!el || !window.L) return;
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var map = L.map(el);
  // Leaflet's default prefix carries a flag; plain text says the same.
  map.attributionControl.setPrefix("Leaflet");
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  map.setView(at, 16);
  L.circleMarker(at, { radius: 8, color: "#b91c1c" }).addTo(map);
})();
