// What the API lists (a rule or mapping wrapped with id, version, source...) split into its
// bookkeeping and the body the API takes back (the bare Rule or Mapping, nothing more).

const RULE_KEYS = ["name", "enabled", "stop", "when", "then"];
const MAPPING_KEYS = ["name", "enabled", "source", "field", "transforms"];

function pick(object, keys) {
  const out = {};
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key];
  return out;
}

function record(item, inner, keys) {
  const body = item[inner] || item.definition || pick(item, keys);
  const origin = item.origin || (item[inner] ? item.source : undefined) ||
    (inner === "rule" ? item.source : undefined) || "database";
  return {
    id: item.id,
    version: item.version,
    position: item.position,
    origin: String(origin),
    readOnly: Boolean(item.read_only) || String(origin).startsWith("toml:"),
    broken: Boolean(item.broken),
    problems: Array.isArray(item.problems) ? item.problems : [],
    body: pick(body, keys),
    raw: item,
  };
}

export function ruleRecord(item) {
  return record(item, "rule", RULE_KEYS);
}

// A mapping's own "source" is the fact it copies; where the mapping comes from is the
// listing's "origin" (or "source" when the mapping is nested under "mapping").
export function mappingRecord(item) {
  return record(item, "mapping", MAPPING_KEYS);
}

export function originLabel(rec) {
  if (rec.origin.startsWith("toml:")) return `TOML file ${rec.origin.slice(5)}`;
  return "Saved here";
}
