// The mappings list: what goes into which helpdesk field, enabled, broken, source.
import { api, listOf } from "./api.js";
import { $, badge, el, notice } from "./dom.js";
import { fieldLabel, loadFields } from "./fields.js";
import { mappingRecord, originLabel } from "./records.js";
import { transformsText } from "./summary.js";

let fields = [];

export async function start() {
  const loaded = await loadFields();
  fields = Array.isArray(loaded) ? loaded : [];
  await load();
}

async function load() {
  const records = listOf(await api("GET", "/mappings"), "mappings").map(mappingRecord);
  $("#mappings-table tbody").replaceChildren(...records.map(row));
  $("#mappings-empty").hidden = records.length > 0;
}

// The words for each mapping source, as the server's form renders them.
function sourceLabel(value) {
  const labels = JSON.parse($("#labels").dataset.sources || "{}");
  return labels[value] || value;
}

function row(rec) {
  const m = rec.body;
  const field = fields.find(f => f.key === m.field);
  const title = m.name || `${m.source} → ${m.field}`;
  const name = el("a", { href: `${document.body.dataset.base}/mappings/${encodeURIComponent(rec.id)}`,
    text: title });
  return el("tr", { "data-mapping-id": String(rec.id), class: [m.enabled === false ? "off" : "", rec.broken ? "broken" : ""].join(" ").trim() },
    el("th", { scope: "row" }, name),
    el("td", { text: sourceLabel(m.source) }),
    el("td", { text: field ? fieldLabel(field) : m.field }),
    el("td", { text: transformsText(m.transforms) }),
    el("td", {}, status(rec)),
    el("td", {}, toggle(rec)),
    el("td", {}, originLabel(rec), " ", rec.readOnly ? badge("read-only", "readonly") : null));
}

function status(rec) {
  if (!rec.broken) return badge("OK", "ok");
  return [badge("Broken", "broken"),
    el("ul", { class: "problems" }, rec.problems.map(p => el("li", { text: String(p) })))];
}

function toggle(rec) {
  const on = rec.body.enabled !== false;
  const name = rec.body.name || rec.body.field;
  return el("button", {
    type: "button", class: `toggle ${on ? "on" : ""}`, "aria-pressed": on ? "true" : "false",
    "aria-label": `${name}: enabled`, disabled: rec.readOnly, text: on ? "Enabled" : "Disabled",
    onclick: async () => {
      try {
        await api("POST", `/mappings/${encodeURIComponent(rec.id)}/${on ? "disable" : "enable"}`);
      } catch (err) {
        notice(`“${name}” could not be changed: ${err.message}`, "bad");
        return;
      }
      await load();
      notice(`“${name}” is now ${on ? "disabled" : "enabled"}.`);
    },
  });
}
