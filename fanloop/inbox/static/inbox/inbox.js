// Inbox behaviour: select all on the page, saved replies into the reply box, and the
// operator's presence ping. Loaded from our own origin (no inline script: CSP); delegated
// listeners, so it works on fragments htmx swaps in, and loading it twice binds once.
// Copying a reply to the clipboard reuses the shared [data-copy-target] handler.
(function () {
  "use strict";
  if (window.fanloopInbox) { return; }
  window.fanloopInbox = true;

  var PING_MS = 60 * 1000;

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.getAttribute) { return; }

    var group = target.getAttribute("data-select-all");
    if (group) {
      var form = target.closest("form") || document;
      form.querySelectorAll("input[type=checkbox][name='" + group + "']").forEach(function (box) {
        box.checked = target.checked;
      });
      return;
    }

    var into = target.getAttribute("data-saved-reply-for");
    if (into) {
      var field = document.getElementById(into);
      var option = target.options[target.selectedIndex];
      if (field && option && option.value) {
        field.value = option.getAttribute("data-text") || "";
        field.focus();
      }
      var idField = document.getElementById(target.getAttribute("data-saved-reply-id") || "");
      if (idField) { idField.value = option ? option.value : ""; }
    }
  });

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // Round robin gives new conversations to operators seen in the last minutes; while an
  // inbox page is open (and the tab visible), say so.
  function ping() {
    var holder = document.querySelector("[data-inbox-heartbeat]");
    if (!holder || document.visibilityState === "hidden") { return; }
    fetch(holder.getAttribute("data-inbox-heartbeat"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" }
    }).catch(function () { /* offline for a moment: the next ping will tell */ });
  }

  window.setInterval(ping, PING_MS);
})();
