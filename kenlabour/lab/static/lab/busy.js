// While a form is sent, its button says so (Pico shows a spinner on aria-busy) and a
// second press does not send it twice. Without JavaScript the form posts as usual.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) {
    return;
  }
  if (form.dataset.sending === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "1";
  const button = event.submitter || form.querySelector("button[type=submit]");
  if (button) {
    button.setAttribute("aria-busy", "true");
    button.textContent = form.dataset.busy;
  }
});
// Coming back with the browser's back button shows the form ready again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-busy]")) {
    delete form.dataset.sending;
  }
});
