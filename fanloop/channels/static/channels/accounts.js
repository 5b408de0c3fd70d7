// Accounts pages. Loaded from our own origin (the CSP forbids inline script).
// The connect form lists every platform's credential inputs, so it works without
// JavaScript; this shows only the chosen platform's and disables the others, so values
// typed for another platform are never sent.
(function () {
  "use strict";

  function sync(form) {
    var select = form.querySelector("select[data-account-platform]");
    if (!select) { return; }
    var chosen = select.value;
    form.querySelectorAll("fieldset[data-credentials-for]").forEach(function (fieldset) {
      var show = fieldset.getAttribute("data-credentials-for") === chosen;
      fieldset.hidden = !show;
      fieldset.disabled = !show;
    });
    var simulated = form.querySelector("input[name=simulated]");
    if (simulated && chosen === "sandbox") { simulated.checked = true; }
  }

  function bind(root) {
    root.querySelectorAll("form[data-account-form]").forEach(function (form) {
      sync(form);
      if (form.getAttribute("data-account-bound")) { return; }
      form.setAttribute("data-account-bound", "1");
      form.addEventListener("change", function (event) {
        if (event.target.matches("select[data-account-platform]")) { sync(form); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { bind(document); });
  } else {
    bind(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { bind(event.target); });
})();
