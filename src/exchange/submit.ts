import { RpcTarget } from "cloudflare:workers";
import type { PingAttempt } from "../core/attempt";
import { gateName, gateShards, uniqueLeadKey } from "../core/uniqueLead";
import { createBuyerClient } from "../buyers/client";
import { pingJobs, type PingJob, type PingShardService } from "../buyers/fanout";
import type { PingMessage } from "../buyers/wire";
import type { Admission } from "../objects/gate";
import { leaseMsOf, type RunInput } from "./runLead";
import type { LeadAnswer } from "./settlement";

export type SubmitResult = { kind: "answered"; answer: LeadAnswer } | Exclude<Admission, { kind: "run" } | { kind: "replay" }>;

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
 * The Worker's path for a new submission: one call to the gate of the
 * lead's unique key, which admits the lead (durable there before any buyer
 * hears of it), runs it, and logs the outcome before it answers. Running in
 * the gate makes every journal write a local one, coalesced with the others.
 */
export async function submitLead(env: Env, input: Omit<RunInput, "cycle" | "priorTrace">): Promise<SubmitResult> {
  const { tree } = input.snapshot;
  const key = uniqueLeadKey(tree.uniqueLead.pattern, input.lead);
  const gate = env.LEAD_GATE.getByName(gateName(tree.id, key, gateShards(env.GATE_SHARDS)));
  let result: Admission;
  try {
    result = await gate.submit({
      key,
      lead: input.lead,
      publisherId: input.publisher.id,
      windowSeconds: tree.uniqueLead.durationSeconds,
      maxAccepts: tree.maxAcceptsPerLead,
      leaseMs: leaseMsOf(tree),
      publisher: input.publisher,
      screening: input.screening,
    }, new PingRelay());
  } catch (error) {
    // The gate was lost mid-call (evicted, restarted): whatever it had logged, its alarm finishes.
    console.error("gate call failed", input.lead.id, error instanceof Error ? error.message : "unknown");
    return { kind: "failed" };
  }
  return result.kind === "replay" ? { kind: "answered", answer: result.answer } : result.kind === "run" ? { kind: "failed" } : result;
}
