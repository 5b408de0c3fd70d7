// Content studio behaviour. Loaded from our own origin on every page (no inline script).
// The live compliance check itself is plain htmx (see content/variant.html); this file
// only adds small conveniences.
(function () {
  "use strict";

  // Forms marked data-confirm ask before they submit (deleting a variant or a file).
  function bindConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.getAttribute("data-confirm-bound")) { return; }
      form.setAttribute("data-confirm-bound", "1");
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  // The cover select offers only the media ticked in the picker (plus "no cover").
  function syncCover(editor) {
    var cover = editor.querySelector("select[name=cover]");
    if (!cover) { return; }
    var ticked = {};
    editor.querySelectorAll("input[type=checkbox][name=media_ids]").forEach(function (box) {
      ticked[box.value] = box.checked;
    });
    Array.prototype.forEach.call(cover.options, function (option) {
      if (!option.value) { return; }
      var hide = ticked[option.value] === false && option.value !== cover.value;
      option.hidden = hide;
    });
  }

  function bindEditor(root) {
    root.querySelectorAll("form[data-testid=editor]").forEach(function (editor) {
      syncCover(editor);
      if (editor.getAttribute("data-studio-bound")) { return; }
      editor.setAttribute("data-studio-bound", "1");
      editor.addEventListener("change", function () { syncCover(editor); });
    });
  }

  function bind(root) {
    bindConfirm(root);
    bindEditor(root);
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSettle", function (event) { bind(event.target); });
})();
