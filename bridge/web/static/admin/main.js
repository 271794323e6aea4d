// Entry point of every admin page: sign-in guard, header, then the page's own module.
import { loginUrl, signOut, signedIn, userName } from "./api.js";
import { $, notice, showPendingNotice } from "./dom.js";

const PAGES = {
  "login": () => import("./login.js"),
  "rules": () => import("./rules.js"),
  "rule-form": () => import("./rule_form.js"),
  "mappings": () => import("./mappings.js"),
  "mapping-form": () => import("./mapping_form.js"),
  "audit": () => import("./audit.js"),
  "dry-run": () => import("./dry_run_page.js"),
};

async function start() {
  const page = document.body.dataset.page;
  if (page !== "login") {
    if (!signedIn()) {
      location.replace(loginUrl());
      return;
    }
    $("#who-name").textContent = userName();
    $("#sign-out").addEventListener("click", () => {
      signOut();
      location.assign(loginUrl());
    });
  }
  showPendingNotice();
  try {
    const module = await PAGES[page]();
    await module.start();
  } catch (err) {
    notice(`This page could not load: ${err.message}`, "bad");
    throw err;
  } finally {
    document.body.dataset.ready = "true";
  }
}

start();
