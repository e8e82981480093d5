// The pre-dose check, progressively enhanced: follow-up questions (`data-show-when="field=value"`) stay
// hidden until they apply. Without this file they are all shown, and the server ignores the answers
// to questions that don't apply (the risk screen's skip logic).
(function () {
  "use strict";

  function applies(form, rule) {
    const [name, value] = rule.split("=");
    const chosen = form.querySelector(`[name="${name}"]:checked`);
    return chosen !== null && chosen.value === value;
  }

  function update(form) {
    for (const block of form.querySelectorAll("[data-show-when]")) {
      block.hidden = !applies(form, block.dataset.showWhen);
    }
  }

  for (const form of document.querySelectorAll("form[data-predose-form]")) {
    update(form);
    form.addEventListener("change", () => update(form));
  }
})();
