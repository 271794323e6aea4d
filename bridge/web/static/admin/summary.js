// Rules and mappings described in plain words for the lists.

const YES_NO = { true: "yes", false: "no" };

export function conditionsText(when = {}) {
  const parts = [];
  if (when.channels?.length) parts.push(`channel is ${when.channels.join(" or ")}`);
  if (when.accounts?.length) parts.push(`account is ${when.accounts.join(" or ")}`);
  if (when.languages?.length) parts.push(`language is ${when.languages.join(" or ")}`);
  if (when.keywords?.length) parts.push(`text mentions ${when.keywords.map(k => `“${k}”`).join(" or ")}`);
  if (when.regex) parts.push(`text matches /${when.regex}/`);
  if (when.min_followers != null) parts.push(`at least ${when.min_followers} followers`);
  if (when.verified != null) parts.push(`verified: ${YES_NO[when.verified]}`);
  if (when.returning_customer != null) parts.push(`returning customer: ${YES_NO[when.returning_customer]}`);
  if (when.business_hours != null) {
    parts.push(when.business_hours ? "within business hours" : "outside business hours");
  }
  return parts.length ? parts.join("; ") : "every message";
}

export function actionsText(then = {}) {
  const parts = [];
  if (then.suppress) parts.push("suppress (no ticket)");
  if (then.tags?.length) parts.push(`tags ${then.tags.join(", ")}`);
  if (then.categories?.length) parts.push(`categories ${then.categories.join(", ")}`);
  for (const [key, label] of [["priority", "priority"], ["severity", "severity"],
    ["group_id", "group"], ["assignee_id", "assignee"], ["ticket_type", "type"],
    ["brand_id", "brand"]]) {
    if (then[key]) parts.push(`${label} ${then[key]}`);
  }
  const fields = Object.entries(then.fields || {});
  if (fields.length) parts.push(fields.map(([k, v]) => `field ${k} = ${JSON.stringify(v)}`).join(", "));
  if (then.take_private) parts.push("answer in private");
  return parts.length ? parts.join("; ") : "nothing";
}

export function transformsText(transforms = []) {
  if (!transforms.length) return "none";
  return transforms.map(t => {
    if (t.kind === "lookup") return `look up (${Object.keys(t.table || {}).length} entries)`;
    if (t.kind === "default") return `default “${t.value ?? ""}”`;
    if (t.kind === "truncate") return `cut to ${t.length}`;
    return t.kind === "lower" ? "lower-case" : "upper-case";
  }).join(", then ");
}
