// The overview's trend: events reported and closed (bars), the closure rate (line, %),
// class attendances and volunteer hours (lines); the table under it holds the same figures.
// The period picker shows the chosen period at once.
(function () {
  "use strict";
  var select = document.getElementById("period-select");
  if (select && select.form) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  var el = document.getElementById("overview-trend");
  if (!el || !window.echarts) return;
  var rows = JSON.parse(document.getElementById("overview-trend-data").textContent);
  var labels = JSON.parse(document.getElementById("overview-trend-labels").textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  function column(key) { return rows.map(function (r) { return r[key]; }); }
  chart.setOption({
    animation: false,
    aria: { enabled: true, decal: { show: true } },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 44, right: 44, top: 44, bottom: 30 },
    xAxis: { type: "category", data: column("month") },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
    ],
    series: [
      { name: labels.reported, type: "bar", data: column("reported") },
      { name: labels.closed, type: "bar", data: column("closed") },
      { name: labels.closure, type: "line", yAxisIndex: 1, connectNulls: true, data: column("closure") },
      { name: labels.attendances, type: "line", data: column("attendances") },
      { name: labels.hours, type: "line", data: column("hours") }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.ready = "1";
})();
