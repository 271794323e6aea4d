// The rules list: order (move up/down, then save), enable/disable, source and read-only.
import { api, listOf } from "./api.js";
import { $, badge, el, notice } from "./dom.js";
import { originLabel, ruleRecord } from "./records.js";
import { actionsText, conditionsText } from "./summary.js";

let saved = [];   // records in the saved order
let shown = [];   // records in the order on screen (may hold unsaved moves)

export async function start() {
  $("#save-order").addEventListener("click", saveOrder);
  $("#reset-order").addEventListener("click", () => { shown = [...saved]; render(); });
  $("#try-order").addEventListener("click", () => {
    sessionStorage.setItem("bridge.admin.draft-order", JSON.stringify(shown.map(r => r.body)));
  });
  await load();
}

async function load() {
  const answer = await api("GET", "/rules");
  saved = listOf(answer, "rules").map(ruleRecord);
  const order = $("#evaluation-order");
  order.hidden = !answer?.evaluation_order;
  order.textContent = answer?.evaluation_order || "";
  shown = [...saved];
  render();
}

function orderChanged() {
  return shown.some((rec, i) => rec.id !== saved[i].id);
}

function render() {
  const body = $("#rules-table tbody");
  body.replaceChildren(...shown.map((rec, i) => row(rec, i)));
  $("#rules-empty").hidden = shown.length > 0;
  const changed = orderChanged();
  $("#save-order").disabled = !changed;
  $("#reset-order").disabled = !changed;
  $("#try-order").hidden = !changed;
  $("#order-state").textContent = changed ? "The order has unsaved changes." : "";
}

function row(rec, index) {
  const rule = rec.body;
  const name = el("a", { href: `${document.body.dataset.base}/rules/${encodeURIComponent(rec.id)}`,
    text: rule.name });
  return el("tr", { "data-rule-id": String(rec.id), class: rule.enabled === false ? "off" : "" },
    el("td", { text: String(index + 1) }),
    el("th", { scope: "row" }, name),
    el("td", { text: conditionsText(rule.when) }),
    el("td", { text: actionsText(rule.then) }),
    el("td", {}, rule.stop === false ? badge("continues", "continue") : badge("stops here", "stop")),
    el("td", {}, toggle(rec)),
    el("td", {}, originLabel(rec), " ", rec.readOnly ? badge("read-only", "readonly") : null),
    el("td", { class: "move" }, moveButtons(rec, index)));
}

function toggle(rec) {
  const on = rec.body.enabled !== false;
  return el("button", {
    type: "button", class: `toggle ${on ? "on" : ""}`, "aria-pressed": on ? "true" : "false",
    "aria-label": `${rec.body.name}: enabled`, disabled: rec.readOnly,
    text: on ? "Enabled" : "Disabled",
    onclick: () => setEnabled(rec, !on),
  });
}

async function setEnabled(rec, on) {
  try {
    await api("POST", `/rules/${encodeURIComponent(rec.id)}/${on ? "enable" : "disable"}`);
  } catch (err) {
    notice(`“${rec.body.name}” could not be ${on ? "enabled" : "disabled"}: ${err.message}`, "bad");
    return;
  }
  const pending = orderChanged() ? shown.map(r => r.id) : null;
  await load();
  if (pending) {  // keep unsaved moves on screen
    shown = pending.map(id => saved.find(r => r.id === id)).filter(Boolean);
    render();
  }
  notice(`“${rec.body.name}” is now ${on ? "enabled" : "disabled"}.`);
}

function moveButtons(rec, index) {
  if (rec.readOnly) return [];
  const up = neighbour(index, -1);
  const down = neighbour(index, +1);
  return [
    el("button", { type: "button", class: "icon", disabled: up < 0, text: "↑",
      "aria-label": `Move “${rec.body.name}” up`, onclick: () => move(index, up, "up") }),
    el("button", { type: "button", class: "icon", disabled: down < 0, text: "↓",
      "aria-label": `Move “${rec.body.name}” down`, onclick: () => move(index, down, "down") }),
  ];
}

// TOML rules keep their place; saved rules move past them to the next saved rule.
function neighbour(index, step) {
  for (let i = index + step; i >= 0 && i < shown.length; i += step) {
    if (!shown[i].readOnly) return i;
  }
  return -1;
}

function move(from, to, direction) {
  const rec = shown[from];
  [shown[from], shown[to]] = [shown[to], shown[from]];
  render();
  const buttons = document.querySelectorAll(`tr[data-rule-id="${CSS.escape(String(rec.id))}"] .move button`);
  const again = direction === "up" ? buttons[0] : buttons[1];
  (again && !again.disabled ? again : buttons[0] || document.body).focus();
  notice(`“${rec.body.name}” moved ${direction}, now number ${to + 1}. Save the order to keep it.`);
}

async function saveOrder() {
  const ids = shown.filter(r => !r.readOnly).map(r => r.id);
  try {
    await api("POST", "/rules/order", ids);
  } catch (err) {
    notice(`The order could not be saved: ${err.message}`, "bad");
    return;
  }
  await load();
  notice("The new order is saved.");
}
