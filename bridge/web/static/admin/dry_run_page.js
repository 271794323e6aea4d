// The dry-run page: the saved rules against a draft order from the rules page, if any.
import { $ } from "./dom.js";
import { mountDryRun } from "./dry_run.js";

export function start() {
  const wantsOrder = new URLSearchParams(location.search).get("draft") === "order";
  const stored = wantsOrder ? sessionStorage.getItem("bridge.admin.draft-order") : null;
  const rules = stored ? JSON.parse(stored) : null;
  if (rules) {
    $("#draft-note").textContent = "Draft: the rules in the order you set on the rules page " +
      "(not saved yet). Save the order there to keep it.";
  }
  mountDryRun($("main"), async () => ({ rules, mappings: null }),
    { labels: ["Saved rules now", rules ? "With the new order" : "Saved rules (no draft)"] });
}
