// Context for any Leaflet map: what civicgrid knows near the view (estates' buildings, places,
// facilities), drawn as labelled points so a grid worker finds a place without map tiles,
// and written into a list beside the map (what the map shows, for screen readers and for
// anyone who prefers text). Loaded only when the view is a street or smaller.
(function () {
  "use strict";
  var COLOURS = { building: "#7c3aed", place: "#0f766e", facility: "#b45309" };
  var MIN_ZOOM = 15, LABEL_ZOOM = 17, PAD = 0.01;

  window.civicgridPlainAttribution = function (map) {
    // Leaflet's default prefix carries a flag; plain text says the same.
    map.attributionControl.setPrefix("Leaflet");
  };

  window.civicgridContext = function (map, options) {
    var list = options.list ? document.getElementById(options.list) : null;
    var layer = L.layerGroup().addTo(map);
    var asked = 0;
    function show(data) {
      layer.clearLayers();
      var labels = map.getZoom() >= LABEL_ZOOM;
      var items = [];
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        var dot = L.circleMarker([c[1], c[0]], { radius: 5, weight: 1, color: "#111",
          fillColor: COLOURS[p.layer] || "#334155", fillOpacity: 0.85 });
        // A text node, never a string: Leaflet renders strings as HTML and names are typed by staff.
        dot.bindTooltip(document.createTextNode(p.label), { permanent: labels, direction: "right",
          className: "context-label" });
        layer.addLayer(dot);
        items.push(p.label + " · " + p.detail);
      });
      if (list) {
        list.textContent = "";
        items.slice(0, 200).forEach(function (text) {
          var li = document.createElement("li"); li.textContent = text; list.appendChild(li);
        });
        var caption = document.getElementById(options.list + "-count");
        if (caption) caption.textContent = items.length;
      }
      map.getContainer().dataset.context = String(items.length);
    }
    function load() {
      if (map.getZoom() < MIN_ZOOM) {
        layer.clearLayers();
        if (list) list.textContent = "";
        map.getContainer().dataset.context = "0";
        return;
      }
      var b = map.getBounds();
      var bbox = [b.getWest() - PAD, b.getSouth() - PAD, b.getEast() + PAD, b.getNorth() + PAD]
        .map(function (v) { return v.toFixed(5); }).join(",");
      var ticket = ++asked;
      fetch(options.url + "?bbox=" + bbox, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (ticket === asked && data.features) show(data); });
    }
    map.on("moveend", load);
    if (map._loaded) load();
    return { reload: load };
  };
})();
