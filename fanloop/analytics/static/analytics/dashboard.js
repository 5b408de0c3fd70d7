// Analytics dashboards: trend, platform comparison, funnel, group bars and the
// weekday × hour heatmap. Data comes from data-chart-data attributes so the pages need
// no inline script under the CSP. Loaded by the pages themselves (and by base.html once
// the lead adds it); the guard keeps one binding when both load it.
(function () {
  "use strict";
  if (window.fanloopAnalytics) { return; }
  window.fanloopAnalytics = true;

  function trend(data) {
    var series = (data.counts || []).map(function (s) {
      return { type: "line", name: s.name, data: s.data, showSymbol: false };
    });
    if (data.money) {
      series.push({ type: "bar", name: data.money.name, data: data.money.data, yAxisIndex: 1, itemStyle: { opacity: 0.5 } });
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 56, right: 64, top: 36, bottom: 32 },
      xAxis: { type: "category", data: data.x || [] },
      yAxis: [{ type: "value", min: 0 }, { type: "value", min: 0, axisLabel: { formatter: "¥{value}" } }],
      series: series
    };
  }

  function platforms(data) {
    var series = (data.bars || []).map(function (s) {
      return { type: "bar", name: s.name, data: s.data };
    });
    (data.rates || []).forEach(function (s) {
      series.push({ type: "line", name: s.name, data: s.data, yAxisIndex: 1, connectNulls: false });
    });
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 56, right: 48, top: 36, bottom: 32 },
      xAxis: { type: "category", data: data.categories || [] },
      yAxis: [{ type: "value", min: 0 }, { type: "value", min: 0, axisLabel: { formatter: "{value}%" } }],
      series: series
    };
  }

  function funnel(data) {
    var steps = data.steps || [];
    var shown = steps.map(function (step, i) {
      var before = i > 0 ? steps[i - 1].value : null;
      var rate = before ? (step.value * 100 / before).toFixed(2) + "%" : "";
      return { name: step.name, value: step.value, rate: rate };
    });
    return {
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + p.value + (p.data.rate ? " (" + p.data.rate + ")" : ""); } },
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8, minSize: "8%", gap: 2,
        label: { show: true, position: "inside", formatter: function (p) { return p.name + " " + p.value + (p.data.rate ? "\n" + p.data.rate : ""); } },
        data: shown
      }]
    };
  }

  function groups(data) {
    var small = data.small || [];
    var n = data.n || [];
    return {
      tooltip: {
        trigger: "axis",
        formatter: function (params) {
          var p = params[0];
          return p.name + ": " + (p.value === null ? "—" : p.value + "%") + " (n=" + n[p.dataIndex] + " " + (data.n_label || "") + ")";
        }
      },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: "category", data: data.categories || [], axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
      series: [{
        type: "bar", name: data.name,
        label: { show: true, position: "top", formatter: function (p) { return "n=" + n[p.dataIndex]; } },
        data: (data.median || []).map(function (v, i) {
          return { value: v, itemStyle: { color: small[i] ? "#ced4da" : "#0d6efd" } };
        })
      }]
    };
  }

  function heatmap(data) {
    var cells = data.cells || [];
    var max = 0;
    cells.forEach(function (c) { if (c[2] > max) { max = c[2]; } });
    return {
      tooltip: {
        formatter: function (p) {
          var c = p.data;
          return (data.days || [])[c[1]] + " " + (data.hours || [])[c[0]] + ":00 · " + c[2] + "% (n=" + c[3] + " " + (data.n_label || "") + ")";
        }
      },
      grid: { left: 48, right: 16, top: 8, bottom: 64 },
      xAxis: { type: "category", data: data.hours || [], splitArea: { show: true } },
      yAxis: { type: "category", data: data.days || [], splitArea: { show: true } },
      visualMap: { min: 0, max: max || 1, calculable: true, orient: "horizontal", left: "center", bottom: 0, dimension: 2 },
      series: [{ type: "heatmap", name: data.name, data: cells, label: { show: true, formatter: function (p) { return p.data[3]; } } }]
    };
  }

  var builders = { trend: trend, platforms: platforms, funnel: funnel, groups: groups, heatmap: heatmap };

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-analytics-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      var build = builders[el.getAttribute("data-analytics-chart")];
      if (!build) { return; }
      var chart = echarts.init(el);
      chart.setOption(build(JSON.parse(el.getAttribute("data-chart-data") || "{}")));
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
    if (window.bootstrap && window.bootstrap.Tooltip) {
      root.querySelectorAll("[data-kpi] [data-bs-toggle=tooltip]").forEach(function (el) {
        window.bootstrap.Tooltip.getOrCreateInstance(el);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
