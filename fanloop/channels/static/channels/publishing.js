// Assisted publishing: one click copies a post's text (or title) for the platform's app.
// Loaded from our own origin (no inline script: CSP). One delegated listener, so it works
// on cards that htmx swaps in later, and loading the file twice binds it only once.
(function () {
  "use strict";
  if (window.fanloopPublishingCopy) { return; }
  window.fanloopPublishingCopy = true;

  function selectAll(field) {
    field.focus();
    field.select();
    if (field.setSelectionRange) { field.setSelectionRange(0, field.value.length); }
  }

  function tell(button, message) {
    var status = document.getElementById(button.getAttribute("data-copy-status") || "");
    if (status) { status.textContent = message || ""; }
  }

  // Without the async clipboard (plain http, an old browser, or a refusal) the text is
  // selected and the legacy copy command tried; if that fails too, the selection stays so
  // Ctrl+C works.
  function fallback(button, field) {
    selectAll(field);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    tell(button, button.getAttribute(copied ? "data-copied" : "data-copy-manual"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) { return; }
    event.preventDefault();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        selectAll(field);
        tell(button, button.getAttribute("data-copied"));
      }, function () { fallback(button, field); });
    } else {
      fallback(button, field);
    }
  });
})();
