// Calendar behaviour: drag a card to another day (month) or hour (week) to reschedule it,
// and the best-time heat map. No inline script (CSP): everything reads data-* attributes.
(function () {
  "use strict";

  var dragged = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function dropTarget(event) {
    var el = event.target;
    if (el && el.nodeType !== 1) { el = el.parentElement; }
    return el && el.closest ? el.closest("#calendar [data-drop-date]") : null;
  }

  // Month cells keep the card's time of day; week cells give the hour and keep the minutes.
  function plannedAt(card, cell) {
    var time = card.getAttribute("data-time") || "12:00";
    var hour = cell.getAttribute("data-drop-hour");
    if (hour !== null && hour !== "") {
      time = pad(parseInt(hour, 10)) + ":" + time.split(":")[1];
    }
    return cell.getAttribute("data-drop-date") + "T" + time;
  }

  function clearHighlight() {
    document.querySelectorAll("#calendar .calendar-drop-over").forEach(function (el) {
      el.classList.remove("calendar-drop-over", "table-primary");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var el = event.target && event.target.nodeType === 1 ? event.target : null;
    var card = el && el.closest ? el.closest("#calendar [data-variant-id][draggable=true]") : null;
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-variant-id"));
    card.classList.add("opacity-50");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("opacity-50"); }
    dragged = null;
    clearHighlight();
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var cell = dropTarget(event);
    if (!cell) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!cell.classList.contains("calendar-drop-over")) {
      clearHighlight();
      cell.classList.add("calendar-drop-over", "table-primary");
    }
  });

  document.addEventListener("drop", function (event) {
    var card = dragged;
    var cell = dropTarget(event);
    if (!card || !cell) { return; }
    event.preventDefault();
    clearHighlight();
    dragged = null;
    var calendar = document.getElementById("calendar");
    if (!calendar || typeof htmx === "undefined") { return; }
    var when = plannedAt(card, cell);
    if (cell.contains(card) && when.slice(11) === (card.getAttribute("data-time") || "")) {
      return;  // dropped where it already is
    }
    // The source sits inside <body>, so htmx sends body's hx-headers (the CSRF token).
    htmx.ajax("POST", calendar.getAttribute("data-move-url"), {
      source: calendar,
      target: "#calendar",
      swap: "outerHTML",
      values: { variant: card.getAttribute("data-variant-id"), planned_at: when }
    });
  });

  // Best time to post: weekday x hour heat map of the engagement rate.
  function bestTimes(el, data) {
    el.style.height = "360px";
    return {
      tooltip: {
        position: "top",
        formatter: function (p) {
          return data.days[p.value[1]] + " " + data.hours[p.value[0]] + ": " + p.value[2] + "%";
        }
      },
      grid: { left: 56, right: 16, top: 8, bottom: 88 },
      xAxis: { type: "category", data: data.hours, splitArea: { show: true } },
      yAxis: { type: "category", data: data.days, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: data.max || 1,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        text: [el.getAttribute("data-label-rate") || "", ""],
        inRange: { color: ["#e7f1ff", "#6ea8fe", "#0d6efd", "#052c65"] }
      },
      series: [{ type: "heatmap", name: el.getAttribute("data-label-rate") || "", data: data.cells || [] }]
    };
  }

  var builders = { "best-times": bestTimes };

  function draw(root) {
    if (typeof echarts === "undefined" || !root.querySelectorAll) { return; }
    root.querySelectorAll("[data-calendar-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      var build = builders[el.getAttribute("data-calendar-chart")];
      if (!build) { return; }
      var option = build(el, JSON.parse(el.getAttribute("data-chart-data") || "{}"));
      var chart = echarts.init(el);
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // Equal day columns (the shared stylesheet has no fixed-layout utility; CSSOM is CSP-safe).
  function layout(root) {
    if (!root.querySelectorAll) { return; }
    root.querySelectorAll("table[data-calendar-grid]").forEach(function (table) {
      table.style.tableLayout = "fixed";
      var label = table.querySelector("th[data-calendar-time-col]");
      if (label) { label.style.width = "6.5rem"; }
    });
  }

  function bind(root) { layout(root); draw(root); }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  // An outerHTML swap replaces the target, so look at the whole page (both steps skip
  // what is already done).
  document.addEventListener("htmx:afterSettle", function () { bind(document); });
})();
