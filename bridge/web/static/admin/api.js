// The admin API client: every page's data goes through here. The token the admin pasted
// lives in this tab's sessionStorage and goes out as a Bearer token; the admin's name goes
// out as X-Admin-User so the audit log says who changed what.

const TOKEN = "bridge.admin.token";
const USER = "bridge.admin.user";
export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `The server answered ${status}`);
    this.status = status;
    this.body = body || {};
    this.details = normaliseDetails(this.body.details);
  }
}

export function signedIn() {
  return Boolean(sessionStorage.getItem(TOKEN));
}

export function userName() {
  return sessionStorage.getItem(USER) || "";
}

export function signIn(token, user) {
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(USER, user);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
}

export function loginUrl() {
  const base = document.body.dataset.base.replace(/\/$/, "");
  const next = location.pathname + location.search;
  return `${base}/login?next=${encodeURIComponent(next)}`;
}

export async function api(method, path, body, { token } = {}) {
  const headers = { Accept: "application/json" };
  headers.Authorization = `Bearer ${token || sessionStorage.getItem(TOKEN) || ""}`;
  const user = userName();
  if (user) headers["X-Admin-User"] = latin1(user);
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, init);
  } catch (err) {
    throw new ApiError(0, { error: `The bridge could not be reached (${err.message}).` });
  }
  const data = await readJson(response);
  if (response.status === 401 && !token) {
    signOut();
    location.assign(loginUrl());
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Header values are bytes: the name goes as its UTF-8 bytes, which the API decodes back
// (fetch refuses characters above U+00FF in a header).
function latin1(text) {
  return String.fromCharCode(...new TextEncoder().encode(text));
}

async function readJson(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { error: `The server answered ${response.status}: ${text.slice(0, 200)}` };
  }
}

// The API's error details name the field they concern in several ways: pydantic's
// {loc, msg}, {path|field, message}, or a plain "path: message" string. Normalise them to
// {path: "when.regex", message} (path "" when no field is named).
export function normaliseDetails(details) {
  if (!Array.isArray(details)) return [];
  return details.map(detail => {
    if (typeof detail === "string") return splitPath(detail);
    if (!detail || typeof detail !== "object") return { path: "", message: String(detail) };
    const message = detail.msg || detail.message || detail.error || JSON.stringify(detail);
    let path = detail.loc || detail.path || detail.field || "";
    if (Array.isArray(path)) path = path.join(".");
    return { path: dotted(String(path)), message: String(message) };
  });
}

function splitPath(text) {
  const m = /^([A-Za-z_][\w]*(?:(?:\.[\w-]+)|\[\d+\])*): (.+)$/s.exec(text);
  return m ? { path: dotted(m[1]), message: m[2] } : { path: "", message: text };
}

// "then.tags[0]" (the API's paths) → "then.tags.0" (the pages' data-path names).
function dotted(path) {
  return path.replace(/^body\.?/, "").replace(/\[(\d+)\]/g, ".$1").replace(/^\./, "");
}

// Listing answers may be a bare list or an object holding it under a name.
export function listOf(data, ...keys) {
  if (Array.isArray(data)) return data;
  for (const key of [...keys, "items", "data", "results"]) {
    if (data && Array.isArray(data[key])) return data[key];
  }
  return [];
}
