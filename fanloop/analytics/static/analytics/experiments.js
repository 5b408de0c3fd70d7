// A/B test result charts: each challenger's confidence interval of the difference to the
// control, in percentage points, with zero marked. Data comes from data-* attributes so
// the page needs no inline script under the CSP; the guard keeps one binding when both
// base.html and the page load this file.
(function () {
  "use strict";
  if (window.fanloopExperiments) { return; }
  window.fanloopExperiments = true;

  function ciChart(data) {
    var names = data.names || [];
    var low = data.low || [];
    var high = data.high || [];
    return {
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var i = p.dataIndex;
          return names[i] + ": " + (data.diff[i] === null ? "—" : data.diff[i].toFixed(2)) +
            " [" + (low[i] === null ? "—" : low[i].toFixed(2)) + ", " + (high[i] === null ? "—" : high[i].toFixed(2)) + "]";
        }
      },
      grid: { left: 64, right: 24, top: 24, bottom: 40 },
      xAxis: { type: "value", name: data.label || "", nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "category", data: names },
      series: [
        // an invisible bar up to the low end, then the interval itself, stacked
        { type: "bar", stack: "ci", stackStrategy: "all", itemStyle: { color: "transparent" }, data: low, silent: true },
        {
          type: "bar", stack: "ci", stackStrategy: "all", itemStyle: { color: "#0d6efd", opacity: 0.35 },
          data: high.map(function (h, i) { return h === null || low[i] === null ? null : h - low[i]; }),
          markLine: { symbol: "none", lineStyle: { color: "#6c757d", type: "dashed" }, label: { show: false }, data: [{ xAxis: 0 }] }
        },
        { type: "scatter", symbolSize: 10, itemStyle: { color: "#0d6efd" }, data: (data.diff || []).map(function (d, i) { return [d, names[i]]; }) }
      ]
    };
  }

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-experiment-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      var chart = echarts.init(el);
      chart.setOption(ciChart(JSON.parse(el.getAttribute("data-chart-data") || "{}")));
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
