// The public map of service points (服务点地图): the points the server returns for the chosen
// kind and service, on the map and in a list beside it (readable without the map).
(function () {
  "use strict";
  var el = document.getElementById("public-map");
  if (!el || !window.L) return;
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var status = document.getElementById("map-status");
  var list = document.getElementById("point-list");
  var map = L.map(el, { zoomSnap: 0.25 });
  map.attributionControl.setPrefix("Leaflet");
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  map.setView(settings.centre || [34.75, 113.62], 12);
  var COLOURS = {
    warm_station: "#c2410c", service_centre: "#b91c1c", day_care: "#0f766e",
    after_school: "#1d4ed8", civility_station: "#7c3aed"
  };
  var state = { map: map, count: 0 };
  window.civicgridServicePoints = state;

  function details(p) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = p.name;
    var kind = document.createElement("div");
    kind.className = "kind";
    kind.textContent = p.kind_label;
    box.append(name, kind);
    [p.address, p.hours, p.phone].forEach(function (line) {
      if (!line) return;
      var row = document.createElement("div");
      row.textContent = line;
      box.append(row);
    });
    if (p.services.length) {
      var tags = document.createElement("ul");
      tags.className = "tags";
      p.services.forEach(function (label) {
        var tag = document.createElement("li");
        tag.textContent = label;
        tags.append(tag);
      });
      box.append(tags);
    }
    return box;
  }

  // The communities' outlines (public divisions) under the points: a map without tiles
  // still shows where a point is.
  if (el.dataset.areas) {
    fetch(el.dataset.areas, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var areas = L.geoJSON(data, {
          style: { color: "#94a3b8", weight: 1, fillColor: "#e2e8f0", fillOpacity: 0.25 },
          onEachFeature: function (feature, l) {
            l.bindTooltip(document.createTextNode(feature.properties.name), { sticky: true });
          }
        }).addTo(map);
        areas.bringToBack();
      });
  }

  var query = new URLSearchParams();
  if (el.dataset.kind) query.set("kind", el.dataset.kind);
  if (el.dataset.service) query.set("service", el.dataset.service);
  fetch(el.dataset.geojson + "?" + query.toString(), { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, at) {
          return L.circleMarker(at, {
            radius: 7, color: COLOURS[feature.properties.kind] || "#334155", weight: 2,
            fillColor: "#fff", fillOpacity: 1
          });
        },
        onEachFeature: function (feature, l) {
          var p = feature.properties;
          l.bindTooltip(document.createTextNode(p.name));
          l.bindPopup(function () { return details(p); });
          var item = document.createElement("li");
          item.append(details(p));
          item.addEventListener("click", function () { map.setView(l.getLatLng(), 17); l.openPopup(); });
          list.append(item);
        }
      }).addTo(map);
      if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 16 });
      state.count = data.features.length;
      document.getElementById("point-count").textContent = String(data.features.length);
      if (status) status.textContent = el.dataset.countLabel + data.features.length;
      el.dataset.count = String(data.features.length);
    })
    .catch(function (err) { if (status) status.textContent = "⚠ " + err; });
})();
