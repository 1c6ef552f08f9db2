// The unit map of the cockpit (issue 19): the units below coloured by the figure the server
// classed (map-colours: code -> [colour, value], the same as the table and the legend), the
// period's events as clusters or a density layer, and the point layers (service points,
// facilities, venues). Text from the server goes in as text nodes, never as HTML.
(function () {
  "use strict";
  var el = document.getElementById("unit-map");
  if (!el || !window.L) return;
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var colours = JSON.parse(document.getElementById("map-colours").textContent);
  var status = document.getElementById("map-status");
  var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, maxZoom: 19 });
  map.attributionControl.setPrefix("Leaflet");
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  if (settings.centre) map.setView(settings.centre, 12);
  var layers = {};
  var state = { map: map, fills: {}, events: null, loaded: {} };
  window.civicgridUnitMap = state;

  function json(url) {
    el.dataset.loading = String(Number(el.dataset.loading || 0) + 1);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .catch(function (err) { if (status) status.textContent = "⚠ " + err; throw err; })
      .finally(function () { el.dataset.loading = String(Number(el.dataset.loading) - 1); });
  }

  function popup(lines, link) {
    var box = document.createElement("div");
    lines.forEach(function (line, i) {
      if (!line) return;
      var row = document.createElement(i === 0 ? "strong" : "div");
      row.textContent = line;
      box.append(row);
    });
    if (link) {
      var a = document.createElement("a");
      a.href = link[0];
      a.textContent = link[1];
      box.append(a);
    }
    return box;
  }

  function choropleth() {
    return json(el.dataset.outlines).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (feature) {
          var found = colours[feature.properties.code];
          return { color: "#334155", weight: 1, fillColor: found ? found[0] : "#d1d5db", fillOpacity: 0.7 };
        },
        onEachFeature: function (feature, l) {
          var p = feature.properties, found = colours[p.code];
          state.fills[p.code] = found ? found[0] : "#d1d5db";
          var value = found && found[1] !== null ? String(found[1]) : "—";
          l.bindTooltip(document.createTextNode(p.name + " · " + value), { sticky: true });
          var drill = p.kind === "grid" || p.kind === "dedicated_grid" ? null
            : [el.dataset.unitMap.replace("CODE", encodeURIComponent(p.code)), el.dataset.openLabel];
          l.bindPopup(function () { return popup([p.name, p.code, value], drill); });
        }
      });
      layers.choropleth = layer;
      layer.addTo(map);
      if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      state.loaded.choropleth = data.features.length;
      el.dataset.choropleth = String(data.features.length);
    });
  }

  var STATUS_COLOURS = { closed: "#15803d", archived: "#15803d" };
  function events() {
    if (state.events) return Promise.resolve(state.events);
    return json(el.dataset.events).then(function (data) {
      state.events = data;
      if (status && data.truncated) status.textContent = el.dataset.truncatedLabel + " " + data.limit;
      el.dataset.eventCount = String(data.points.length);
      return data;
    });
  }

  function eventClusters() {
    return events().then(function (data) {
      var group = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
      data.points.forEach(function (p) {
        var colour = p[4] ? "#b91c1c" : (STATUS_COLOURS[p[3]] || "#1d4ed8");
        var marker = L.circleMarker([p[1], p[0]], { radius: 6, color: colour, fillOpacity: 0.8 });
        marker.bindTooltip(document.createTextNode(p[2]));
        marker.bindPopup(function () {
          return popup([p[2]], [el.dataset.eventUrl.replace("NUMBER", encodeURIComponent(p[2])), el.dataset.eventLabel]);
        });
        group.addLayer(marker);
      });
      return group;
    });
  }

  function eventHeat() {
    return events().then(function (data) {
      return L.heatLayer(data.points.map(function (p) { return [p[1], p[0], 0.6]; }), { radius: 18, blur: 15 });
    });
  }

  var MARKS = { service_points: "#be185d", facilities: "#0f766e", venues: "#7c3aed" };
  function points(name) {
    return json(el.dataset.layer.replace("LAYER", name)).then(function (data) {
      var group = L.layerGroup();
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        var marker = L.circleMarker([c[1], c[0]], { radius: 7, color: MARKS[name], weight: 2, fillColor: "#fff", fillOpacity: 1 });
        marker.bindTooltip(document.createTextNode(p.name));
        marker.bindPopup(function () {
          return popup([p.name, p.kind_label || p.state_label, p.address, p.hours, (p.services || []).join(" · "), p.phone]);
        });
        group.addLayer(marker);
      });
      state.loaded[name] = data.features.length;
      return group;
    });
  }

  var makers = { choropleth: null, event_clusters: eventClusters, event_heat: eventHeat };
  function toggle(box) {
    var name = box.value;
    if (!box.checked) {
      if (layers[name]) map.removeLayer(layers[name]);
      return;
    }
    if (layers[name]) { layers[name].addTo(map); return; }
    var make = makers[name] || function () { return points(name); };
    make().then(function (layer) {
      layers[name] = layer;
      if (box.checked) layer.addTo(map);
      el.dataset["layer" + name.replace(/(^|_)(\w)/g, function (m, a, b) { return b.toUpperCase(); })] = "1";
    });
  }

  choropleth().then(function () {
    document.querySelectorAll("#map-layers input[name=layer]").forEach(function (box) {
      if (box.value === "choropleth") {
        box.addEventListener("change", function () {
          if (box.checked) layers.choropleth.addTo(map); else map.removeLayer(layers.choropleth);
        });
        return;
      }
      if (box.checked) toggle(box);
      box.addEventListener("change", function () { toggle(box); });
    });
  });

  // The table sorts by a click on its head (numbers as numbers, "—" last).
  var table = document.getElementById("map-table");
  if (table) {
    table.querySelectorAll("thead th").forEach(function (th, column) {
      th.classList.add("sorts");
      th.tabIndex = 0;
      var sort = function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var up = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var key = function (row) {
          if (column === 2) return row.dataset.value === "" ? null : parseFloat(row.dataset.value);
          return row.cells[column] ? row.cells[column].textContent.trim() : "";
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === null || y === null) return x === y ? 0 : (x === null ? 1 : -1);
          var order = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh");
          return up ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  }
})();
