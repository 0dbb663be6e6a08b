// The worklist's team applies as it is chosen (the name applies with Enter, which sends a
// form of one search box by itself). Without JavaScript the form's own button does.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") form.submit();
  });
})();
