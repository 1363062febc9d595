/**
 * Finding the gate of a unique-lead key. A key lives in the gate its tree
 * version's count maps it to; while an earlier count's windows are still open
 * (the tree's gate count changed), the gate that count mapped the key to is
 * asked first whether it already holds the key, so a duplicate inside its
 * window meets the gate that admitted the first lead.
 */
import { gateIndex, gateName, type GateAddress } from "../core/gateAddress";
import type { TreeRecord } from "../store/config";

export async function gateOfKey(env: Env, tree: Pick<TreeRecord, "id" | "gateShards" | "gateShardHistory">, key: string, now = Date.now()): Promise<GateAddress> {
  const current: GateAddress = { treeId: tree.id, index: gateIndex(key, tree.gateShards) };
  const earlier = tree.gateShardHistory
    .filter((epoch) => epoch.until > now)
    .map((epoch): GateAddress => ({ treeId: tree.id, index: gateIndex(key, epoch.shards) }))
    .filter((address, i, all) => address.index !== current.index && all.findIndex((other) => other.index === address.index) === i);
  if (earlier.length === 0) return current;
  const holding = await Promise.all(earlier.map((address) => env.LEAD_GATE.getByName(gateName(address)).holds(key)));
  return earlier[holding.indexOf(true)] ?? current;
}

export function gateAt(env: Env, address: GateAddress) {
  return env.LEAD_GATE.getByName(gateName(address));
}
