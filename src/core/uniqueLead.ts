/** A lead's unique key and the gate object that owns it (DESIGN.md, "Keep gate objects warm"). */
import type { Lead } from "./lead";
import { numberSetting } from "./settings";

/**
 * The tree's pattern names the key: `["clickId","treeId"]` gives `1326105|1001`.
 * A lead lacking any part of it is keyed by its own id, so it is never a duplicate.
 */
export function uniqueLeadKey(pattern: string[], lead: Lead): string {
  const parts: string[] = [];
  for (const name of pattern) {
    const value = name === "treeId" ? lead.treeId : name === "clickId" || name === "subId" || name === "subId2" || name === "subId3" ? lead[name] : lead.fields[name];
    if (value === undefined || value === "") return `lead:${lead.id}`;
    parts.push(String(value));
  }
  return parts.join("|");
}

/** FNV-1a, 32 bit: stable across isolates and releases, which the gate's name must be. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Gate objects per tree when GATE_SHARDS is not set. One object stays warm
 * and batches its D1 writes with every lead of the tree: the benchmark
 * measured ~0.9 ms less at the median at concurrency 1 than with 4 (and ~1 ms
 * of CPU per lead less with 4 than with 16). Keys are still serialized one by
 * one inside it; what one object bounds is throughput, a few hundred leads a
 * second, so raise it for a tree with more traffic.
 */
export const DEFAULT_GATE_SHARDS = 1;

/** The GATE_SHARDS setting as a count. */
export function gateShards(setting: string | undefined): number {
  return numberSetting(setting, DEFAULT_GATE_SHARDS);
}

export function gateName(treeId: string, key: string, shards: number): string {
  return `gate:${treeId}:${fnv1a(key) % Math.max(1, Math.floor(shards))}`;
}
