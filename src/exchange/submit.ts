import { RpcTarget } from "cloudflare:workers";
import type { PingAttempt } from "../core/attempt";
import { leaseMsOf } from "../core/config";
import { gateIndex, leadIdAt } from "../core/gateAddress";
import type { Lead } from "../core/lead";
import { blindText, sealLead } from "../core/piiSeal";
import { keyHasPii, ownLeadKey, uniqueLeadKey } from "../core/uniqueLead";
import { createBuyerClient } from "../buyers/client";
import { pingJobs, type PingJob, type PingShardService } from "../buyers/fanout";
import type { PingMessage } from "../buyers/wire";
import type { RunOutcome } from "../objects/gate";
import { newLeadToken } from "../store/ids";
import { gateAt, gateOfKey } from "./gates";
import { submitLimitReason } from "./limits";
import { piiKeysOf } from "./piiKeys";
import type { RunInput } from "./runLead";
import type { LeadAnswer } from "./settlement";

export type SubmitResult =
  | { kind: "answered"; answer: LeadAnswer }
  | { kind: "busy"; retryAfterSeconds: number }
  /** `stored`: the gate has the lead in its log and finishes it; otherwise the call was lost and nobody knows. */
  | { kind: "failed"; leadId: string; stored: boolean };

/** A validated lead before it has an id: the id names the gate that admits it. */
export type LeadDraft = Omit<Lead, "id">;

export interface Submission extends Omit<RunInput, "cycle" | "priorTrace" | "prior" | "lead" | "stored"> {
  draft: LeadDraft;
}

/**
 * The submitting Worker's own invocation as a place for one group of pings.
 * It waits on its gate call meanwhile with no connection of its own open
 * (Cloudflare counts fetch, KV, Cache, R2, Queues and sockets toward the six,
 * not calls to Durable Objects), so it has six to give; the gate calls back
 * into it instead of into a PingShard object, which costs the auction a
 * Durable Object request.
 */
class PingRelay extends RpcTarget implements PingShardService {
  ping(jobs: PingJob[], message: PingMessage): Promise<PingAttempt[]> {
    return pingJobs(createBuyerClient(), jobs, message);
  }
}

/**
 * The Worker's path for a new submission: the lead gets its key, its gate
 * and its id (which names the gate), the tree's submit limit counts it, and
 * one call to the gate admits it (durable there before any buyer hears of
 * it), runs it, and logs the outcome before it answers. The lead's PII is
 * sealed here, once: the gate logs the sealed lead (and D1 gets it from
 * there) and runs the open one, which never rests anywhere.
 */
export async function submitLead(env: Env, submission: Submission): Promise<SubmitResult> {
  const { draft, snapshot, publisher } = submission;
  const { tree } = snapshot;
  // Before anything counts the lead: without its keys it cannot be stored, and is refused.
  const keys = await piiKeysOf(env);
  const token = newLeadToken();
  const plainKey = uniqueLeadKey(tree.uniqueLead.pattern, draft);
  // The gate stores the key and compares it, never reads it: one made of PII is kept as its keyed digest.
  const patternKey = plainKey !== undefined && keyHasPii(tree.uniqueLead.pattern, tree.fields) ? `pii:${await blindText(keys, plainKey)}` : plainKey;
  const key = patternKey ?? ownLeadKey(token);
  // A lead keyed by its own new token cannot have been admitted before: no earlier gate to ask.
  const address = patternKey ? await gateOfKey(env, tree, key) : { treeId: tree.id, index: gateIndex(key, tree.gateShards) };
  const lead: Lead = { ...draft, id: leadIdAt(token, address) };
  const [overLimit, stored] = await Promise.all([submitLimitReason(env, tree, lead.id), sealLead(keys, lead, tree.fields)]);
  let result: RunOutcome;
  try {
    result = await gateAt(env, address).submit(
      {
        key,
        lead,
        stored,
        publisherId: publisher.id,
        windowSeconds: tree.uniqueLead.durationSeconds,
        maxAccepts: tree.maxAcceptsPerLead,
        leaseMs: leaseMsOf(tree),
        publisher,
        screening: overLimit ? { kind: "decline", rule: "dailyLimit", reason: overLimit } : submission.screening,
      },
      new PingRelay(),
    );
  } catch (error) {
    // The gate was lost mid-call (evicted, restarted): if it had logged the lead, its alarm finishes it.
    console.error("gate call failed", lead.id, error instanceof Error ? error.message : "unknown");
    return { kind: "failed", leadId: lead.id, stored: false };
  }
  if (result.kind === "failed") return { kind: "failed", leadId: result.leadId, stored: true };
  if (result.kind === "busy") return result;
  return { kind: "answered", answer: result.answer };
}
