// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Filter selects and the urgent checkbox apply at once; text fields still wait for "Apply".
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("select, input[type=checkbox]").forEach(function (field) {
      field.addEventListener("change", function () {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      });
    });
  });

  // A second chance before irreversible actions (merge, erase).
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
})();
