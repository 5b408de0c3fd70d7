// Campaign charts: timeline (Gantt), risk heat map and budget burn. Data comes from
// data-* attributes so the page needs no inline script under the CSP.
(function () {
  "use strict";

  function day(iso) { return new Date(iso + "T00:00:00").getTime(); }

  function gantt(el, data) {
    var rows = data.rows || [];
    var names = rows.map(function (r) { return r.name; });
    var colors = { phase: "#0d6efd", milestone: "#6f42c1", task: "#20c997" };
    var items = rows.map(function (r, i) {
      var color = r.overdue ? "#dc3545" : colors[r.kind];
      return { name: r.name, value: [i, day(r.start), day(r.end) + 86400000, r.kind], itemStyle: { color: color } };
    });
    el.style.height = Math.max(220, 48 + rows.length * 28) + "px";
    return {
      tooltip: { formatter: function (p) { return p.name; } },
      grid: { left: 160, right: 24, top: 24, bottom: 32 },
      xAxis: { type: "time", min: day(data.start), max: day(data.end) + 86400000 },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 150, overflow: "truncate" } },
      series: [{
        type: "custom",
        renderItem: function (params, api) {
          var start = api.coord([api.value(1), api.value(0)]);
          var end = api.coord([api.value(2), api.value(0)]);
          var height = api.size([0, 1])[1] * 0.6;
          var kind = api.value(3);
          if (kind === "milestone") {
            return { type: "polygon", shape: { points: [[start[0], start[1] - 8], [start[0] + 8, start[1]], [start[0], start[1] + 8], [start[0] - 8, start[1]]] }, style: api.style() };
          }
          return { type: "rect", shape: { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 2), height: height }, style: api.style() };
        },
        encode: { x: [1, 2], y: 0 },
        data: items,
        markLine: { symbol: "none", label: { show: false }, lineStyle: { color: "#dc3545", type: "dashed" }, data: [{ xAxis: day(data.today) }] }
      }]
    };
  }

  function heatmap(el, data) {
    var levels = ["1", "2", "3", "4", "5"];
    return {
      tooltip: {},
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: levels, name: el.getAttribute("data-label-x"), nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "category", data: levels, name: el.getAttribute("data-label-y"), nameLocation: "middle", nameGap: 28 },
      // Colour by priority (probability x impact), label by how many risks sit there.
      visualMap: { show: false, dimension: 3, min: 1, max: 25, inRange: { color: ["#d1e7dd", "#ffc107", "#dc3545"] } },
      series: [{ type: "heatmap", data: (data.cells || []).map(function (c) { return [c[0], c[1], c[2], (c[0] + 1) * (c[1] + 1)]; }), label: { show: true, formatter: function (p) { return p.value[2]; } } }]
    };
  }

  function burn(el, data) {
    var toYuan = function (v) { return v === null ? null : v / 100; };
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 64, right: 16, top: 32, bottom: 32 },
      xAxis: { type: "category", data: data.days || [] },
      yAxis: { type: "value", axisLabel: { formatter: "¥{value}" } },
      series: [
        { type: "line", name: el.getAttribute("data-label-plan"), data: (data.planned_fen || []).map(toYuan), lineStyle: { type: "dashed" }, showSymbol: false },
        { type: "line", name: el.getAttribute("data-label-actual"), data: (data.actual_fen || []).map(toYuan), showSymbol: false, areaStyle: {} }
      ]
    };
  }

  var builders = { gantt: gantt, heatmap: heatmap, burn: burn };

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-campaign-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      var build = builders[el.getAttribute("data-campaign-chart")];
      if (!build) { return; }
      var option = build(el, JSON.parse(el.getAttribute("data-chart-data") || "{}"));
      var chart = echarts.init(el);
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
