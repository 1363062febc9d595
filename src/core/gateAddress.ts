/**
 * Where a lead's gate object is (DESIGN.md, "Keep gate objects warm"): the
 * object `gate:<treeId>:<index>`, index = hash(unique-lead key) mod the
 * tree version's gate count. A lead id carries its gate's address, so any
 * read can find the gate's log of a lead that D1 does not have yet.
 */
import { numberSetting } from "./settings";

/** FNV-1a, 32 bit: stable across isolates and releases, which the gate's address must be. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Gate objects per tree when neither the tree nor GATE_SHARDS says. One
 * object stays warm and batches its D1 writes with every lead of the tree:
 * the benchmark measured ~0.9 ms less at the median at concurrency 1 than
 * with 4. Keys are still serialized one by one inside it; what one object
 * bounds is throughput, a few hundred leads a second, so a busier tree
 * raises its count.
 */
export const DEFAULT_GATE_SHARDS = 1;

/** The GATE_SHARDS setting as a count. */
export function gateShards(setting: string | undefined): number {
  return numberSetting(setting, DEFAULT_GATE_SHARDS);
}

export interface GateAddress {
  treeId: string;
  index: number;
}

export function gateIndex(key: string, shards: number): number {
  return fnv1a(key) % Math.max(1, Math.floor(shards));
}

export function gateName(address: GateAddress): string {
  return `gate:${address.treeId}:${address.index}`;
}

/** `ld_<token>.<treeId>.<index>`: a tree id has no dot (letters, digits, '-' and '_'). */
export function leadIdAt(token: string, address: GateAddress): string {
  return `ld_${token}.${address.treeId}.${address.index}`;
}

/** The gate a lead id names, or undefined for an id without one (leads admitted before ids carried it). */
export function gateAddressOfLead(leadId: string): GateAddress | undefined {
  const match = /^ld_[0-9a-f]+\.([A-Za-z0-9_-]{1,64})\.(\d{1,10})$/.exec(leadId);
  if (!match) return undefined;
  return { treeId: match[1] as string, index: Number(match[2]) };
}

/**
 * `pg_<token>.<treeId>.<index>`: an inbound ping names the gate that holds
 * its reserved bids, so its post finds them without a lookup. The lead its
 * post makes is `ld_<token>.<treeId>.<index>`, the same token in the same gate.
 */
export function pingIdAt(token: string, address: GateAddress): string {
  return `pg_${token}.${address.treeId}.${address.index}`;
}

/** The gate a ping id names and the id of the lead its post makes, or undefined for a string that is no ping id. */
/** Where a ping id points: its gate, the lead its post makes, and the token both ids share. */
export interface PingAddress {
  address: GateAddress;
  leadId: string;
  token: string;
}

export function pingAddress(pingId: string): PingAddress | undefined {
  const match = /^pg_([0-9a-f]+)\.([A-Za-z0-9_-]{1,64})\.(\d{1,10})$/.exec(pingId);
  if (!match) return undefined;
  const address = { treeId: match[2] as string, index: Number(match[3]) };
  const token = match[1] as string;
  return { address, leadId: leadIdAt(token, address), token };
}
