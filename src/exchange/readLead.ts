/**
 * Reading a lead from the moment its publisher has the answer. D1 gets it up
 * to a second later (longer while D1 fails); the lead id names its gate, so
 * a read that D1 cannot answer, or answers with a status the lead may still
 * leave (pending, review), asks the gate's log. No D1 write moves onto the
 * lead's path for this.
 */
import { gateAddressOfLead } from "../core/gateAddress";
import { leadViewOfEntry, leadWithTrace, OPEN_STATUSES, type LeadView } from "../store/leadRead";
import type { Services } from "../store/services";
import { gateAt } from "./gates";

export async function readLead(env: Env, services: Services, leadId: string): Promise<LeadView | undefined> {
  const stored = await leadWithTrace(services.db, leadId);
  if (stored && !OPEN_STATUSES.has(stored.status)) return stored;
  const address = gateAddressOfLead(leadId);
  if (!address) return stored;
  // Only a gate the tree has (had): a made-up id must not bring a new object into being.
  const snapshot = await services.config.tree(services.db, address.treeId);
  const counts = snapshot ? [snapshot.tree.gateShards, ...snapshot.tree.gateShardHistory.map((epoch) => epoch.shards)] : [];
  if (!counts.some((count) => address.index < count)) return stored;
  const logged = await gateAt(env, address).read(leadId);
  return logged ? leadViewOfEntry(logged) : stored;
}
