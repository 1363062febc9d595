import { RpcTarget } from "cloudflare:workers";
import type { PingAttempt } from "../core/attempt";
import { leaseMsOf } from "../core/config";
import { gateIndex, leadIdAt, type GateAddress } from "../core/gateAddress";
import type { Lead } from "../core/lead";
import { blindText, sealLead } from "../core/piiSeal";
import { keyHasPii, ownLeadKey, uniqueLeadKey, type KeyedLead } from "../core/uniqueLead";
import { createBuyerClient } from "../buyers/client";
import { pingJobs, type PingJob, type PingShardService } from "../buyers/fanout";
import type { PingMessage } from "../buyers/wire";
import type { RunOutcome, SubmitRequest } from "../objects/gate";
import type { TreeRecord } from "../store/config";
import { newLeadToken } from "../store/ids";
import { gateAt, gateOfKey } from "./gates";
import { submitLimitReason } from "./limits";
import { openAnswer, piiKeysOf } from "./piiKeys";
import type { RunInput } from "./runLead";
import type { LeadAnswer } from "./settlement";

export type SubmitResult =
  | { kind: "answered"; answer: LeadAnswer }
  | { kind: "busy"; retryAfterSeconds: number }
  /** `stored`: the gate has the lead in its log and finishes it; otherwise the call was lost and nobody knows. */
  | { kind: "failed"; leadId: string; stored: boolean };

/** A validated lead before it has an id: the id names the gate that admits it. */
export type LeadDraft = Omit<Lead, "id">;

/** Where a new lead goes: its unique-lead key, the gate that key maps to, and its id, which names that gate. */
export interface LeadPlace {
  /** The random part of the lead's id (an inbound ping's id carries the same). */
  token: string;
  key: string;
  address: GateAddress;
  leadId: string;
}

export interface Submission extends Omit<RunInput, "cycle" | "priorTrace" | "prior" | "lead" | "stored"> {
  place: LeadPlace;
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
export class PingRelay extends RpcTarget implements PingShardService {
  ping(jobs: PingJob[], message: PingMessage): Promise<PingAttempt[]> {
    return pingJobs(createBuyerClient(), jobs, message);
  }
}

/** The lead's (or inbound ping's) key, its gate and its id (which names the gate), before it is scored: its consumer objects record it under that id. */
export async function placeLead(env: Env, tree: Pick<TreeRecord, "id" | "uniqueLead" | "fields" | "gateShards" | "gateShardHistory">, lead: KeyedLead): Promise<LeadPlace> {
  const token = newLeadToken();
  const patternKey = await patternKeyOf(env, tree, lead);
  const key = patternKey ?? ownLeadKey(token);
  // A lead keyed by its own new token cannot have been admitted before: no earlier gate to ask.
  const address = patternKey ? await gateOfKey(env, tree, key) : { treeId: tree.id, index: gateIndex(key, tree.gateShards) };
  return { token, key, address, leadId: leadIdAt(token, address) };
}

/**
 * The lead's unique-lead key by its tree's pattern, if the lead has every
 * part of it. The gate stores and compares the key and never reads it, so
 * one made of PII is kept as its keyed digest.
 */
export async function patternKeyOf(env: Env, tree: Pick<TreeRecord, "uniqueLead" | "fields">, lead: KeyedLead): Promise<string | undefined> {
  const plainKey = uniqueLeadKey(tree.uniqueLead.pattern, lead);
  if (plainKey === undefined || !keyHasPii(tree.uniqueLead.pattern, tree.fields)) return plainKey;
  return `pii:${await blindText(await piiKeysOf(env), plainKey)}`;
}

/**
 * The Worker's path for a new submission, placed by placeLead: the tree's
 * submit limit counts it, and one call to the gate admits it (durable there
 * before any buyer hears of it), runs it, and logs the outcome before it
 * answers. The lead's PII is sealed on the way (gateSubmission), once: the
 * gate logs the sealed lead (and D1 gets it from there) and runs the open
 * one, which never rests anywhere.
 */
export async function submitLead(env: Env, submission: Submission): Promise<SubmitResult> {
  const { draft, place } = submission;
  const lead: Lead = { ...draft, id: place.leadId };
  const request = { key: place.key, ...(await gateSubmission(env, submission, lead)) };
  return openResult(env, await callGate(lead.id, async () => resultOf(await gateAt(env, place.address).submit(request, new PingRelay()))));
}

/**
 * What the gate is told of a lead besides its key; the tree's daily submit
 * limit counts it here (once per lead id), and declines it when reached.
 * `overLimit` counts it: by default at once (a submission); an inbound post
 * reserves instead (submitReservation), since its gate may refuse the ping.
 */
export async function gateSubmission(
  env: Env,
  submission: Pick<Submission, "snapshot" | "publisher" | "screening">,
  lead: Lead,
  overLimit: () => Promise<string | undefined> = () => submitLimitReason(env, submission.snapshot.tree, lead.id),
): Promise<Omit<SubmitRequest, "key">> {
  const { snapshot, publisher } = submission;
  const { tree } = snapshot;
  // Without its keys a lead cannot be stored, so it is refused (503) before anything counts it.
  const keys = await piiKeysOf(env);
  const [limitReason, stored] = await Promise.all([overLimit(), sealLead(keys, lead, tree.fields)]);
  return {
    lead,
    stored,
    publisherId: publisher.id,
    windowSeconds: tree.uniqueLead.durationSeconds,
    maxAccepts: tree.maxAcceptsPerLead,
    leaseMs: leaseMsOf(tree),
    publisher,
    screening: limitReason ? { kind: "decline", rule: "dailyLimit", reason: limitReason } : submission.screening,
  };
}

/** A gate call for a lead (its request made beforehand, so a fault of ours is not taken for a lost gate): a call lost midway (the gate evicted, restarted) is a failure nobody knows the storage of; if the gate had logged the lead, its alarm finishes it. */
export async function callGate<T>(leadId: string, call: () => Promise<T>): Promise<T | SubmitResult> {
  try {
    return await call();
  } catch (error) {
    console.error("gate call failed", leadId, error instanceof Error ? error.message : "unknown");
    return { kind: "failed", leadId, stored: false };
  }
}

/**
 * The answer as its publisher gets it: the winning buyer's redirect URL,
 * which the gate keeps sealed (sealPostAnswer), opened. Outside callGate, so
 * a PII_KEY fault answers 503 with its cause instead of passing for a lost gate.
 */
export async function openResult(env: Env, result: SubmitResult): Promise<SubmitResult> {
  return result.kind === "answered" ? { ...result, answer: await openAnswer(env, result.answer) } : result;
}

export function resultOf(result: RunOutcome): SubmitResult {
  if (result.kind === "failed") return { kind: "failed", leadId: result.leadId, stored: true };
  if (result.kind === "busy") return result;
  return { kind: "answered", answer: result.answer };
}
