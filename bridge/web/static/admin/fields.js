// The helpdesk's ticket fields (GET /api/v1/fields), normalised for the forms:
// {key, title, kind, options: [{value, label}], active}. Zendesk keys are field ids,
// Freshdesk keys are cf_* names.
import { api, listOf } from "./api.js";
import { el } from "./dom.js";

const KIND_ALIASES = { tagger: "dropdown", custom_dropdown: "dropdown", nested_field: "dropdown",
  multiselect: "multiselect", custom_checkbox: "checkbox", custom_date: "date",
  custom_number: "integer", custom_decimal: "decimal", custom_text: "text",
  custom_paragraph: "textarea", custom_multi_select_dropdown: "multiselect" };

function normalise(raw) {
  const key = String(raw.key ?? raw.id ?? raw.name ?? "");
  const kind = String(raw.kind ?? raw.type ?? "text");
  const options = (raw.options ?? raw.custom_field_options ?? raw.choices ?? []).map(o =>
    typeof o === "string" ? { value: o, label: o }
      : Array.isArray(o) ? { value: String(o[0]), label: String(o[1] ?? o[0]) }
        : { value: String(o.value ?? o.name), label: String(o.label ?? o.name ?? o.value) });
  return { key, title: String(raw.title ?? raw.label ?? key), kind: KIND_ALIASES[kind] || kind,
    options, active: raw.active !== false };
}

export async function loadFields() {
  try {
    return listOf(await api("GET", "/fields"), "fields", "ticket_fields").map(normalise)
      .filter(f => f.key);
  } catch (err) {
    return { error: err.message };
  }
}

export function fieldLabel(field) {
  return field.title === field.key ? field.key : `${field.title} (${field.key})`;
}

// A <select> of the fields; a saved key the helpdesk no longer has stays selectable,
// marked, so the form shows what is saved rather than silently changing it. When the
// helpdesk's fields are unknown, a text box for the key (the API still checks it).
export function fieldSelect(fields, selected, attrs) {
  if (!fields.length) {
    return el("input", { ...attrs, type: "text", value: selected || "", spellcheck: "false" });
  }
  const select = el("select", attrs, el("option", { value: "", text: "Choose a field…" }));
  for (const field of fields) {
    select.append(el("option", { value: field.key, text: fieldLabel(field) + (field.active ? "" : " — inactive") }));
  }
  if (selected && !fields.some(f => f.key === selected)) {
    select.append(el("option", { value: selected, text: `${selected} — not in the helpdesk` }));
  }
  select.value = selected || "";
  return select;
}

// The input for one value of a field, shaped by its kind.
export function valueInput(field, value, attrs) {
  const kind = field ? field.kind : "text";
  if (kind === "dropdown" && field.options.length) {
    const select = el("select", attrs, el("option", { value: "", text: "Choose an option…" }),
      field.options.map(o => el("option", { value: o.value, text: o.label === o.value ? o.value : `${o.label} (${o.value})` })));
    if (value != null && value !== "" && !field.options.some(o => o.value === String(value))) {
      select.append(el("option", { value: String(value), text: `${value} — not an option` }));
    }
    select.value = value == null ? "" : String(value);
    return select;
  }
  if (kind === "checkbox") {
    return el("select", attrs, el("option", { value: "true", text: "checked", selected: value === true }),
      el("option", { value: "false", text: "unchecked", selected: value !== true }));
  }
  const type = { integer: "number", decimal: "number", date: "date" }[kind] || "text";
  return el("input", { ...attrs, type, step: kind === "decimal" ? "any" : undefined,
    value: value == null ? "" : String(value) });
}

// The JSON value of such an input: numbers for number fields, booleans for checkboxes.
export function readValue(field, input) {
  const kind = field ? field.kind : "text";
  const text = input.value;
  if (kind === "checkbox") return text === "true";
  if (kind === "multiselect") return text.split(",").map(s => s.trim()).filter(Boolean);
  if ((kind === "integer" || kind === "decimal") && text.trim() !== "" && !Number.isNaN(Number(text))) {
    return Number(text);
  }
  return text;
}
