// The transform rows of the mapping form: kind, its parameters, move and remove.
import { el } from "./dom.js";

const KIND_LABELS = { lower: "Lower-case", upper: "Upper-case", lookup: "Look up in a table",
  default: "Default when empty", truncate: "Cut to a length" };
let uid = 0;

export function transformRow(transform, onChange) {
  const n = ++uid;
  const row = el("li", { class: "transform", "data-kind": transform.kind });
  const params = el("div", { class: "params" });
  if (transform.kind === "lookup") params.append(lookupEditor(transform, n));
  if (transform.kind === "default") params.append(textParam(n, "value", "Value when empty", transform.value));
  if (transform.kind === "truncate") {
    params.append(el("div", { class: "field", "data-rel": "length" },
      el("label", { for: `t${n}-length`, text: "Length (characters)" }),
      el("input", { id: `t${n}-length`, class: "t-length", type: "number", min: "1", step: "1",
        value: transform.length == null ? "" : String(transform.length) })));
  }
  const name = KIND_LABELS[transform.kind] || transform.kind;
  row.append(el("strong", { class: "t-kind", text: name }), params,
    el("span", { class: "row-buttons" },
      el("button", { type: "button", class: "icon", text: "↑", "aria-label": `Move “${name}” up`,
        onclick: () => { row.previousElementSibling?.before(row); onChange(); } }),
      el("button", { type: "button", class: "icon", text: "↓", "aria-label": `Move “${name}” down`,
        onclick: () => { row.nextElementSibling?.after(row); onChange(); } }),
      el("button", { type: "button", class: "link", text: "Remove", "aria-label": `Remove “${name}”`,
        onclick: () => { row.remove(); onChange(); } })));
  return row;
}

function textParam(n, key, label, value) {
  return el("div", { class: "field", "data-rel": key },
    el("label", { for: `t${n}-${key}`, text: label }),
    el("input", { id: `t${n}-${key}`, class: `t-${key}`, type: "text", list: "field-options",
      value: value ?? "" }));
}

function lookupEditor(transform, n) {
  const entries = el("div", { class: "entries" });
  const add = (from, to) => entries.append(entryRow(from, to));
  for (const [from, to] of Object.entries(transform.table || {})) add(from, to);
  if (!entries.childElementCount) add("", "");
  return el("div", {},
    el("fieldset", { class: "field", "data-rel": "table" },
      el("legend", { text: "Table (value found → value written)" }), entries,
      el("button", { type: "button", text: "Add an entry", onclick: () => add("", "") })),
    textParam(n, "value", "Otherwise write (optional; empty keeps the value found)", transform.value));
}

function entryRow(from, to) {
  const k = ++uid;
  return el("div", { class: "entry" },
    el("label", { for: `e${k}-from`, text: "Found" }),
    el("input", { id: `e${k}-from`, class: "e-from", type: "text", value: from }),
    el("span", { class: "entry-to" },
      el("label", { for: `e${k}-to`, text: "Write" }),
      el("input", { id: `e${k}-to`, class: "e-to", type: "text", list: "field-options", value: to })),
    el("button", { type: "button", class: "link", text: "Remove", "aria-label": "Remove this entry",
      onclick: event => event.target.closest(".entry").remove() }));
}

export function readTransform(row) {
  const kind = row.dataset.kind;
  const out = { kind };
  if (kind === "lookup") {
    out.table = {};
    for (const entry of row.querySelectorAll(".entry")) {
      const from = entry.querySelector(".e-from").value;
      if (from.trim() !== "") out.table[from] = entry.querySelector(".e-to").value;
    }
  }
  const value = row.querySelector(".t-value");
  if (value && value.value !== "") out.value = value.value;
  const length = row.querySelector(".t-length");
  if (length) out.length = length.value === "" ? null : Number(length.value);
  return out;
}

// Rows are addressed by position in error paths ("transforms.1.table").
export function renumber(list) {
  [...list.children].forEach((row, i) => {
    row.dataset.path = `transforms.${i}`;
    for (const part of row.querySelectorAll("[data-rel]")) {
      part.dataset.path = `transforms.${i}.${part.dataset.rel}`;
    }
  });
}
