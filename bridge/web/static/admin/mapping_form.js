// Create or edit one field mapping: source, helpdesk field, transforms; dry run.
import { api, listOf } from "./api.js";
import { $, el, noticeNextPage, notice } from "./dom.js";
import { clearErrors, showErrors } from "./errors.js";
import { fieldSelect, loadFields } from "./fields.js";
import { mountDryRun } from "./dry_run.js";
import { mappingRecord, originLabel } from "./records.js";
import { saveRecord } from "./save.js";
import { readTransform, renumber, transformRow } from "./transforms.js";

let fields = [];
let current = null;

export async function start() {
  const form = $("#mapping-form");
  const id = document.body.dataset.entityId;
  const [loaded, rec] = await Promise.all([loadFields(),
    id ? api("GET", `/mappings/${encodeURIComponent(id)}`) : null]);
  if (loaded.error) notice(`The helpdesk's fields could not be read: ${loaded.error}`, "bad");
  fields = Array.isArray(loaded) ? loaded : [];
  current = rec ? mappingRecord(rec) : null;
  fill(form, current ? current.body : {});
  if (current) showState(form, current);
  $("#add-transform").addEventListener("click", () => {
    addTransform({ kind: $("#new-transform").value });
    $("#transform-rows").lastElementChild.querySelector("input, button")?.focus();
  });
  form.addEventListener("submit", event => { event.preventDefault(); save(form); });
  mountDryRun($("#dry-run"), async () => ({ rules: null, mappings: await draftMappings(form) }));
}

function fill(form, mapping) {
  form.name.value = mapping.name || "";
  form.enabled.checked = mapping.enabled !== false;
  if (mapping.source) form.source.value = mapping.source;
  const select = fieldSelect(fields, mapping.field || "", { id: "field", name: "field", required: true,
    "aria-describedby": "field-hint" });
  form.field.replaceWith(select);
  select.addEventListener("change", updateOptions);
  if (!fields.length) $("#field-hint").textContent = "The helpdesk's fields are not available: " +
    "check the helpdesk settings. Saved mappings keep their field.";
  document.querySelector('[data-path="field"]').append(el("datalist", { id: "field-options" }));
  updateOptions();
  for (const transform of mapping.transforms || []) addTransform(transform);
}

// Drop-down fields suggest their options for lookup and default values.
function updateOptions() {
  const field = fields.find(f => f.key === $("#field").value);
  $("#field-options").replaceChildren(...(field ? field.options : []).map(o =>
    el("option", { value: o.value, label: o.label })));
}

function showState(form, rec) {
  if (rec.broken) {
    const box = $("#broken-note");
    box.hidden = false;
    box.replaceChildren(el("strong", { text: "This mapping is broken: the helpdesk's fields changed. " }),
      el("ul", {}, (rec.problems.length ? rec.problems : ["no details given"]).map(p => el("li", { text: String(p) }))));
  }
  if (rec.readOnly) {
    const note = $("#read-only-note");
    note.hidden = false;
    document.querySelector("h1").textContent = "Mapping (read-only)";
    note.textContent = `Read-only: this mapping comes from the ${originLabel(rec)}. Change it there.`;
    for (const node of form.elements) node.disabled = true;
    return;
  }
  const del = $("#delete");
  del.hidden = false;
  del.addEventListener("click", () => remove(rec));
}

function addTransform(transform) {
  const list = $("#transform-rows");
  list.append(transformRow(transform, () => renumber(list)));
  renumber(list);
}

export function readMapping(form) {
  return {
    name: form.name.value.trim(),
    enabled: form.enabled.checked,
    source: form.source.value,
    field: form.field.value,
    transforms: [...$("#transform-rows").children].map(readTransform),
  };
}

// Errors that quote a value of the form ("the lookup table can give 'gold', which is not
// an option...") land next to that value; others next to the part their path names.
function guess(detail, named) {
  if (detail.path && !/^(field|transforms)/.test(detail.path)) return null;
  for (const input of document.querySelectorAll("#transform-rows input")) {
    if (input.value && (detail.message.includes(`'${input.value}'`) || detail.message.includes(`"${input.value}"`))) {
      return input.closest(".entry-to") || input.closest("[data-path]");
    }
  }
  if (named) return null;
  if (/transform|lookup|table/i.test(detail.message)) return document.querySelector('[data-path="transforms"]');
  return /field/i.test(detail.message) ? document.querySelector('[data-path="field"]') : null;
}

async function save(form) {
  clearErrors(form);
  const mapping = readMapping(form);
  if (!mapping.field) {
    showErrors(form, { details: [{ path: "field", message: "Choose the helpdesk field." }], message: "" });
    return;
  }
  try {
    await saveRecord("mappings", current, mapping);
  } catch (err) {
    showErrors(form, err, { guess });
    return;
  }
  noticeNextPage(`Mapping “${mapping.name || mapping.field}” saved.`);
  location.assign(`${document.body.dataset.base}/mappings`);
}

async function remove(rec) {
  if (!confirm(`Delete this mapping? The audit log keeps a copy.`)) return;
  try {
    await api("DELETE", `/mappings/${encodeURIComponent(rec.id)}`);
  } catch (err) {
    notice(`The mapping could not be deleted: ${err.message}`, "bad");
    return;
  }
  noticeNextPage("Mapping deleted.");
  location.assign(`${document.body.dataset.base}/mappings`);
}

async function draftMappings(form) {
  const saved = listOf(await api("GET", "/mappings"), "mappings").map(mappingRecord);
  const draft = readMapping(form);
  if (current) return saved.map(m => (m.id === current.id ? draft : m.body));
  return [...saved.map(m => m.body), draft];
}
