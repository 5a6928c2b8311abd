// Registration and edition of an actor: show only the fields that fit the chosen kind
// (organisation, collective with a place, place-less collective). Without JavaScript
// every field shows and the server says which ones to leave empty.
(function () {
  "use strict";

  function update(form) {
    var checked = form.querySelector('input[name="category"]:checked');
    if (!checked) {
      return;
    }
    form.querySelectorAll("[data-shown-for]").forEach(function (block) {
      var shown = block.dataset.shownFor.split(" ").indexOf(checked.value) !== -1;
      // A field with an error stays visible, so the person can see what to fix.
      if (!shown && block.querySelector('[aria-invalid="true"]')) {
        shown = true;
      }
      block.hidden = !shown;
      // Hidden fields are not sent: what was typed there cannot cause an error.
      block.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !shown;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.actor-form");
    if (!form || !form.querySelector('input[name="category"]')) {
      return;
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "category") {
        update(form);
      }
    });
    update(form);
  });
})();
