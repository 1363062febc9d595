/** A lead's unique key (API.md, tree semantics: uniqueLead). */
import type { FieldSpec } from "./config";
import type { Lead } from "./lead";
import { isPiiField } from "./pii";

export type KeyedLead = Pick<Lead, "treeId" | "publisherId" | "clickId" | "subId" | "subId2" | "subId3" | "fields">;

/**
 * The tree's pattern names the key: `["clickId","treeId"]` gives
 * `<publisherId>|1326105|1001`. The publisher is always part of it, so
 * another publisher's lead with the same click id is its own lead. A lead
 * lacking any part of the pattern has no key (undefined): it is never a
 * duplicate, and is keyed by its own id.
 */
export function uniqueLeadKey(pattern: string[], lead: KeyedLead): string | undefined {
  const parts: string[] = [lead.publisherId];
  for (const name of pattern) {
    const value = name === "treeId" ? lead.treeId : name === "clickId" || name === "subId" || name === "subId2" || name === "subId3" ? lead[name] : lead.fields[name];
    if (value === undefined || value === "") return undefined;
    parts.push(String(value));
  }
  return parts.join("|");
}

/** Whether the pattern's key would carry PII (an email, a phone…): then only a keyed digest of it may be stored. */
export function keyHasPii(pattern: string[], specs: readonly Pick<FieldSpec, "name" | "pii">[]): boolean {
  return pattern.some((name) => isPiiField(name, specs));
}

/** The key of a lead that has none of its own: its id's token, unique by construction. */
export function ownLeadKey(token: string): string {
  return `lead:${token}`;
}
