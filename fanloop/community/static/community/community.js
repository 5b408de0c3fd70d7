// Fan group charts (7-day sparklines, members, active members, messages, health) and the
// confirm prompt of delete forms. Data comes from data-* attributes so the page needs no
// inline script under the CSP.
(function () {
  "use strict";

  function label(el, name) { return el.getAttribute("data-label-" + name) || name; }

  function axisBase(data) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 32, bottom: 32 },
      xAxis: { type: "category", data: data.days || [] }
    };
  }

  function spark(el, data) {
    el.style.width = (el.getAttribute("data-width") || "140") + "px";
    el.style.height = (el.getAttribute("data-height") || "32") + "px";
    return {
      grid: { left: 2, right: 2, top: 2, bottom: 2 },
      tooltip: { trigger: "axis", confine: true },
      xAxis: { type: "category", show: false, data: data.days || [] },
      yAxis: { type: "value", show: false, min: 0 },
      series: [{ type: "line", data: data.dau || [], showSymbol: false, smooth: true, areaStyle: { opacity: 0.2 } }]
    };
  }

  function overview(el, data) {
    var option = axisBase(data);
    option.yAxis = [{ type: "value", min: 0 }, { type: "value", min: 0, max: 100 }];
    option.series = [
      { type: "line", name: label(el, "members"), data: data.members || [], showSymbol: false },
      { type: "bar", name: label(el, "dau"), data: data.dau || [] },
      { type: "line", name: label(el, "health"), yAxisIndex: 1, data: data.health || [], showSymbol: false, lineStyle: { type: "dashed" } }
    ];
    return option;
  }

  function members(el, data) {
    var option = axisBase(data);
    option.yAxis = [{ type: "value" }, { type: "value", min: 0 }];
    option.series = [
      { type: "bar", name: label(el, "joined"), stack: "flow", data: data.joined || [], itemStyle: { color: "#198754" } },
      { type: "bar", name: label(el, "left"), stack: "flow", data: data.left || [], itemStyle: { color: "#dc3545" } },
      { type: "line", name: label(el, "members"), yAxisIndex: 1, data: data.members || [], showSymbol: false }
    ];
    return option;
  }

  function active(el, data) {
    var option = axisBase(data);
    option.yAxis = [{ type: "value", min: 0 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }];
    option.series = [
      { type: "line", name: label(el, "dau"), data: data.dau || [], showSymbol: false },
      { type: "line", name: label(el, "wau"), data: data.wau || [], showSymbol: false },
      { type: "line", name: label(el, "mau"), data: data.mau || [], showSymbol: false },
      { type: "line", name: label(el, "ratio"), yAxisIndex: 1, data: data.active_ratio || [], showSymbol: false, lineStyle: { type: "dotted" } }
    ];
    return option;
  }

  function messages(el, data) {
    var option = axisBase(data);
    option.yAxis = { type: "value", min: 0 };
    option.series = [
      { type: "bar", name: label(el, "messages"), data: data.messages || [] },
      { type: "bar", name: label(el, "interactions"), data: data.interactions || [] }
    ];
    return option;
  }

  function health(el, data) {
    var option = axisBase(data);
    option.yAxis = { type: "value", min: 0, max: 100 };
    option.visualMap = { show: false, pieces: [{ lt: 40, color: "#dc3545" }, { gte: 40, lt: 70, color: "#ffc107" }, { gte: 70, color: "#198754" }] };
    option.series = [{ type: "line", name: label(el, "health"), data: data.health || [], showSymbol: false }];
    return option;
  }

  var builders = { spark: spark, overview: overview, members: members, active: active, messages: messages, health: health };

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-community-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      var build = builders[el.getAttribute("data-community-chart")];
      if (!build) { return; }
      var option = build(el, JSON.parse(el.getAttribute("data-chart-data") || "{}"));
      var chart = echarts.init(el);
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.matches && form.matches("form[data-confirm]")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
