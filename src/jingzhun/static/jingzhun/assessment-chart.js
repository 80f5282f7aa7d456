// The run page's chart: per household indicator, households failing it and failing only it.
(function () {
  "use strict";
  var holder = document.getElementById("blockers-chart");
  var source = document.getElementById("blockers-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: data.series },
    grid: { left: 60, right: 20, top: 40, bottom: 100 },
    xAxis: { type: "category", data: data.names,
             axisLabel: { interval: 0, rotate: data.names.length > 4 ? 30 : 0, width: 160, overflow: "truncate" } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.series[0], type: "bar", data: data.values, itemStyle: { color: "#c0392b" },
        label: { show: true, position: "top" } },
      { name: data.series[1], type: "bar", data: data.only, itemStyle: { color: "#1f4e8c" },
        label: { show: true, position: "top" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
