/**
 * The real world behind the pure tree runner: buyers over HTTP (the first six
 * pinged from here, the rest through PingShard objects), the caps, the
 * round-robin rotation, and the gate's journal around every post.
 */
import type { Tree } from "../core/config";
import type { Lead } from "../core/lead";
import { pingFields } from "../core/pii";
import type { TreeIO } from "../core/tree";
import { postLeadPoint } from "../buyers/call";
import { createBuyerClient } from "../buyers/client";
import { fanOutPings } from "../buyers/fanout";
import { pingShardNames } from "../objects/pingShard";
import { rotationName } from "../objects/rotation";
import type { RunJournal } from "./journal";
import { postGuards } from "./postGuards";

export function treeIO(env: Env, tree: Tree, lead: Lead, journal: RunJournal): TreeIO {
  const client = createBuyerClient();
  const guards = postGuards(env, tree, lead.id);
  const base = { leadId: lead.id, treeId: tree.id, vertical: tree.vertical, score: lead.score };
  const publicFields = pingFields(lead.fields, tree.fields);
  const shards = (count: number) => pingShardNames(count, Number(env.PING_SHARD_POOL) || 64).map((name) => env.PING_SHARD.getByName(name));
  return {
    now: Date.now,
    random: Math.random,
    closedReason: (point) => guards.closedReason(point),
    ping: (targets) =>
      fanOutPings(
        client,
        shards,
        targets.map((target) => ({ point: target.point, deadlineAt: target.deadlineAt })),
        { ...base, fields: publicFields, allowedResponseMs: 0 },
      ),
    beforePost: async (target) => {
      const reserved = await guards.reserve(target.point);
      if (!reserved.ok) return reserved;
      // Logged after the reservation, so an intent always stands for a post that may have left.
      await journal.intent(lead.id, target.point.id, target.priceCents);
      return { ok: true };
    },
    post: (target) =>
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
    afterPost: async (target, attempt) => {
      const accepted = attempt.kind === "accepted";
      const sale = accepted
        ? {
            leadPointId: target.point.id,
            buyerId: target.point.buyerId,
            priceCents: target.priceCents,
            countsTowardsQuota: target.position.countTowardsQuota,
            ...(attempt.redirectUrl ? { redirectUrl: attempt.redirectUrl } : {}),
            ...(attempt.buyerLeadId ? { buyerLeadId: attempt.buyerLeadId } : {}),
          }
        : undefined;
      await Promise.all([guards.settle(target.point, accepted), journal.postOutcome(lead.id, target.point.id, { kind: attempt.kind, ...(sale ? { sale } : {}) })]);
    },
    rotation: (tierName, size) => env.ROTATION.getByName(rotationName(tree.id, tierName)).next(size),
  };
}
