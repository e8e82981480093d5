// A form that posts is sent once: after its first submit its submit buttons are disabled and it is
// marked aria-busy, so a double click sends nothing twice. Kindness only: the server records each
// form's token once whatever arrives. The buttons are disabled just after the submit event, so the
// one clicked still sends its name (e.g. "confirm"); a page the browser brings back works again.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method !== "post" || event.defaultPrevented) return;
  if (form.getAttribute("aria-busy") === "true") {
    event.preventDefault();
    return;
  }
  form.setAttribute("aria-busy", "true");
  setTimeout(() => {
    for (const control of form.elements) {
      if (control.type === "submit") control.disabled = true;
    }
  });
});

window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[aria-busy='true']")) {
    form.removeAttribute("aria-busy");
    for (const control of form.elements) {
      if (control.type === "submit") control.disabled = false;
    }
  }
});
