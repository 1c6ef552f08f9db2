// Draws the units the server returns (already scoped to the user) on a Leaflet map.
// Without a configured tile URL the polygons sit on a plain background: intranets have no tiles.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var status = document.getElementById("map-status");
  var COLOURS = {
    district: "#6b7280", street: "#1d4ed8", community: "#0f766e", grid: "#ca8a04",
    dedicated_grid: "#c2410c", micro_grid: "#7c3aed", department: "#475569"
  };
  var WEIGHT = { street: 3, community: 2, grid: 1, dedicated_grid: 2, micro_grid: 0.7 };
  var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25 });
  // Leaflet's default prefix carries a flag; plain text says the same.
  map.attributionControl.setPrefix("Leaflet");
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  var drawn = new Map();   // code -> Leaflet layer
  var layers = {};          // kind -> L.GeoJSON
  var fitted = false;
  window.civicgridMap = { map: map, codes: drawn };
  if (window.civicgridContext && el.dataset.context) civicgridContext(map, { url: el.dataset.context, list: "context-list" });

  function unitUrl(code) { return el.dataset.unitUrl.replace("CODE", encodeURIComponent(code)); }

  function popup(feature) {
    var p = feature.properties;
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.name;
    var meta = document.createElement("div");
    meta.textContent = p.kind_label + " · " + p.code;
    var link = document.createElement("a");
    link.href = unitUrl(p.code);
    link.textContent = el.dataset.openLabel || "→";
    box.append(title, meta, link);
    return box;
  }

  function style(feature) {
    var kind = feature.properties.kind;
    var focus = el.dataset.focus && feature.properties.code === el.dataset.focus;
    return {
      color: COLOURS[kind] || "#334155", weight: focus ? 3 : (WEIGHT[kind] || 1),
      fillColor: COLOURS[kind] || "#334155", fillOpacity: focus ? 0.05 : 0.12
    };
  }

  function draw(kind, data) {
    var layer = L.geoJSON(data, {
      style: style,
      onEachFeature: function (feature, l) {
        drawn.set(feature.properties.code, l);
        // A text node, never a string: Leaflet renders strings as HTML and names are typed by staff.
        l.bindTooltip(document.createTextNode(feature.properties.name), { sticky: true });
        l.bindPopup(function () { return popup(feature); });
      }
    }).addTo(map);
    layers[kind] = layer;
    if (!fitted && data.features.length) {
      var target = el.dataset.focus || location.hash.slice(1);
      var focus = target && drawn.get(target);
      map.fitBounds((focus || layer).getBounds(), { padding: [12, 12] });
      fitted = true;
    }
    // Finer layers on top so they can be clicked.
    ["street", "community", "grid", "dedicated_grid", "micro_grid"].forEach(function (k) {
      if (layers[k] && map.hasLayer(layers[k])) layers[k].bringToFront();
    });
    report();
  }

  function report() {
    if (status) status.textContent = (el.dataset.countLabel || "") + drawn.size;
    el.dataset.drawn = String(drawn.size);
  }

  function load(url, kind) {
    el.dataset.loading = String(Number(el.dataset.loading || 0) + 1);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { draw(kind, data); })
      .catch(function (err) { if (status) status.textContent = "⚠ " + err; })
      .finally(function () { el.dataset.loading = String(Number(el.dataset.loading) - 1); });
  }

  function removeKind(kind) {
    var layer = layers[kind];
    if (!layer) return;
    layer.eachLayer(function (l) { drawn.delete(l.feature.properties.code); });
    map.removeLayer(layer);
    delete layers[kind];
    report();
  }

  if (el.dataset.layers) {
    var boxes = document.querySelectorAll(".layers input[name=kind]");
    boxes.forEach(function (box) {
      if (box.checked) load(el.dataset.geojson + "?kind=" + box.value, box.value);
      box.addEventListener("change", function () {
        if (box.checked) load(el.dataset.geojson + "?kind=" + box.value, box.value);
        else removeKind(box.value);
      });
    });
  } else {
    load(el.dataset.geojson, "unit");
  }
  map.setView([34.75, 113.62], 12);
})();
