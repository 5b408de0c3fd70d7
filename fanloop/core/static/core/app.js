// Fanloop shell behaviour. Loaded from our own origin so the CSP needs no inline script.
(function () {
  "use strict";

  // The longest nav link that prefixes the current path is the active area; this works
  // the same after full loads and HTMX swaps.
  function markActiveNav() {
    // data-nav-prefix widens an area to a whole path (its link opens one page of it).
    var best = null, bestLength = 0;
    document.querySelectorAll("#area-nav [data-nav]").forEach(function (link) {
      var path = link.getAttribute("data-nav-prefix") || new URL(link.href).pathname;
      if (window.location.pathname.indexOf(path) === 0 && (!best || path.length > bestLength)) {
        best = link;
        bestLength = path.length;
      }
    });
    document.querySelectorAll("#area-nav [data-nav]").forEach(function (link) {
      link.classList.toggle("active", link === best);
      if (link === best) { link.setAttribute("aria-current", "page"); } else { link.removeAttribute("aria-current"); }
    });
  }

  function drawCharts(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      var data = JSON.parse(el.getAttribute("data-chart-data") || "{}");
      var chart = echarts.init(el);
      chart.setOption({
        tooltip: {},
        grid: { left: 40, right: 16, top: 16, bottom: 24 },
        xAxis: { type: "category", data: data.days || [] },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: el.getAttribute("data-chart"), name: data.label || "", data: data.counts || [] }]
      });
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function bind(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.getAttribute("data-bound")) { return; }
      select.setAttribute("data-bound", "1");
      select.addEventListener("change", function () { select.form.submit(); });
    });
    drawCharts(root);
    markActiveNav();
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSettle", function (event) { bind(event.target); });
  // htmx updates the address after settling, so mark the nav again once it has.
  document.addEventListener("htmx:pushedIntoHistory", markActiveNav);
  document.addEventListener("htmx:replacedInHistory", markActiveNav);
  window.addEventListener("popstate", markActiveNav);
})();
