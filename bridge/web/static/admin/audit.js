// The audit log: who changed what and when, with the before/after difference.
import { api, listOf } from "./api.js";
import { $, badge, el, when } from "./dom.js";

const PAGE = 50;
let oldest = null;

export async function start() {
  $("#audit-more").addEventListener("click", () => load(oldest));
  await load(null);
}

async function load(before) {
  const query = `?limit=${PAGE}${before != null ? `&before=${encodeURIComponent(before)}` : ""}`;
  const answer = await api("GET", `/audit${query}`);
  const entries = listOf(answer, "entries", "audit");
  $("#audit-table tbody").append(...entries.map(row));
  if (entries.length) oldest = entries[entries.length - 1].id;
  const next = answer && !Array.isArray(answer) ? (answer.next_before ?? answer.next) : undefined;
  if (next !== undefined && next !== null) oldest = next;
  $("#audit-more").hidden = next === null || entries.length < PAGE;
  $("#audit-empty").hidden = $("#audit-table tbody").childElementCount > 0;
}

function parse(value) {
  if (typeof value !== "string") return value ?? null;
  try { return JSON.parse(value); } catch { return value; }
}

// Snapshots hold the entity under its kind ({"rule": {...}, "position": 2, "version": 3}).
function nameOf(snapshot) {
  if (!snapshot || typeof snapshot !== "object") return "";
  const inner = snapshot.rule || snapshot.mapping || snapshot;
  return inner.name || inner.field || "";
}

function row(entry) {
  const before = parse(entry.before);
  const after = parse(entry.after);
  const name = nameOf(after) || nameOf(before);
  return el("tr", { "data-audit-id": String(entry.id) },
    el("td", {}, el("time", { datetime: entry.at, text: when(entry.at) })),
    el("td", { text: entry.actor }),
    el("td", {}, badge(entry.action, `action-${entry.action}`)),
    el("td", { text: `${entry.entity} ${entry.entity_id ?? ""}${name ? ` “${name}”` : ""}`.trim() }),
    el("td", {}, diff(before, after)));
}

// Leaf paths of a JSON value: {"then": {"tags": ["a"]}} → [["then.tags", ["a"]]].
function flatten(value, prefix = "", out = new Map()) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (!keys.length && prefix) out.set(prefix, value);
    for (const key of keys) flatten(value[key], prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

function shown(value) {
  return value === undefined ? "—" : JSON.stringify(value);
}

function isEmpty(value) {
  return value === null || value === undefined || (Array.isArray(value) && !value.length) ||
    (typeof value === "object" && value !== null && !Object.keys(value).length);
}

// Changed settings only; for a create or a delete, only the settings that hold a value.
// Paths drop the entity's own name: "rule.then.tags" reads "then.tags".
function diff(before, after) {
  const a = flatten(before);
  const b = flatten(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const oneSided = !before || !after;
  const changed = keys.filter(k => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)))
    .filter(k => !oneSided || !isEmpty(a.has(k) ? a.get(k) : b.get(k)));
  if (!changed.length) return el("span", { class: "hint", text: "no change to the content" });
  return el("table", { class: "diff" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Setting" }),
      el("th", { scope: "col", text: "Before" }), el("th", { scope: "col", text: "After" }))),
    el("tbody", {}, changed.map(k => el("tr", {},
      el("th", { scope: "row", text: k.replace(/^(rule|mapping)\./, "") }),
      el("td", { class: "before" }, el("del", { text: shown(a.get(k)) })),
      el("td", { class: "after" }, el("ins", { text: shown(b.get(k)) }))))));
}
