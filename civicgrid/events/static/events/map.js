// Events the server returns (already scoped) as coloured points over the communities.
(function () {
  "use strict";
  var el = document.getElementById("events-map");
  if (!el || !window.L) return;
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var form = document.getElementById("event-filters");
  var status = document.getElementById("map-status");
  var COLOURS = { reported: "#dc2626", accepted: "#ea580c", dispatched: "#d97706", handling: "#2563eb",
    resolved: "#0891b2", verified: "#059669", closed: "#6b7280", rated: "#6b7280",
    rejected: "#9ca3af", suspended: "#7c3aed" };
  var map = L.map(el, { preferCanvas: true });
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  if (window.civicgridPlainAttribution) civicgridPlainAttribution(map);
  map.setView(settings.centre || [34.75, 113.65], 13);
  // The map opens on the user's events, or else on their own units (not on the district's centre).
  var points = null, eventsFitted = false;
  var list = document.getElementById("event-list");
  fetch(el.dataset.units, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, { style: { color: "#0f766e", weight: 2, fillOpacity: 0.04 }, interactive: false }).addTo(map);
      if (data.features.length && !eventsFitted) map.fitBounds(layer.getBounds());
    });
  if (window.civicgridContext && el.dataset.context) civicgridContext(map, { url: el.dataset.context, list: "context-list" });
  function load() {
    var query = new URLSearchParams(new FormData(form)).toString();
    el.dataset.loading = "1";
    fetch(el.dataset.geojson + "?" + query, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (data) {
        if (points) points.remove();
        points = L.geoJSON(data, {
          pointToLayer: function (f, at) {
            return L.circleMarker(at, { radius: f.properties.overdue ? 8 : 6, weight: f.properties.overdue ? 3 : 1,
              color: f.properties.overdue ? "#000" : COLOURS[f.properties.status], fillColor: COLOURS[f.properties.status], fillOpacity: 0.85 });
          },
          onEachFeature: function (f, l) {
            var box = document.createElement("div");
            var a = document.createElement("a");
            a.href = el.dataset.eventUrl.replace("NUMBER", encodeURIComponent(f.properties.number)); a.textContent = f.properties.number;
            box.append(a, document.createElement("br"), f.properties.title + " · " + f.properties.status_label);
            l.bindPopup(box);
          }
        }).addTo(map);
        status.textContent = (el.dataset.countLabel || "") + data.features.length;
        if (data.features.length && !eventsFitted) {
          map.fitBounds(points.getBounds(), { padding: [30, 30], maxZoom: 17 });
          eventsFitted = true;
        }
        if (list) {
          list.textContent = "";
          data.features.slice(0, 300).forEach(function (f) {
            var li = document.createElement("li"), a = document.createElement("a");
            a.href = el.dataset.eventUrl.replace("NUMBER", encodeURIComponent(f.properties.number));
            a.textContent = f.properties.number;
            li.append(a, " " + f.properties.title + " · " + f.properties.status_label);
            list.appendChild(li);
          });
          document.getElementById("event-list-count").textContent = data.features.length;
        }
        window.civicgridEvents = { count: data.features.length, map: map };
        delete el.dataset.loading;
      });
  }
  form.addEventListener("change", load);
  load();
})();
