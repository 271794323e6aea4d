// Errors of a form shown next to the field they concern, in the API's own words, and
// listed at the top of the form (each item links to its field).
import { el } from "./dom.js";

export function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const node of form.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    const ids = (node.getAttribute("aria-describedby") || "").split(" ")
      .filter(id => id && !id.startsWith("err-"));
    if (ids.length) node.setAttribute("aria-describedby", ids.join(" "));
    else node.removeAttribute("aria-describedby");
  }
  const summary = form.querySelector(".errors");
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

// ``guess(detail, named)`` may point at a more precise place than the path names (the
// value a message quotes, the row of the field it names), or at one when it names none.

// The field a path names: the deepest element whose data-path is the path or a prefix
// of it ("then.fields.360001" falls back to the row of field 360001, then "then.fields").
export function fieldFor(form, path) {
  const parts = path ? path.split(".") : [];
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join(".");
    const node = [...form.querySelectorAll("[data-path]")].find(x => x.dataset.path === key);
    if (node) return node;
  }
  return null;
}

let counter = 0;

export function showErrors(form, error, { title = "This could not be saved.", guess } = {}) {
  clearErrors(form);
  const details = error.details && error.details.length
    ? error.details : [{ path: "", message: error.message }];
  const summary = form.querySelector(".errors");
  const items = [];
  for (const detail of details) {
    const named = fieldFor(form, detail.path);
    const target = (guess && guess(detail, named)) || named;
    const id = `err-${++counter}`;
    if (target) attach(target, id, detail.message);
    const label = target && labelOf(target);
    items.push(el("li", {},
      target ? el("a", { href: `#${id}`, text: label ? `${label}: ` : "" }) : null,
      detail.message));
  }
  if (summary) {
    const heading = error.details && error.details.length ? title : "";
    summary.replaceChildren(el("p", {}, el("strong", { text: heading || title })),
      el("ul", {}, items));
    summary.hidden = false;
  }
  const first = form.querySelector(".field-error");
  (first ? first.closest("[data-path]") : summary)?.scrollIntoView({ block: "center" });
}

function attach(target, id, message) {
  target.append(el("p", { class: "error field-error", id, text: message }));
  const input = target.querySelector("input, select, textarea");
  if (!input) return;
  input.setAttribute("aria-invalid", "true");
  const described = input.getAttribute("aria-describedby");
  input.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
}

function labelOf(target) {
  const label = target.querySelector(":scope > label, :scope > legend");
  return label ? label.textContent.trim() : "";
}
