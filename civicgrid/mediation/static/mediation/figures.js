// The mediation trend: cases received, agreements and cases closed (bars) and the success
// rate (line, %), month by month. The table below the chart holds the same figures.
(function () {
  "use strict";
  var el = document.getElementById("trend-chart");
  if (!el || !window.echarts) return;
  var rows = JSON.parse(document.getElementById("trend-data").textContent);
  var labels = JSON.parse(document.getElementById("trend-labels").textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  var bars = ["received", "agreed", "closed"];
  chart.setOption({
    animation: false,
    aria: { enabled: true, decal: { show: true } },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 36, right: 44, top: 48, bottom: 30 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.period; }) },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
    ],
    series: bars.map(function (key) {
      return { name: labels[key], type: "bar", data: rows.map(function (r) { return r[key]; }) };
    }).concat([{
      name: labels.success, type: "line", yAxisIndex: 1, connectNulls: true,
      data: rows.map(function (r) { return r.success; })
    }])
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.ready = "1";
})();
