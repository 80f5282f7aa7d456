// The home page's one chart: poverty incidence per area, from the json_script block.
(function () {
  "use strict";
  var holder = document.getElementById("incidence-chart");
  var source = document.getElementById("incidence-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var title = document.currentScript ? document.currentScript.dataset.title : "%";
  // Rates with two decimals, as on the table and in official reports (5.40, not 5.4); the
  // values are already rounded half up by the server, so toFixed only pads.
  var rate = function (value) { return Number(value).toFixed(2); };
  var chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: rate },
    grid: { left: 50, right: 20, top: 30, bottom: 80 },
    xAxis: { type: "category", data: data.names, axisLabel: { rotate: data.names.length > 8 ? 40 : 0 } },
    yAxis: { type: "value", name: title, nameTextStyle: { align: "left" } },
    series: [{ type: "bar", data: data.values, itemStyle: { color: "#1f4e8c" },
               label: { show: data.values.length <= 20, position: "top",
                        formatter: function (item) { return rate(item.value); } } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
