/**
 * Runs cut off part way, as a stopped object leaves them: the steps of the
 * gate's write-ahead log are played directly on its tables, with no run in
 * the object's memory, so its alarm and resubmits meet what a crash leaves.
 */
import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { leadIdAt } from "../../src/core/gateAddress";
import { NO_PRIOR_SALES } from "../../src/core/tree";
import type { LeadGate } from "../../src/objects/gate";
import { GateLog } from "../../src/objects/gate/log";
import { sealed } from "./pii";
import { admin, buyerUrl, expectStatus, newLeadPoint, newTree, submitLead, treeGate, unique, validLead } from "./exchange";

/** Plays a step of the write-ahead log directly on the gate's tables. */
export function inLog<T>(gate: DurableObjectStub<LeadGate>, step: (log: GateLog) => T): Promise<T> {
  return runInDurableObject(gate, (_instance, state) => step(new GateLog(state.storage.sql)));
}

export interface CutOffOptions {
  /** The one buyer's ping price and lead point extras (caps…). */
  bid?: number;
  point?: Record<string, unknown>;
  payout?: unknown;
  /** A name for the publisher's postback buyer, to read what it received. */
  postback?: string;
  /** When the stopped run's lease ends (epoch ms). */
  leaseUntil?: number;
}

/** A lead admitted by a run that then stopped: logged in its gate, its key held by the run's lease. */
export async function cutOffRun(options: CutOffOptions = {}) {
  const name = unique("crash");
  const point = await newLeadPoint(name, { bid: options.bid ?? 1500 }, options.point ?? {});
  const publisher = expectStatus(
    await admin<{ id: string; apiKey: string }>("POST", "/publishers", {
      name: unique("pub"),
      payout: options.payout ?? { type: "fixed", amountCents: 400 },
      ...(options.postback ? { postbackUrl: buyerUrl(options.postback) } : {}),
    }),
    201,
  );
  const treeId = await newTree([{ leadPointId: point.id }]);
  const clickId = unique("clk");
  const gate = treeGate(treeId);
  const lead = await sealed({
    id: leadIdAt(crypto.randomUUID().replaceAll("-", "").slice(0, 20), { treeId, index: 0 }),
    treeId,
    treeVersion: 1,
    vertical: "auto_insurance",
    publisherId: publisher.id,
    clickId,
    fields: { firstName: "Ann", lastName: "Reyes", email: "ann.reyes@gmail.com", phone: "+12127341188", zip: "10001", city: "New York", state: "NY" },
    consent: { text: "I agree.", textSha256: "826ff0dab649a97ffdd7779a332accafb35cc161012253a19383db19289d6e02", ip: "203.0.113.9", timestamp: new Date().toISOString() },
    score: 95,
    signals: [],
    receivedAt: new Date().toISOString(),
  });
  const now = Date.now();
  const key = `${publisher.id}|${clickId}|${treeId}`;
  await inLog(gate, (log) => log.admit({ key, lead, publisherId: publisher.id, now, leaseUntil: options.leaseUntil ?? now + 60_000, expiresAt: now + 3_600_000, prior: NO_PRIOR_SALES }));
  expect(await gate.pendingWrites()).toEqual([]);
  const resubmit = () => submitLead(treeId, publisher.apiKey, validLead({ clickId }));
  return { name, point, publisher, treeId, gate, lead, resubmit };
}
