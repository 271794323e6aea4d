// Create or edit one rule; its dry run compares the saved rules with this draft in place.
import { api, listOf } from "./api.js";
import { $, el, noticeNextPage, notice, splitList } from "./dom.js";
import { clearErrors, showErrors } from "./errors.js";
import { fieldSelect, loadFields, readValue, valueInput } from "./fields.js";
import { mountDryRun } from "./dry_run.js";
import { originLabel, ruleRecord } from "./records.js";
import { saveRecord } from "./save.js";

const TRI = { "": null, "true": true, "false": false };
let fields = [];
let current = null;   // the record being edited, null for a new rule
let rowCount = 0;

export async function start() {
  const form = $("#rule-form");
  const id = document.body.dataset.entityId;
  const [loaded, rec] = await Promise.all([loadFields(), id ? api("GET", `/rules/${encodeURIComponent(id)}`) : null]);
  if (loaded.error) notice(`The helpdesk's fields could not be read: ${loaded.error}`, "bad");
  fields = Array.isArray(loaded) ? loaded : [];
  current = rec ? ruleRecord(rec) : null;
  fill(form, current ? current.body : {});
  if (current?.readOnly) lock(form, current);
  $("#add-field").addEventListener("click", () => addFieldRow(null, ""));
  form.addEventListener("submit", event => { event.preventDefault(); save(form); });
  if (current && !current.readOnly) {
    const del = $("#delete");
    del.hidden = false;
    del.addEventListener("click", () => remove(current));
  }
  mountDryRun($("#dry-run"), async () => ({ rules: await draftRules(form), mappings: null }));
}

function fill(form, rule) {
  const when = rule.when || {};
  const then = rule.then || {};
  form.name.value = rule.name || "";
  form.enabled.checked = rule.enabled !== false;
  (rule.stop === false ? $("#stop-no") : $("#stop-yes")).checked = true;
  for (const box of form.querySelectorAll("input[name=channels]")) box.checked = (when.channels || []).includes(box.value);
  form.accounts.value = (when.accounts || []).join(", ");
  form.languages.value = (when.languages || []).join(", ");
  form.keywords.value = (when.keywords || []).join("\n");
  form.regex.value = when.regex || "";
  form.min_followers.value = when.min_followers ?? "";
  for (const key of ["verified", "returning_customer", "business_hours"]) {
    form[key].value = when[key] == null ? "" : String(when[key]);
  }
  form.tags.value = (then.tags || []).join(", ");
  for (const box of form.querySelectorAll("input[name=categories]")) box.checked = (then.categories || []).includes(box.value);
  for (const key of ["priority", "severity", "group_id", "assignee_id", "ticket_type", "brand_id"]) {
    form[key].value = then[key] || "";
  }
  for (const [key, value] of Object.entries(then.fields || {})) addFieldRow(key, value);
  form.take_private.checked = Boolean(then.take_private);
  form.suppress.checked = Boolean(then.suppress);
}

function lock(form, rec) {
  const note = $("#read-only-note");
  note.hidden = false;
  document.querySelector("h1").textContent = "Rule (read-only)";
  note.textContent = `Read-only: this rule comes from the ${originLabel(rec)}. Change it there.`;
  for (const node of form.elements) node.disabled = true;
}

function addFieldRow(key, value) {
  const n = ++rowCount;
  const row = el("div", { class: "field-row", "data-path": key ? `then.fields.${key}` : `then.fields.new${n}` });
  const select = fieldSelect(fields, key, { id: `fv-field-${n}`, class: "fv-field" });
  const valueSlot = el("span", { class: "fv-value-slot" });
  const fieldOf = () => fields.find(f => f.key === select.value) || null;
  const renderValue = current => {
    valueSlot.replaceChildren(el("label", { for: `fv-value-${n}`, text: "Value" }),
      valueInput(fieldOf(), current, { id: `fv-value-${n}`, class: "fv-value" }));
  };
  select.addEventListener("change", () => {
    row.dataset.path = select.value ? `then.fields.${select.value}` : `then.fields.new${n}`;
    renderValue(null);
  });
  renderValue(value);
  row.append(el("label", { for: `fv-field-${n}`, text: "Field" }), select, valueSlot,
    el("button", { type: "button", class: "link", text: "Remove",
      "aria-label": `Remove this field value`, onclick: () => row.remove() }));
  $("#field-rows").append(row);
  if (!key) select.focus();
}

function readFields() {
  const out = {};
  for (const row of document.querySelectorAll("#field-rows .field-row")) {
    const key = row.querySelector(".fv-field").value;
    if (!key) continue;
    out[key] = readValue(fields.find(f => f.key === key), row.querySelector(".fv-value"));
  }
  return out;
}

function optional(text) {
  const value = text.trim();
  return value === "" ? null : value;
}

export function readRule(form) {
  const checked = name => [...form.querySelectorAll(`input[name=${name}]:checked`)].map(b => b.value);
  const followers = form.min_followers.value.trim();
  return {
    name: form.name.value.trim(),
    enabled: form.enabled.checked,
    stop: $("#stop-yes").checked,
    when: {
      channels: checked("channels"),
      accounts: splitList(form.accounts.value),
      languages: splitList(form.languages.value).map(s => s.toLowerCase()),
      keywords: splitList(form.keywords.value, /\n/),
      regex: optional(form.regex.value),
      min_followers: followers === "" ? null : Number(followers),
      verified: TRI[form.verified.value],
      returning_customer: TRI[form.returning_customer.value],
      business_hours: TRI[form.business_hours.value],
    },
    then: {
      tags: splitList(form.tags.value, /[,\s]+/),
      categories: checked("categories"),
      priority: optional(form.priority.value),
      severity: optional(form.severity.value),
      group_id: optional(form.group_id.value),
      assignee_id: optional(form.assignee_id.value),
      ticket_type: optional(form.ticket_type.value),
      brand_id: optional(form.brand_id.value),
      fields: readFields(),
      take_private: form.take_private.checked,
      suppress: form.suppress.checked,
    },
  };
}

// Field-value errors name their field ("field 360001 'Order type' ..."): they go to the
// row of the field named first in the message, next to its value unless the field itself
// is the problem.
function guess(detail, named) {
  if (detail.path && !detail.path.startsWith("then.fields")) return null;
  let best = null;
  let bestAt = Infinity;
  for (const row of document.querySelectorAll("#field-rows .field-row")) {
    const key = row.querySelector(".fv-field").value;
    const at = key ? detail.message.search(new RegExp(`(^|\\W)${escapeRegex(key)}(\\W|$)`)) : -1;
    if (at >= 0 && at < bestAt) [best, bestAt] = [row, at];
  }
  if (best) {
    const aboutField = /does not exist|inactive/.test(detail.message);
    return aboutField ? best : best.querySelector(".fv-value-slot");
  }
  return named ? null : (/field/i.test(detail.message) ? document.querySelector('[data-path="then.fields"]') : null);
}

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function save(form) {
  clearErrors(form);
  const rule = readRule(form);
  if (!rule.name) {
    showErrors(form, { details: [{ path: "name", message: "Give the rule a name." }], message: "" });
    return;
  }
  try {
    await saveRecord("rules", current, rule);
  } catch (err) {
    showErrors(form, err, { guess });
    return;
  }
  noticeNextPage(`Rule “${rule.name}” saved.`);
  location.assign(`${document.body.dataset.base}/rules`);
}

async function remove(rec) {
  if (!confirm(`Delete the rule “${rec.body.name}”? The audit log keeps a copy.`)) return;
  try {
    await api("DELETE", `/rules/${encodeURIComponent(rec.id)}`);
  } catch (err) {
    notice(`The rule could not be deleted: ${err.message}`, "bad");
    return;
  }
  noticeNextPage(`Rule “${rec.body.name}” deleted.`);
  location.assign(`${document.body.dataset.base}/rules`);
}

// The saved rules with this form's rule in its place (a new rule goes after the last
// saved rule, where saving it would put it).
async function draftRules(form) {
  const saved = listOf(await api("GET", "/rules"), "rules").map(ruleRecord);
  const draft = readRule(form);
  if (current) return saved.map(r => (r.id === current.id ? draft : r.body));
  const bodies = saved.map(r => r.body);
  const last = saved.map(r => !r.readOnly).lastIndexOf(true);
  bodies.splice(last < 0 ? bodies.length : last + 1, 0, draft);
  return bodies;
}
