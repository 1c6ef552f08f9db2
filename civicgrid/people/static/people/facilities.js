// Facilities as coloured points over the unit's outline; a click on the map places a new one.
(function () {
  "use strict";
  var el = document.getElementById("facility-map");
  if (!el || !window.L) return;
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var STATES = { good: "#059669", damaged: "#d97706", missing: "#dc2626" };
  var map = L.map(el, { preferCanvas: true });
  // Leaflet's default prefix carries a flag; plain text says the same.
  map.attributionControl.setPrefix("Leaflet");
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  map.setView(settings.centre || [34.75, 113.65], 14);
  var fitted = false;
  function fit(layer) {
    var bounds = layer.getBounds();
    if (!fitted && bounds.isValid()) { map.fitBounds(bounds); fitted = true; }
  }
  fetch(el.dataset.units, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (data) {
      fit(L.geoJSON(data, { style: { color: "#0f766e", weight: 1, fillOpacity: 0.04 }, interactive: false }).addTo(map));
    });
  fetch(el.dataset.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, at) {
          return L.circleMarker(at, { radius: 6, weight: 1, color: "#111", fillColor: STATES[f.properties.state], fillOpacity: 0.9 });
        },
        onEachFeature: function (f, l) {
          var text = [f.properties.label, f.properties.state_label, f.properties.description].filter(Boolean).join(" · ");
          l.bindPopup(document.createTextNode(text));
        }
      }).addTo(map);
      window.civicgridFacilities = { count: data.features.length };
    });
  var form = document.getElementById("facility-form");
  if (!form) return;
  var marker = null;
  map.on("click", function (e) {
    form.elements.lon.value = e.latlng.lng; form.elements.lat.value = e.latlng.lat;
    if (marker) marker.setLatLng(e.latlng); else marker = L.circleMarker(e.latlng, { radius: 8, color: "#b91c1c" }).addTo(map);
  });
})();
