// The import runs within one request: while it does, show that it is working and keep
// the button from sending the file twice.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var busy = document.getElementById("import-busy");
    var button = document.getElementById("import-submit");
    if (busy) { busy.hidden = false; }
    if (button) {
      // Disabled after this tick, or the browser would not send the form.
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });
})();
