// Inbox team report and crisis alert charts. Data comes from data-* attributes so the
// pages need no inline script under the CSP. Loaded by base.html and by the pages
// themselves; the guard keeps one binding when both load it.
(function () {
  "use strict";
  if (window.fanloopInboxReports) { return; }
  window.fanloopInboxReports = true;

  function targetLine(value, name) {
    return { symbol: "none", label: { formatter: name + " {c}" }, lineStyle: { color: "#dc3545", type: "dashed" }, data: [{ yAxis: value }] };
  }

  function replyRate(el, data) {
    var labels = data.labels || {};
    return {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      grid: { left: 48, right: 24, top: 24, bottom: 32 },
      xAxis: { type: "category", data: data.days || [] },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        type: "line", name: labels.rate, data: data.rate || [], connectNulls: false, areaStyle: { opacity: 0.15 },
        markLine: targetLine(data.target, labels.target || "")
      }]
    };
  }

  function frt(el, data) {
    var labels = data.labels || {};
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 32, bottom: 32 },
      xAxis: { type: "category", data: data.days || [] },
      yAxis: { type: "value", name: data.unit || "", nameTextStyle: { align: "left" } },
      series: [
        { type: "bar", name: labels.median, data: data.median || [] },
        { type: "line", name: labels.p90, data: data.p90 || [], markLine: targetLine(data.target, labels.target || "") }
      ]
    };
  }

  function backlog(el, data) {
    var colors = ["#20c997", "#ffc107", "#fd7e14", "#dc3545"];
    return {
      tooltip: {},
      grid: { left: 48, right: 24, top: 24, bottom: 32 },
      xAxis: { type: "category", data: data.labels || [] },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar", name: data.name, label: { show: true, position: "top" },
        data: (data.counts || []).map(function (v, i) { return { value: v, itemStyle: { color: colors[i % colors.length] } }; })
      }]
    };
  }

  function alertHourly(el, data) {
    var labels = data.labels || {};
    var hours = data.hours || [];
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: hours, axisLabel: { formatter: function (v) { return v.slice(-5); } } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar", name: labels.negative,
        data: (data.negative || []).map(function (v, i) {
          return { value: v, itemStyle: { color: hours[i] === data.alert_hour ? "#dc3545" : "#f1aeb5" } };
        }),
        markLine: { symbol: "none", label: { formatter: labels.baseline + " {c}" }, lineStyle: { color: "#6c757d", type: "dashed" }, data: [{ yAxis: data.baseline }] }
      }]
    };
  }

  var builders = { "reply-rate": replyRate, frt: frt, backlog: backlog, "alert-hourly": alertHourly };

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-inbox-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      var build = builders[el.getAttribute("data-inbox-chart")];
      if (!build) { return; }
      var chart = echarts.init(el);
      chart.setOption(build(el, JSON.parse(el.getAttribute("data-chart-data") || "{}")));
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
