// Create (POST) or update (PUT, naming the version the form started from, so a change made
// meanwhile by someone else is refused with 409 rather than overwritten).
import { api } from "./api.js";

export async function saveRecord(kind, current, body) {
  if (!current) return api("POST", `/${kind}`, body);
  const version = current.version == null ? "" : `?version=${encodeURIComponent(current.version)}`;
  return api("PUT", `/${kind}/${encodeURIComponent(current.id)}${version}`, body);
}
