// The trend chart: events reported and closed (bars) and the four rates (lines, %).
(function () {
  "use strict";
  var el = document.getElementById("trend");
  if (!el || !window.echarts) return;
  var rows = JSON.parse(document.getElementById("trend-data").textContent);
  var labels = JSON.parse(document.getElementById("trend-labels").textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  var rates = ["response", "closure", "solution", "satisfaction"];
  chart.setOption({
    animation: false,
    // ECharts writes a description of the chart for screen readers; the table below the
    // chart holds the same figures.
    aria: { enabled: true, decal: { show: true } },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 40, top: 40, bottom: 30 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.period; }) },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: labels.reported, type: "bar", data: rows.map(function (r) { return r.reported; }) },
      { name: labels.closed, type: "bar", data: rows.map(function (r) { return r.closed; }) }
    ].concat(rates.map(function (key) {
      return { name: labels[key], type: "line", yAxisIndex: 1, connectNulls: true,
        data: rows.map(function (r) { return r[key]; }) };
    }))
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.ready = "1";
})();
