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
    // A circle, not L.marker: its default icon is looked up beside the page and 404s.
    if (marker) marker.setLatLng(at); else marker = L.circleMarker(at, { radius: 8, color: "#be185d", weight: 3 }).addTo(map);
  }
  if (shown) { put([shown[1], shown[0]]); map.setView([shown[1], shown[0]], 16); }
  else map.setView(settings.centre || [34.75, 113.62], 13);
  // The units' outlines (the chosen one drawn stronger): where to click without map tiles.
  var unit = document.getElementById("id_unit");
  var drawn = {};
  function focus(fit) {
    Object.keys(drawn).forEach(function (code) {
      var chosen = unit && code === unit.value;
      drawn[code].setStyle({ weight: chosen ? 3 : 1, fillOpacity: chosen ? 0.12 : 0.03 });
      if (chosen && fit) map.fitBounds(drawn[code].getBounds(), { padding: [8, 8] });
    });
  }
  if (el.dataset.outlines) {
    fetch(el.dataset.outlines, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        L.geoJSON(data, {
          style: { color: "#1d4ed8", weight: 1, fillOpacity: 0.03 },
          onEachFeature: function (feature, l) {
            drawn[feature.properties.code] = l;
            l.bindTooltip(document.createTextNode(feature.properties.name), { sticky: true });
            // A click inside an outline picks the place, as on the bare map.
            l.on("click", function (e) { map.fire("click", e); });
          }
        }).addTo(map);
        focus(!shown);
      });
  }
  if (unit) unit.addEventListener("change", function () { focus(true); });
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
