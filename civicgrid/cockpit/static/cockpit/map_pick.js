// Pick a service point's place: a click on the map fills longitude and latitude (in the
// map's coordinate system, named in the crs field: the server turns GCJ-02 into WGS-84).
(function () {
  "use strict";
  var el = document.getElementById("pick-map");
  if (!el || !window.L) return;
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var crs = document.getElementById("id_crs");
  var map = L.map(el);
  map.attributionControl.setPrefix("Leaflet");
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  var shown = el.dataset.at ? JSON.parse(el.dataset.at) : null;
  var marker = null;
  function put(at) {
    if (marker) marker.setLatLng(at); else marker = L.marker(at).addTo(map);
  }
  if (shown) { put([shown[1], shown[0]]); map.setView([shown[1], shown[0]], 16); }
  else map.setView(settings.centre || [34.75, 113.62], 13);
  map.on("click", function (e) {
    put(e.latlng);
    lon.value = e.latlng.lng.toFixed(6);
    lat.value = e.latlng.lat.toFixed(6);
    if (crs) crs.value = settings.crs || "wgs84";
  });
  // Typed coordinates are WGS-84.
  [lon, lat].forEach(function (input) {
    input.addEventListener("input", function () { if (crs) crs.value = "wgs84"; });
  });
})();
