// 驾驶舱: the trend chart and the map, from the json_script blocks. Progressive enhancement:
// the tables on the page carry every number; without JavaScript nothing is lost but the pictures.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var labels = document.currentScript ? document.currentScript.dataset : {};
  var rate = function (value) { return value === null || value === undefined ? "—" : Number(value).toFixed(2); };
  var charts = [];
  // No animation for people who asked their system for less motion (and for the screenshots).
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // --- the trend: households per year (bars) and the incidence (line, right axis)
  var trendHolder = document.getElementById("trend-chart");
  var trendSource = document.getElementById("trend-data");
  if (trendHolder && trendSource) {
    var t = JSON.parse(trendSource.textContent);
    var trend = window.echarts.init(trendHolder);
    var bar = function (name, data, color) { return { name: name, type: "bar", data: data, itemStyle: { color: color } }; };
    trend.setOption({
      animation: !still,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 50, right: 50, top: 40, bottom: 30 },
      xAxis: { type: "category", data: t.years },
      yAxis: [{ type: "value", name: labels.households }, { type: "value", name: "%", splitLine: { show: false } }],
      series: [
        bar(labels.registered, t.registered, "#1f4e8c"),
        bar(labels.exited, t.exited, "#2e7d32"),
        bar(labels.relapsed, t.relapsed, "#c62828"),
        bar(labels.monitored, t.monitored, "#ef8f00"),
        { name: labels.incidence, type: "line", yAxisIndex: 1, data: t.incidence,
          tooltip: { valueFormatter: rate }, itemStyle: { color: "#6a1b9a" } }
      ]
    });
    charts.push(trend);
  }

  // --- the map: shapes fetched (the deployment's GeoJSON or the schematic one), coloured by
  // the indicator chosen; a click opens the list of that region's counted rows.
  var holder = document.getElementById("dashboard-map");
  var source = document.getElementById("map-data");
  var select = document.getElementById("map-indicator");
  if (!holder || !source || !select) { return; }
  var data = JSON.parse(source.textContent);
  data.indicators.forEach(function (indicator, index) {
    var option = document.createElement("option");
    option.value = String(index);
    option.textContent = indicator.label;
    select.appendChild(option);
  });
  fetch(data.shapes, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (shapes) {
      if (!shapes.schematic) {
        var note = document.getElementById("map-note");
        if (note) { note.hidden = true; }
      }
      window.echarts.registerMap("jingzhun-area", shapes);
      // The box takes the map's proportions (the sides fill the width, the height follows), so
      // the cells are neither stretched nor lost in a wide empty box.
      var xs = [], ys = [];
      shapes.features.forEach(function (f) {
        (f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates || []).forEach(function (polygon) {
          (polygon[0] || []).forEach(function (point) { xs.push(point[0]); ys.push(point[1]); });
        });
      });
      (shapes.labels || []).forEach(function (label) { xs.push(label.at[0]); ys.push(label.at[1] + 1); });
      var bounds = null;
      if (xs.length) {
        // The labels above the blocks are inside the area drawn (boundingCoords), not cut off.
        bounds = [[Math.min.apply(null, xs), Math.max.apply(null, ys)], [Math.max.apply(null, xs), Math.min.apply(null, ys)]];
        var ratio = (bounds[0][1] - bounds[1][1]) / ((bounds[1][0] - bounds[0][0]) || 1);
        var height = Math.round((holder.clientWidth - 20) * ratio) + 110;
        holder.style.height = Math.max(300, Math.min(720, height - 40)) + "px";
      }
      var regions = shapes.level === "child" ? data.children : data.villages;
      var map = window.echarts.init(holder);
      charts.push(map);
      var draw = function () {
        var index = Number(select.value) || 0;
        var indicator = data.indicators[index];
        var isRate = indicator.key === "incidence" || indicator.key === "exit_share";
        var values = regions.map(function (region) {
          return { name: region.code, label: region.name, value: region.values[index] };
        });
        var numbers = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null; });
        var max = numbers.length ? Math.max.apply(null, numbers) : 0;
        map.setOption({
          animation: !still,
          tooltip: { formatter: function (item) {
            var shown = item.data && item.data.value !== null && item.data.value !== undefined
              ? (isRate ? rate(item.data.value) : item.data.value) : "—";
            return (item.data ? item.data.label : item.name) + "<br>" + indicator.label + "：" + shown;
          } },
          visualMap: { min: 0, max: max || 1, calculable: true, orient: "horizontal", left: "center", bottom: 0, itemWidth: 12, itemHeight: 120,
                       inRange: { color: ["#e8f0fa", "#f6c344", "#c62828"] }, text: ["", ""] },
          geo: { map: "jingzhun-area", nameProperty: "code", roam: true, aspectScale: 1, boundingCoords: bounds, top: 10, bottom: 60, left: 10, right: 10, itemStyle: { borderColor: "#fff" },
                 emphasis: { label: { show: false } }, label: { show: false } },
          series: [
            { type: "map", geoIndex: 0, data: values },
            { type: "scatter", coordinateSystem: "geo", symbolSize: 0, silent: true,
              data: (shapes.labels || []).map(function (l) { return { name: l.name, value: l.at }; }),
              label: { show: true, formatter: "{b}", color: "#222", fontWeight: "bold",
                       textBorderColor: "#fff", textBorderWidth: 2 } }
          ]
        }, true);
        map.off("click");
        map.on("click", function (item) {
          if (item.seriesType === "map" && item.name) {
            window.location.href = indicator.url.replace("{code}", encodeURIComponent(item.name));
          }
        });
      };
      select.addEventListener("change", draw);
      draw();
    })
    .catch(function () { holder.hidden = true; });
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
