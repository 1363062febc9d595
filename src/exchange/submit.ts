import { gateName, gateShards, uniqueLeadKey } from "../core/uniqueLead";
import type { Admission } from "../objects/gate";
import { leaseMsOf, type RunInput } from "./runLead";
import type { LeadAnswer } from "./settlement";

export type SubmitResult = { kind: "answered"; answer: LeadAnswer } | Exclude<Admission, { kind: "run" } | { kind: "replay" }>;

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
    });
  } catch (error) {
    // The gate was lost mid-call (evicted, restarted): whatever it had logged, its alarm finishes.
    console.error("gate call failed", input.lead.id, error instanceof Error ? error.message : "unknown");
    return { kind: "failed" };
  }
  return result.kind === "replay" ? { kind: "answered", answer: result.answer } : result.kind === "run" ? { kind: "failed" } : result;
}
