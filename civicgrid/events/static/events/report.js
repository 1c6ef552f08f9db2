// The phone report page: pick the place on the map or from the phone's position, show the
// category's extra questions, and ask the server for open events of the same kind close by.
(function () {
  "use strict";
  var el = document.getElementById("pick-map");
  var lon = document.getElementById("lon"), lat = document.getElementById("lat");
  var crs = document.getElementById("crs"), place = document.getElementById("place");
  var category = document.getElementById("category");
  var settings = JSON.parse(document.getElementById("map-settings").textContent);

  function showQuestions() {
    document.querySelectorAll(".questions").forEach(function (box) {
      var on = box.dataset.category === category.value;
      box.hidden = !on;
      box.querySelectorAll("input,select").forEach(function (input) { input.disabled = !on; });
    });
  }
  category.addEventListener("change", showQuestions);
  showQuestions();

  var map = null, marker = null;
  if (el && window.L) {
    map = L.map(el, { zoomSnap: 0.25 });
    if (settings.tileUrl) {
      L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
    }
    map.setView(settings.centre || [34.75, 113.65], settings.centre ? 14 : 11);
    if (window.civicgridPlainAttribution) civicgridPlainAttribution(map);
    if (window.civicgridContext && el.dataset.context) civicgridContext(map, { url: el.dataset.context });
    if (el.dataset.geojson) {
      fetch(el.dataset.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) {
          var layer = L.geoJSON(data, { style: { color: "#ca8a04", weight: 1, fillOpacity: 0.06 },
            interactive: false }).addTo(map);
          if (data.features.length && !lon.value) map.fitBounds(layer.getBounds());
        });
    }
    map.on("click", function (e) { set(e.latlng.lng, e.latlng.lat, settings.crs || "wgs84"); });
  }

  function set(x, y, system) {
    lon.value = x.toFixed(6); lat.value = y.toFixed(6); crs.value = system;
    place.textContent = lat.value + ", " + lon.value;
    if (map) {
      if (marker) marker.setLatLng([y, x]); else marker = L.circleMarker([y, x], { radius: 8, color: "#b91c1c" }).addTo(map);
    }
    document.body.dispatchEvent(new CustomEvent("civicgrid:place"));
  }
  if (lon.value && lat.value) set(parseFloat(lon.value), parseFloat(lat.value), crs.value || "wgs84");

  // Refused or unavailable location says so (it used to fail silently, and the server then
  // asked for a place on the map) and points to the other two ways.
  function denied() {
    place.textContent = place.dataset.denied;
    place.classList.add("field-error");
  }
  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { denied(); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      // The phone's position is WGS-84 whatever the tiles use.
      place.classList.remove("field-error");
      set(pos.coords.longitude, pos.coords.latitude, "wgs84");
      if (map) map.setView([pos.coords.latitude, pos.coords.longitude], 17);
    }, denied, { timeout: 15000 });
  });

  // A community or grid chosen in the searchable list gives its centre as the place.
  document.addEventListener("civicgrid:unit", function (e) {
    var hit = e.detail;
    if (hit.lon === null || hit.lat === null) {
      place.textContent = place.dataset.unplaced;
      return;
    }
    place.classList.remove("field-error");
    set(hit.lon, hit.lat, "wgs84");
    place.textContent = place.dataset.chosen.replace("%(place)s", hit.path || hit.name);
    var address = document.getElementById("address");
    if (address && !address.value) address.value = hit.path || hit.name;
    if (map) map.setView([hit.lat, hit.lon], 15);
  });

  // A refused report: the field at fault is marked and takes the focus (its message sits
  // under its label); a missing place puts the focus in the place search.
  var fault = document.querySelector("#report-form .field-error");
  if (fault) {
    var field = document.querySelector("#report-form [aria-invalid=true]");
    if (fault.id === "location-error") {
      field = document.getElementById("place-unit-search");
      if (field) {
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", "location-error " + (field.getAttribute("aria-describedby") || ""));
      }
    }
    if (field) field.focus();
  }
  // Duplicates by meaning: once a place is chosen, what the report says is sent with it (the
  // form's hx-include), 800 ms after typing stops and only when the words changed, so a
  // resident typing does not spend the page's request limit.
  (function () {
    var words = [document.getElementById("title"), document.getElementById("description")];
    var timer = null, sent = "";
    function said() {
      return words.map(function (box) { return box ? box.value.trim() : ""; }).join(" ").trim();
    }
    sent = said();
    words.forEach(function (box) {
      if (!box) return;
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var now = said();
          if (now === sent || !lon.value || !lat.value) return;
          sent = now;
          document.body.dispatchEvent(new CustomEvent("civicgrid:words"));
        }, 800);
      });
    });
  })();
  // 智能分拨: suggested categories as the reporter types (the fragment of /events/suggest/).
  // A tap chooses one; the best is pre-selected only while the reporter has not chosen a
  // category themselves, and only when the server says it is sure enough (data-prefill).
  var suggestions = document.getElementById("suggestions");
  var byHand = !!category.value, prefilled = "", setting = false;
  function choose(code) {
    setting = true;
    category.value = code;
    category.dispatchEvent(new Event("change", { bubbles: true }));
    setting = false;
  }
  function press() {
    if (!suggestions) return;
    suggestions.querySelectorAll("button[data-category]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.category === category.value ? "true" : "false");
    });
  }
  category.addEventListener("change", function () {
    if (!setting) { byHand = !!category.value; prefilled = ""; }
    press();
  });
  if (suggestions) {
    suggestions.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-category]");
      if (!button) return;
      choose(button.dataset.category);
      byHand = true; prefilled = "";
      var note = suggestions.querySelector("[data-prefill-note]");
      if (note) note.hidden = true;
      press();
    });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.target !== suggestions) return;
      var box = suggestions.querySelector("[data-prefill]");
      var code = box ? box.dataset.prefill : "";
      if (!byHand) {
        if (code && category.querySelector('option[value="' + code + '"]')) {
          if (category.value !== code) choose(code);
          prefilled = code;
          var note = suggestions.querySelector("[data-prefill-note]");
          if (note) note.hidden = false;
        } else if (prefilled && category.value === prefilled) {
          // The text changed and the suggestion is no longer sure: undo our own choice.
          choose(""); prefilled = "";
        }
      }
      press();
    });
  }

  window.civicgridReport = { set: set };
})();
