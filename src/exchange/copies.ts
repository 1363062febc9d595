/**
 * Copies of a sold lead (lead points of kind "copy": a CRM or an archive).
 * They are posted once the run has settled the sale, in the background, so
 * the publisher's answer never waits on them. A copy is no sale: no journal
 * intent, no cap, no quota, no ledger line; it is sent at price 0.
 *
 * The outcome is logged before a copy answers, so each copy's attempt joins
 * the lead's trace in D1 afterwards, as entries after the logged ones
 * (traceOfCopy). Until D1 has them a read of the lead does not show them,
 * and a copy whose entry D1 refuses is still sent but not traced. A run
 * that the gate recovers after a crash settles from its journal and sends
 * no copies.
 */
import { traceOfCopy } from "../core/attempt";
import type { Tree } from "../core/config";
import type { Lead } from "../core/lead";
import { sealValue, type PiiKeyring } from "../core/piiSeal";
import type { CopyTarget } from "../core/tree";
import { postLeadPoint } from "../buyers/call";
import { createBuyerClient } from "../buyers/client";
import { appendTrace } from "../store/leadLog";
import type { Db } from "../store/db";
import { postMessage } from "./treeIO";

export interface CopyRun {
  tree: Tree;
  lead: Lead;
  copies: CopyTarget[];
  /** The length of the lead's logged trace: the copies' entries follow it. */
  firstSeq: number;
  cycle: number;
}

/** `keys` seal what a copy says of a lead it refuses, as the journal does a buyer's answer. */
export async function sendCopies(db: Db, keys: () => Promise<PiiKeyring>, { tree, lead, copies, firstSeq, cycle }: CopyRun): Promise<void> {
  const ring = await keys();
  const client = createBuyerClient();
  const startedAt = Date.now();
  const attempts = await Promise.all(
    copies.map(({ point, position }) => {
      const allowedMs = position.timeoutSeconds * 1000;
      return postLeadPoint(client, point, postMessage(tree, lead, 0, allowedMs), startedAt + allowedMs + position.timeoutGraceMs);
    }),
  );
  const entries = await Promise.all(
    attempts.map(async (attempt) => {
      const entry = { ...traceOfCopy(attempt), ...(cycle > 1 ? { cycle } : {}) };
      // A refusal's words may quote the consumer, as a buyer's may (sealPostAnswer): the whole line rests sealed.
      return attempt.kind === "rejected" && attempt.reason && entry.reason ? { ...entry, reason: await sealValue(ring, entry.reason) } : entry;
    }),
  );
  await appendTrace(db, lead, firstSeq, entries);
}
