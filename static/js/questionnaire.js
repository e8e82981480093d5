// The intake questionnaire, progressively enhanced: everything works without this file (the server
// applies the skip logic and adds medication rows with the "Add another medication" button).
//  - Follow-up questions (`data-show-when="field=value"` or "field!=value") are hidden until they apply.
//  - "Add another medication" adds a row in the page instead of saving and reloading.
(function () {
  "use strict";

  function selectedValues(form, name) {
    const values = [];
    for (const control of form.querySelectorAll(`[name="${name}"]`)) {
      if ((control.type === "radio" || control.type === "checkbox") && !control.checked) continue;
      if (control.type !== "radio" && control.type !== "checkbox" && !control.value) continue;
      values.push(control.value);
    }
    return values;
  }

  function applies(form, rule) {
    const negate = rule.includes("!=");
    const [name, value] = rule.split(negate ? "!=" : "=");
    const values = selectedValues(form, name);
    if (negate) return values.length > 0 && !values.includes(value);
    return values.includes(value);
  }

  function update(form) {
    for (const block of form.querySelectorAll("[data-show-when]")) {
      const show = applies(form, block.dataset.showWhen);
      block.hidden = !show; // still sent if answered before: the server ignores what doesn't apply
    }
  }

  function addMedicationRow(form) {
    const rows = form.querySelector("#medication-rows");
    const template = form.querySelector("#medication-row-template");
    if (!rows || !template) return false;
    const prefix = rows.dataset.formsetPrefix;
    const total = form.querySelector(`[name="${prefix}-TOTAL_FORMS"]`);
    const max = form.querySelector(`[name="${prefix}-MAX_NUM_FORMS"]`);
    const index = Number(total.value);
    if (max && index >= Number(max.value)) return false;
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    rows.insertAdjacentHTML("beforeend", html);
    const row = rows.lastElementChild;
    const number = row.querySelector("[data-row-number]");
    if (number) number.textContent = String(index + 1);
    total.value = String(index + 1);
    const first = row.querySelector("input");
    if (first) first.focus();
    return true;
  }

  for (const form of document.querySelectorAll("form.intake-step")) {
    update(form);
    form.addEventListener("change", () => update(form));
    const add = form.querySelector("[data-add-medication]");
    if (add) {
      add.addEventListener("click", (event) => {
        if (addMedicationRow(form)) event.preventDefault();
      });
    }
  }
})();
