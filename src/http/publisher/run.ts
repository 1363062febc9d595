/**
 * One lead's run, from the gate to the answer: admit the lead under its key
 * (durable in the gate before any buyer hears of it), screen it, run the
 * tree with real buyers behind TreeIO, settle, and log the outcome in the
 * gate before the publisher is answered. D1 is written from the gate's log.
 */
import type { PostAttempt } from "../../core/attempt";
import type { Tree } from "../../core/config";
import type { Lead } from "../../core/lead";
import { pingFields } from "../../core/pii";
import type { Screening } from "../../core/screen";
import { settle } from "../../core/settle";
import { tierStrategies } from "../../core/tiers";
import { runTree, type TreeIO, type TreeOutcome } from "../../core/tree";
import { gateName, uniqueLeadKey } from "../../core/uniqueLead";
import { postLeadPoint } from "../../buyers/call";
import { createBuyerClient } from "../../buyers/client";
import { fanOutPings } from "../../buyers/fanout";
import type { Admission, LeadAnswer } from "../../objects/gate";
import { pingShardNames } from "../../objects/pingShard";
import { rotationName } from "../../objects/rotation";
import { disableTreePositions, type Publisher } from "../../store/config";
import type { Services } from "../context";
import type { TreeSnapshot } from "../../store/configCache";
import type { LeadLogEntry, LeadStatus } from "../../store/leadLog";

const LEASE_SLACK_MS = 5_000;
const DEFAULT_RUNTIME_SECONDS = 25;

export type LeadRun = { kind: "answered"; answer: LeadAnswer } | Exclude<Admission, { kind: "run" } | { kind: "replay" }>;

export async function runLead(
  env: Env,
  services: Services,
  snapshot: TreeSnapshot,
  publisher: Publisher,
  lead: Lead,
  screening: Exclude<Screening, { kind: "error" }>,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<LeadRun> {
  const { tree } = snapshot;
  const key = uniqueLeadKey(tree.uniqueLead.pattern, lead);
  const gate = env.LEAD_GATE.getByName(gateName(tree.id, key, Number(env.GATE_SHARDS) || 16));
  const admission = await gate.admit({
    key,
    lead,
    windowSeconds: tree.uniqueLead.durationSeconds,
    maxAccepts: tree.maxAcceptsPerLead,
    leaseMs: (tree.maxRuntimeSeconds ?? DEFAULT_RUNTIME_SECONDS) * 1000 + LEASE_SLACK_MS,
  });
  if (admission.kind === "replay") return { kind: "answered", answer: admission.answer };
  if (admission.kind !== "run") return admission;

  const started = Date.now();
  let outcome: { status: LeadStatus; tree?: TreeOutcome; reason?: string };
  try {
    if (screening.kind === "pass") {
      const ran = await runTree({ tree, lead, points: snapshot.points, io: treeIO(env, tree, lead, gate), strategies: tierStrategies });
      outcome = { status: ran.sales.length ? "accepted" : "unsold", tree: ran, ...(ran.reason ? { reason: ran.reason } : {}) };
    } else {
      outcome = { status: "rejected", reason: screening.reason };
    }
  } catch (error) {
    console.error("lead run failed", lead.id, error);
    await gate.fail(key, logEntry(lead, { status: "error", reason: "the run failed inside the exchange" }, [], started));
    return { kind: "failed" };
  }

  const settled = settle(outcome.tree?.sales ?? [], publisher.payout);
  const sold = settled.sales.length > 0;
  const redirectUrl = sold ? (settled.sales.find((sale) => sale.redirectUrl)?.redirectUrl ?? tree.response.acceptUrl) : tree.response.declineUrl;
  const answer: LeadAnswer = {
    leadId: lead.id,
    status: sold ? "accepted" : "declined",
    ...(sold ? { payoutCents: settled.payoutCents } : {}),
    ...(redirectUrl ? { redirectUrl } : {}),
  };
  const log = logEntry(lead, outcome, settled.sales, started, outcome.tree, redirectUrl);
  await gate.complete(key, { answer, accepts: settled.accepts, log });
  const disabled = outcome.tree?.disabledPositions ?? [];
  if (disabled.length) {
    waitUntil(disableTreePositions(services.db, tree.id, disabled.map((p) => p.leadPointId)).then(() => services.config.invalidate()));
  }
  return { kind: "answered", answer };
}

function logEntry(
  lead: Lead,
  outcome: { status: LeadStatus; reason?: string },
  sales: LeadLogEntry["sales"],
  started: number,
  ran?: TreeOutcome,
  redirectUrl?: string,
): LeadLogEntry {
  return {
    lead,
    status: outcome.status,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(redirectUrl ? { redirectUrl } : {}),
    ms: Date.now() - started,
    completedAt: new Date().toISOString(),
    trace: ran?.trace ?? [],
    sales: sales.map((sale) => ({
      leadPointId: sale.leadPointId,
      buyerId: sale.buyerId,
      priceCents: sale.priceCents,
      payoutCents: sale.payoutCents,
      marginCents: sale.marginCents,
      ...(sale.redirectUrl ? { redirectUrl: sale.redirectUrl } : {}),
      ...(sale.buyerLeadId ? { buyerLeadId: sale.buyerLeadId } : {}),
    })),
  };
}

type GateStub = ReturnType<Env["LEAD_GATE"]["getByName"]>;

/** The real world behind the tree runner: buyers over HTTP (sharded past six), the gate's log, the rotation. */
function treeIO(env: Env, tree: Tree, lead: Lead, gate: GateStub): TreeIO {
  const client = createBuyerClient();
  const base = { leadId: lead.id, treeId: tree.id, vertical: tree.vertical, score: lead.score };
  const publicFields = pingFields(lead.fields, tree.fields);
  return {
    now: Date.now,
    random: Math.random,
    ping: (targets) =>
      fanOutPings(
        client,
        (count) => pingShardNames(count, Number(env.PING_SHARD_POOL) || 64).map((name) => env.PING_SHARD.getByName(name)),
        targets.map((target) => ({ point: target.point, deadlineAt: target.deadlineAt })),
        { ...base, fields: publicFields, allowedResponseMs: 0 },
      ),
    beforePost: async (target) => {
      await gate.intent(lead.id, target.point.id, target.priceCents);
      return { ok: true };
    },
    post: (target): Promise<PostAttempt> =>
      postLeadPoint(
        client,
        target.point,
        {
          ...base,
          fields: lead.fields,
          consent: lead.consent,
          priceCents: target.priceCents,
          allowedResponseMs: Math.max(0, target.deadlineAt - Date.now()),
          ...(target.pingToken ? { pingToken: target.pingToken } : {}),
        },
        target.deadlineAt,
      ),
    afterPost: async () => {},
    rotation: (tierName, size) => env.ROTATION.getByName(rotationName(tree.id, tierName)).next(size),
  };
}
