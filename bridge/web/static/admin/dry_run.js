// The dry run: pick recent messages or paste one, and see side by side what the saved rules
// do with each and what the draft would do. Nothing is saved and no ticket is touched.
import { api, listOf } from "./api.js";
import { $, badge, el, when } from "./dom.js";
import { clearErrors, showErrors } from "./errors.js";

const ROWS = [
  ["fired", "Rules fired"], ["tags", "Tags"], ["priority", "Priority"], ["severity", "Severity"],
  ["group_id", "Group"], ["assignee_id", "Assignee"], ["ticket_type", "Ticket type"],
  ["brand_id", "Brand"], ["fields", "Field values"], ["take_private", "Answer in private"],
  ["suppress", "Suppressed (no ticket)"], ["skipped_fields", "Field values left out"],
];

export function mountDryRun(section, getDraft, { labels = ["Saved rules now", "With your draft"] } = {}) {
  loadRecent(section);
  $("#run-dry-run", section).addEventListener("click", () => run(section, getDraft, labels));
}

async function loadRecent(section) {
  const list = $("#recent-messages", section);
  let messages;
  try {
    messages = listOf(await api("GET", "/messages?limit=20"), "messages");
  } catch (err) {
    $("#recent-empty", section).hidden = false;
    $("#recent-empty", section).textContent = `Recent messages could not be loaded (${err.message}): paste one below.`;
    return;
  }
  $("#recent-empty", section).hidden = messages.length > 0;
  list.replaceChildren(...messages.map(m => {
    const id = `msg-${m.id}`;
    return el("li", {}, el("input", { type: "checkbox", id, value: String(m.id), class: "pick" }),
      el("label", { for: id, class: "inline" },
        el("span", { class: "meta", text: `${m.channel} · ${m.account_id} · ${when(m.received_at)}` }),
        " ", el("span", { class: "text", text: m.text || "(no text)" })));
  }));
}

function pickedIds(section) {
  return [...section.querySelectorAll("input.pick:checked")].map(box => {
    const n = Number(box.value);
    return Number.isInteger(n) && String(n) === box.value ? n : box.value;
  });
}

function pasted(section) {
  const text = $("#paste-text", section).value;
  if (!text.trim()) return null;
  return { channel: $("#paste-channel", section).value,
    account_id: $("#paste-account", section).value.trim(), text };
}

async function run(section, getDraft, labels) {
  clearErrors(section);
  const ids = pickedIds(section);
  const message = pasted(section);
  if (!ids.length && !message) {
    showErrors(section, { details: [{ path: "message.text", message: "Pick at least one recent message or paste one." }], message: "" },
      { title: "Nothing to try yet." });
    return;
  }
  const results = $("#dry-run-results", section);
  results.replaceChildren(el("p", { class: "hint", text: "Running…" }));
  let answer;
  try {
    const draft = await getDraft();
    answer = await api("POST", "/dry-run", { rules: draft.rules, mappings: draft.mappings,
      message_ids: ids.length ? ids : null, message });
  } catch (err) {
    results.replaceChildren();
    showErrors(section, err, { title: "The dry run could not run." });
    return;
  }
  const items = listOf(answer, "results");
  results.replaceChildren(el("h3", { text: `Results for ${items.length} message${items.length === 1 ? "" : "s"}` }),
    ...items.map((item, i) => result(item, i, labels)));
}

function show(key, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  if (typeof value === "object") {
    const entries = key === "fields" && Array.isArray(value) ? value : Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join("; ") : "—";
  }
  return String(value);
}

function result(item, index, labels) {
  const m = item.message || {};
  const rows = ROWS.map(([key, label]) => {
    const now = show(key, (item.current || {})[key]);
    const draft = show(key, (item.draft || {})[key]);
    const changed = now !== draft;
    return el("tr", { class: changed ? "changed" : "" },
      el("th", { scope: "row" }, label, changed ? [" ", badge("changed", "changed")] : null),
      el("td", { class: `dr-current dr-${key}`, text: now }),
      el("td", { class: `dr-draft dr-${key}`, text: draft }));
  });
  const title = `Message ${index + 1}: ${m.channel || ""}${m.account_id ? ` · ${m.account_id}` : ""}`;
  return el("article", { class: "dry-result", "aria-label": title },
    el("h4", { text: title }),
    el("blockquote", { text: m.text || "(no text)" }),
    el("table", { class: "side-by-side" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Outcome" }),
        el("th", { scope: "col", text: labels[0] }), el("th", { scope: "col", text: labels[1] }))),
      el("tbody", {}, rows)),
    trace(item.trace || []));
}

function trace(steps) {
  if (!steps.length) return null;
  return el("details", {}, el("summary", { text: "Why: each rule of the draft, in order" }),
    el("ol", {}, steps.map(step => el("li", {},
      el("strong", { text: String(step.rule) }), " — ",
      step.matched ? badge("matched", "ok") : badge("did not match", "muted"),
      step.reason ? ` ${step.reason}` : ""))));
}
