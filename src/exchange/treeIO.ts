/**
 * The real world behind the pure tree runner: buyers over HTTP (the first six
 * pinged from here, the next six from the submitting Worker's invocation when
 * one waits for this run, the rest through PingShard objects), the caps, the
 * round-robin rotation, and posts through the gate's journal.
 */
import type { Tree } from "../core/config";
import type { Lead } from "../core/lead";
import { pingFields } from "../core/pii";
import { numberSetting } from "../core/settings";
import type { TreeIO } from "../core/tree";
import { pingTargetOf } from "../buyers/call";
import { createBuyerClient } from "../buyers/client";
import { fanOutPings, type PingShardService } from "../buyers/fanout";
import type { PostMessage } from "../buyers/wire";
import { pingShardNames } from "../objects/pingShard";
import { rotationName } from "../objects/rotation";
import type { RunJournal } from "./journal";
import { postGuards } from "./limits";

/** The post of `lead` at a price, as every buyer that gets the full lead receives it. */
export function postMessage(tree: Tree, lead: Lead, priceCents: number, allowedResponseMs: number): PostMessage {
  return { leadId: lead.id, treeId: tree.id, vertical: tree.vertical, score: lead.score, fields: lead.fields, consent: lead.consent, priceCents, allowedResponseMs };
}

/** `capacity`: the free agents of the points whose filters or bid rules read them (capacityReadings). */
export function treeIO(env: Env, tree: Tree, lead: Lead, journal: RunJournal, capacity: ReadonlyMap<string, number>, relay?: PingShardService): TreeIO {
  const client = createBuyerClient();
  const guards = postGuards(env, tree, lead.id);
  const base = { leadId: lead.id, treeId: tree.id, vertical: tree.vertical, score: lead.score };
  const publicFields = pingFields(lead.fields, tree.fields);
  const pool = (count: number): PingShardService[] => pingShardNames(count, numberSetting(env.PING_SHARD_POOL, 16)).map((name) => env.PING_SHARD.getByName(name));
  const shards = (count: number): PingShardService[] => (relay && count > 0 ? [relay, ...pool(count - 1)] : pool(count));
  return {
    now: Date.now,
    random: Math.random,
    closedReason: (point) => guards.closedReason(point),
    capacityOf: (point) => capacity.get(point.id),
    ping: (targets) =>
      fanOutPings(
        client,
        shards,
        targets.map((target) => ({ point: pingTargetOf(target.point), deadlineAt: target.deadlineAt, allowedResponseMs: target.allowedResponseMs })),
        { ...base, fields: publicFields },
      ),
    beforePost: (target) => guards.reserve(target.point),
    post: (target) =>
      journal.post({
        leadId: lead.id,
        point: target.point,
        message: { ...postMessage(tree, lead, target.priceCents, target.allowedResponseMs), ...(target.pingToken ? { pingToken: target.pingToken } : {}) },
        deadlineAt: target.deadlineAt,
        sale: { leadPointId: target.point.id, buyerId: target.point.buyerId, priceCents: target.priceCents, countsTowardsQuota: target.position.countTowardsQuota },
        ...(target.pricing ? { pricing: target.pricing } : {}),
      }),
    afterPost: (target, attempt) => guards.closeReservation(target.point, attempt.kind === "accepted"),
    rotation: (tierName, listed, eligible) => env.ROTATION.getByName(rotationName(tree.id, tierName)).next(listed, eligible),
  };
}
