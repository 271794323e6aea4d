// Small DOM helpers. Data from the API is only ever set as text, never parsed as HTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function notice(text, kind = "ok") {
  const box = $("#notice");
  box.className = `notice ${kind}`;
  box.textContent = text;
}

// A message kept for the next page (after a redirect), shown once.
export function noticeNextPage(text) {
  sessionStorage.setItem("bridge.admin.notice", text);
}

export function showPendingNotice() {
  const text = sessionStorage.getItem("bridge.admin.notice");
  if (text) {
    sessionStorage.removeItem("bridge.admin.notice");
    notice(text);
  }
}

export function badge(text, kind) {
  return el("span", { class: `badge ${kind || ""}`.trim(), text });
}

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

export function splitList(text, separators = /[,\n]/) {
  return text.split(separators).map(s => s.trim()).filter(Boolean);
}
