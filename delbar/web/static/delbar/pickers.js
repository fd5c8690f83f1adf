// Choosing organizations and CPV codes on the case, need and solution forms. Without this file the forms
// still work: a name typed in an organization picker is resolved when the form is saved, and a CPV code
// found beside the field is typed into it by hand. With it, a choice lands in the form at once.
"use strict";

function addOrganization(input) {
  const picker = input.closest("[data-org-picker]");
  const option = Array.from(input.list.options).find((o) => o.value === input.value);
  if (!option) return;
  const chosen = picker.querySelector(".org-picker-chosen");
  const name = input.name.replace(/_add$/, "");
  const existing = chosen.querySelector(`input[value="${option.dataset.pk}"]`);
  if (existing) {
    existing.checked = true;
  } else {
    const item = document.createElement("li");
    item.className = "ds-field";
    const box = document.createElement("input");
    Object.assign(box, {type: "checkbox", name, value: option.dataset.pk, checked: true,
                        id: `${input.id}_${option.dataset.pk}`, className: "ds-input"});
    const label = document.createElement("label");
    Object.assign(label, {className: "ds-label", htmlFor: box.id, textContent: option.value});
    item.append(box, label);
    chosen.append(item);
  }
  chosen.hidden = false;
  input.value = "";
}

function addCpv(button) {
  const field = document.getElementById(button.dataset.field);
  if (!field) return;
  const code = button.dataset.cpvAdd;
  const codes = field.value.split(/[\s,;]+/).filter(Boolean);
  if (!codes.some((c) => c.split("-")[0] === code)) {
    field.value = [...codes, code].join(", ");
    const labels = document.getElementById(`${field.id}_labels`);
    if (labels) {
      const item = document.createElement("li");
      const number = document.createElement("code");
      number.textContent = code;
      item.append(number, ` – ${button.dataset.cpvLabel}`);
      labels.append(item);
      labels.hidden = false;
    }
  }
  button.disabled = true;
  button.textContent = button.dataset.added || "✓";
}

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-org-picker] input[list]")) addOrganization(event.target);
});
document.addEventListener("input", (event) => {
  // Choosing one of the suggestions replaces the text at once; typed letters wait for Enter or leaving
  // the box, since one name can begin another.
  if (event.target.matches("[data-org-picker] input[list]") && event.inputType === "insertReplacementText") {
    addOrganization(event.target);
  }
});
document.addEventListener("keydown", (event) => {
  // Enter in a picker chooses the name typed; it does not send the whole form half-filled.
  if (event.key === "Enter" && event.target.matches("[data-org-picker] input[list]")) {
    event.preventDefault();
    addOrganization(event.target);
  }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-cpv-add]");
  if (button) addCpv(button);
});
