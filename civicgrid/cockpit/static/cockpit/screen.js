// The big screen (issue 19): draws the figures the page was served with, then asks the JSON
// endpoint again every `data-refresh` seconds (no reload) and rotates the right-hand panels.
// Everything from the server is written as text (textContent), never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) return;
  var labels = JSON.parse(document.getElementById("screen-labels").textContent);
  var settings = JSON.parse(document.getElementById("map-settings").textContent) || {};
  var data = JSON.parse(document.getElementById("screen-data").textContent);
  var state = { refreshed: 0, failed: 0, panel: 0, panels: [], data: data };
  window.civicgridScreen = state;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function number(value) {
    if (value === null || value === undefined) return "—";
    return typeof value === "number" ? value.toLocaleString("zh-CN") : String(value);
  }
  function signed(value) {
    if (value === null || value === undefined) return "";
    return (value > 0 ? "+" : "") + number(value);
  }
  // A change is good when it goes the way the figure's `better` says.
  function tone(change, better) {
    if (!change || !better) return "flat";
    return (change > 0) === (better === "up") ? "good" : "bad";
  }

  // ---- headline tiles ----
  function drawHeadline(d) {
    var list = document.getElementById("headline");
    list.textContent = "";
    d.headline.forEach(function (f) {
      var li = el("li", "tile" + (f.met === true ? " met" : f.met === false ? " unmet" : ""));
      li.dataset.key = f.key;
      li.appendChild(el("span", "tile-label", f.label));
      var value = el("span", "tile-value");
      value.appendChild(el("b", null, number(f.value)));
      value.appendChild(el("small", null, f.measure));
      li.appendChild(value);
      var change = el("span", "tile-change " + tone(f.change, f.better));
      if (f.change !== null && f.change !== undefined) change.textContent = labels.previous + " " + signed(f.change);
      if (f.year !== null && f.year !== undefined && f.measure !== "%") {
        change.appendChild(el("span", "tile-year", labels.year + " " + number(f.year)));
      }
      li.appendChild(change);
      list.appendChild(li);
    });
  }

  // ---- the map ----
  var map = null, pointLayer = null, outlineLayer = null, fitted = false;
  var COLOURS = { open: "#fbbf24", overdue: "#f87171", closed: "#34d399" };
  function drawMap(d) {
    var box = document.getElementById("screen-map");
    if (!window.L || !box) return;
    if (!map) {
      map = L.map(box, { preferCanvas: true, zoomControl: false, zoomSnap: 0.25, attributionControl: !!settings.tileUrl });
      if (settings.tileUrl) L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
      map.setView(settings.centre || [34.75, 113.65], 12);
      state.map = map;
    }
    if (outlineLayer) outlineLayer.remove();
    outlineLayer = L.geoJSON(d.outlines, {
      style: { color: "#38bdf8", weight: 2, fillColor: "#0ea5e9", fillOpacity: 0.06 }, interactive: false
    }).addTo(map);
    if (pointLayer) pointLayer.remove();
    pointLayer = L.layerGroup(d.points.map(function (p) {
      return L.circleMarker([p[0], p[1]], { radius: 5, weight: 1, color: "#0b1220", fillColor: COLOURS[p[2]] || "#e5e7eb", fillOpacity: 0.9, interactive: false });
    })).addTo(map);
    document.getElementById("points-count").textContent = d.points.length;
    if (!fitted) {
      var bounds = outlineLayer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); fitted = true; }
      else if (d.points.length) { map.fitBounds(d.points.map(function (p) { return [p[0], p[1]]; }), { padding: [40, 40], maxZoom: 15 }); fitted = true; }
    }
  }

  // ---- the trend ----
  var chart = null;
  function drawTrend(d) {
    var box = document.getElementById("screen-trend");
    if (!window.echarts || !box) return;
    if (!chart) chart = echarts.init(box, "dark", { renderer: "svg" });
    var months = d.trend.map(function (r) { return r.period; });
    chart.setOption({
      animation: false,
      backgroundColor: "transparent",
      aria: { enabled: true },
      textStyle: { fontSize: 18 },
      legend: { top: 0, textStyle: { fontSize: 18, color: "#cbd5e1" } },
      grid: { left: 60, right: 60, top: 44, bottom: 30 },
      xAxis: { type: "category", data: months, axisLabel: { fontSize: 16, color: "#94a3b8" } },
      yAxis: [
        { type: "value", minInterval: 1, axisLabel: { fontSize: 16, color: "#94a3b8" }, splitLine: { lineStyle: { color: "#1e293b" } } },
        { type: "value", min: 0, max: 100, axisLabel: { fontSize: 16, color: "#94a3b8", formatter: "{value}%" }, splitLine: { show: false } }
      ],
      series: [
        { name: labels.reported, type: "bar", itemStyle: { color: "#38bdf8" }, data: d.trend.map(function (r) { return r.reported; }) },
        { name: labels.closed, type: "bar", itemStyle: { color: "#34d399" }, data: d.trend.map(function (r) { return r.closed; }) },
        { name: labels.closure, type: "line", yAxisIndex: 1, connectNulls: true, lineStyle: { width: 3 }, data: d.trend.map(function (r) { return r.closure; }) },
        { name: labels.satisfaction, type: "line", yAxisIndex: 1, connectNulls: true, lineStyle: { width: 3 }, data: d.trend.map(function (r) { return r.satisfaction; }) }
      ]
    }, true);
  }

  // ---- the rotating panels: one per ranking, the modules' figures, the honour list ----
  function rankingPanel(board) {
    var node = el("div", "panel-body");
    node.dataset.panel = "ranking:" + board.key;
    node.appendChild(el("h3", null, board.label));
    if (!board.rows.length) { node.appendChild(el("p", "muted", labels.noRows)); return { title: labels.ranking, node: node }; }
    var top = Math.max.apply(null, board.rows.map(function (r) { return Math.abs(r.value) || 0; })) || 1;
    var list = el("ol", "ranking");
    // The best eight fit the panel at 1080 px.
    board.rows.slice(0, 8).forEach(function (row, i) {
      var li = el("li", i < 3 ? "podium" : "");
      li.appendChild(el("span", "rank", String(i + 1)));
      li.appendChild(el("span", "name", row.name));
      var bar = el("span", "bar");
      var fill = el("i");
      fill.style.width = Math.round(100 * Math.abs(row.value) / top) + "%";
      bar.appendChild(fill);
      li.appendChild(bar);
      li.appendChild(el("span", "value", number(row.value) + (board.measure || "")));
      list.appendChild(li);
    });
    node.appendChild(list);
    return { title: labels.ranking, node: node };
  }
  function sectionPanel(section) {
    var node = el("div", "panel-body");
    node.dataset.panel = "section:" + section.key;
    node.appendChild(el("h3", null, section.title));
    var list = el("ul", "figures");
    section.figures.forEach(function (f) {
      var li = el("li", f.met === true ? "met" : f.met === false ? "unmet" : "");
      li.dataset.key = f.key;
      li.appendChild(el("span", "label", f.label));
      var value = el("span", "value");
      value.appendChild(el("b", null, number(f.value)));
      value.appendChild(el("small", null, f.measure));
      li.appendChild(value);
      var change = el("span", "change " + tone(f.change, f.better), signed(f.change));
      if (f.target !== null && f.target !== undefined) change.appendChild(el("span", "target", labels.target + " " + f.target + "%"));
      li.appendChild(change);
      list.appendChild(li);
    });
    node.appendChild(list);
    return { title: labels.sections, node: node };
  }
  function honourPanel(honours) {
    var node = el("div", "panel-body");
    node.dataset.panel = "honours";
    var list = el("ul", "honours");
    honours.rows.forEach(function (row) {
      var li = el("li");
      if (honours.named) {
        li.appendChild(el("b", null, row.name));
        li.appendChild(el("span", "title", row.title));
        li.appendChild(el("span", "unit", row.unit));
      } else {
        li.appendChild(el("b", null, row.unit));
        li.appendChild(el("span", "title", row.title));
        li.appendChild(el("span", "unit", row.count + " " + labels.honoured));
      }
      list.appendChild(li);
    });
    if (!honours.rows.length) node.appendChild(el("p", "muted", labels.noHonours));
    else node.appendChild(list);
    return { title: labels.honours, node: node };
  }
  function drawPanels(d) {
    var panels = d.ranking.boards.map(rankingPanel);
    d.sections.forEach(function (s) { panels.push(sectionPanel(s)); });
    panels.push(honourPanel(d.honours));
    state.panels = panels;
    if (state.panel >= panels.length) state.panel = 0;
    var dots = document.getElementById("panel-dots");
    dots.textContent = "";
    panels.forEach(function () { dots.appendChild(el("li")); });
    showPanel(state.panel);
  }
  function showPanel(index) {
    var panel = state.panels[index];
    if (!panel) return;
    var box = document.getElementById("panel");
    box.textContent = "";
    box.appendChild(panel.node);
    document.getElementById("panel-title").textContent = panel.title;
    var dots = document.getElementById("panel-dots").children;
    for (var i = 0; i < dots.length; i++) dots[i].className = i === index ? "on" : "";
    state.panel = index;
  }

  function draw(d) {
    state.data = d;
    document.getElementById("screen-title").textContent = d.unit.name;
    document.getElementById("screen-period").textContent = d.period.label;
    document.getElementById("screen-updated").textContent = d.updated_at;
    drawHeadline(d);
    drawMap(d);
    drawTrend(d);
    drawPanels(d);
  }

  function refresh() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        // Revoked, expired or no longer in scope: the figures leave the screen at once.
        if (r.status === 404 || r.status === 403) { gone(); throw new Error(String(r.status)); }
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (d) {
        draw(d);
        state.refreshed += 1;
        document.getElementById("screen-offline").hidden = true;
      })
      .catch(function () {
        state.failed += 1;
        if (!state.gone) document.getElementById("screen-offline").hidden = false;
      });
  }

  function gone() {
    state.gone = true;
    clearInterval(timers.refresh);
    clearInterval(timers.rotate);
    var notice = el("p", "screen-gone", labels.gone);
    notice.id = "screen-gone";
    root.textContent = "";
    root.appendChild(notice);
  }

  function tick() {
    // Beijing time (UTC+8, no daylight saving), as the data's time beside it, whatever zone
    // the display's computer is set to.
    var now = new Date(Date.now() + 8 * 3600 * 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    document.getElementById("screen-clock").textContent =
      now.getUTCFullYear() + "-" + two(now.getUTCMonth() + 1) + "-" + two(now.getUTCDate()) + " " +
      two(now.getUTCHours()) + ":" + two(now.getUTCMinutes()) + ":" + two(now.getUTCSeconds());
  }

  draw(data);
  tick();
  var clock = setInterval(function () { if (state.gone) clearInterval(clock); else tick(); }, 1000);
  var timers = {
    refresh: setInterval(refresh, Math.max(15, Number(root.dataset.refresh) || 60) * 1000),
    rotate: setInterval(function () {
      if (state.panels.length > 1) showPanel((state.panel + 1) % state.panels.length);
    }, Math.max(5, Number(root.dataset.rotate) || 15) * 1000)
  };
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
  state.refresh = refresh;
  state.showPanel = showPanel;
  root.dataset.ready = "1";
})();
