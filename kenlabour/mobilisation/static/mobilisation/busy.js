/* A form that takes a moment (running the matching): once sent, its button says so and
 * cannot be pressed twice, and the status line beside it reads the same words.
 *
 * Without JavaScript the form posts all the same; the browser shows its own progress.
 * Forms opt in with data-busy-label (the words shown while the server works).
 */
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy-label]"), function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter || form.querySelector("button[type=submit]");
      var status = form.querySelector("[data-busy-status]");
      form.setAttribute("aria-busy", "true");
      if (button) {
        button.textContent = form.dataset.busyLabel;
        // Disabled after the submission started: a disabled submitter would not send.
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      }
      if (status) {
        status.textContent = form.dataset.busyLabel;
      }
    });
  });
})();
