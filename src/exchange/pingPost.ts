/**
 * The Worker's side of inbound ping-post: a ping goes to the gate of its
 * unique-lead key (known from the ping's own fields, else its own token) and
 * gets an id naming that gate; the post goes to the gate its ping id names,
 * with no lookup, and is run there as a lead with the id the ping foretold.
 */
import { pingIdAt, type PingAddress } from "../core/gateAddress";
import type { Lead } from "../core/lead";
import { pingExpiresAt } from "../core/pingPost";
import type { PingOutcome, PingRefusal } from "../objects/gate";
import type { PingedLead } from "../objects/gate/pings";
import { gateAt } from "./gates";
import { submitReservation } from "./limits";
import { callGate, gateSubmission, openResult, PingRelay, placeLead, resultOf, type Submission, type SubmitResult } from "./submit";

export interface PingSubmission extends Omit<Submission, "place"> {
  /** The ping's fields and tracking ids, which its post must repeat. */
  pinged: PingedLead;
}

export interface PingAnswer extends PingOutcome {
  pingId: string;
  /** ISO-8601 UTC: the reserved bids are posted to only before this. */
  expiresAt: string;
}

export async function pingLead(env: Env, ping: PingSubmission): Promise<PingAnswer> {
  const { snapshot, publisher, draft, screening, pinged } = ping;
  const { tree } = snapshot;
  const { token, key, address, leadId } = await placeLead(env, tree, draft);
  const pingId = pingIdAt(token, address);
  const expiresAt = pingExpiresAt(tree, Date.now());
  const lead: Lead = { ...draft, id: leadId };
  const outcome = await gateAt(env, address).ping({ pingId, key, lead, pinged, publisher, maxAccepts: tree.maxAcceptsPerLead, screening, expiresAt }, new PingRelay());
  return { pingId, status: outcome.status, payoutCents: outcome.payoutCents, expiresAt: new Date(expiresAt).toISOString() };
}

export function isPingRefusal<T extends { kind: string }>(outcome: T | PingRefusal): outcome is PingRefusal {
  return outcome.kind.startsWith("ping");
}

/** Posts the whole lead for `pingId` to the gate its id names (`found`, as pingAddress read it); the lead's id is the one the ping foretold. */
export async function postPingedLead(env: Env, post: PingSubmission & { pingId: string; found: PingAddress }): Promise<SubmitResult | PingRefusal> {
  const { found } = post;
  const lead: Lead = { ...post.draft, id: found.leadId };
  const submitUnit = submitReservation(env, post.snapshot.tree, lead.id);
  const request = { pingId: post.pingId, pinged: post.pinged, ...(await gateSubmission(env, post, lead, () => submitUnit.reserve())) };
  const result = await callGate(lead.id, async () => {
    const outcome = await gateAt(env, found.address).post(request, new PingRelay());
    return isPingRefusal(outcome) ? outcome : resultOf(outcome);
  });
  await submitUnit.settle(!isPingRefusal(result));
  return isPingRefusal(result) ? result : openResult(env, result);
}
