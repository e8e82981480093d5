// The journal's form, progressively enhanced: choosing what you write (an intention, a reflection, a
// journal entry) offers only the sessions and prompts that fit it (`data-kinds` on their options,
// `data-prompt-kind` on the prompt lists). Without this file everything is shown, grouped, and the
// server says when a choice doesn't fit.
(function () {
  "use strict";

  function chosenKind(form) {
    const checked = form.querySelector('input[name="kind"]:checked');
    return checked ? checked.value : "";
  }

  function update(form) {
    const kind = chosenKind(form);
    if (!kind) return;
    for (const select of form.querySelectorAll("select[data-journal-filter]")) {
      for (const option of select.options) {
        if (!option.dataset.kinds) continue;
        const fits = option.dataset.kinds.split(" ").includes(kind);
        option.hidden = !fits;
        option.disabled = !fits;
      }
      for (const group of select.querySelectorAll("optgroup")) {
        group.hidden = !Array.from(group.children).some((option) => !option.hidden);
      }
      if (select.selectedOptions.length && select.selectedOptions[0].disabled) select.value = "";
    }
    for (const block of document.querySelectorAll("[data-prompt-kind]")) {
      block.hidden = block.dataset.promptKind !== kind;
    }
  }

  for (const form of document.querySelectorAll("form[data-journal-form]")) {
    update(form);
    form.addEventListener("change", (event) => {
      if (event.target.name === "kind") update(form);
    });
  }
})();
