/**
 * The limits a lead meets, each counted in a Counter object so it never
 * overshoots: the tree's daily submit limit when the lead arrives, then per
 * post the lead point's caps and the tree's daily accept limit, checked where
 * the design puts them: an isolate-memory hint before pinging (a point found
 * full is not pinged again for a while), an exact reservation in the counter
 * object before posting, committed on accept and released on anything else.
 * A reservation lapses with the run's lease, so a run cut off between
 * reserve and settle never holds a unit for good.
 *
 * A lead point's capacity declaration is counted in the same object as its
 * caps, in the same reservation: a point without one pays nothing for it. A
 * declaration of 0, or a sale that takes the last agent, closes the point
 * before the ping; the hint is keyed by the declaration, so the buyer's next
 * PUT opens it from the next lead.
 */
import { activeCapacity, noCapacityReason, readsCapacity } from "../core/capacity";
import { leaseMsOf, type Tree } from "../core/config";
import type { TreePoint } from "../core/tree";
import { capCounterName, treeLimitName, type CounterLimits, type Reservation } from "../objects/counter";

/** How long a point found full stays unpinged before the counter is asked again. */
const FULL_HINT_MS = 60_000;
const fullHints = new Map<string, { until: number; reason: string }>();
/** A hint holds for the limits it was found under: a cap raised by a PATCH is tried from the next lead. */
const hintKey = (guard: Guard) => `${guard.name} ${JSON.stringify(guard.limits)}`;

interface Guard {
  name: string;
  limits: CounterLimits;
}

function guardsOf(tree: Tree, point: TreePoint, nowMs: number): Guard[] {
  const guards: Guard[] = [];
  const capped = point.caps && (point.caps.hourly ?? point.caps.daily ?? point.caps.total) !== undefined;
  const capacity = activeCapacity(point.capacity, nowMs);
  if (capped || capacity) {
    guards.push({ name: capCounterName(point.id), limits: { timezone: "UTC", ...point.caps, ...(capacity ? { capacity } : {}) } });
  }
  const limits = tree.dailyLimits;
  if (limits?.accepts !== undefined) guards.push({ name: treeLimitName(tree.id, "accepts"), limits: { timezone: limits.timezone, daily: limits.accepts } });
  return guards;
}

export interface PostGuards {
  closedReason(point: TreePoint): string | undefined;
  reserve(point: TreePoint): Promise<Reservation>;
  /** Ends a post's reservation: a unit counted when the buyer took the lead, given back otherwise. */
  closeReservation(point: TreePoint, sold: boolean): Promise<void>;
}

/** The tree's daily submit limit, counted once per lead that reaches the tree: why it refuses this one, if it does. */
export async function submitLimitReason(env: Env, tree: Tree, leadId: string): Promise<string | undefined> {
  const limit = submitLimit(env, tree);
  return limit && refusal(limit.limits, await limit.counter.take(leadId, limit.limits));
}

/**
 * The submit limit for an inbound post, which its gate may refuse (an
 * unknown, expired, used or mismatched ping is no submit): the unit is
 * reserved before the gate call and counted only once the gate has run the
 * post, or given back. A unit held by the post's own lead id (its earlier
 * post) is left as it is, and a reservation nobody settles lapses.
 */
export interface SubmitReservation {
  /** Why the limit refuses the lead, if it does; otherwise its unit is held. */
  reserve(): Promise<string | undefined>;
  /** `ran`: the gate admitted the post, or nobody knows whether it did (a lost call), so it counts. */
  settle(ran: boolean): Promise<void>;
}

export function submitReservation(env: Env, tree: Tree, leadId: string): SubmitReservation {
  const limit = submitLimit(env, tree);
  let held = false;
  return {
    async reserve() {
      if (!limit) return undefined;
      const reservation = await limit.counter.reserve(leadId, limit.limits, Date.now(), leaseMsOf(tree));
      held = reservation.ok;
      return refusal(limit.limits, reservation);
    },
    async settle(ran) {
      if (!limit || !held) return;
      try {
        if (ran) await limit.counter.commit(leadId, Date.now(), limit.limits.timezone);
        else await limit.counter.release(leadId);
      } catch (error) {
        // Uncommitted, the unit lapses with its lease: the post is answered either way.
        console.error("submit limit not settled", leadId, error instanceof Error ? error.message : "unknown");
      }
    },
  };
}

function submitLimit(env: Env, tree: Tree) {
  const limits = tree.dailyLimits;
  if (limits?.submits === undefined) return undefined;
  return { counter: env.COUNTER.getByName(treeLimitName(tree.id, "submits")), limits: { timezone: limits.timezone, daily: limits.submits } };
}

function refusal(limits: { daily: number }, reservation: Reservation): string | undefined {
  return reservation.ok ? undefined : `the tree's daily submit limit of ${limits.daily} is reached`;
}

/**
 * The free agents of each point whose filters or bid rules read `capacity`,
 * when the run begins: one counter read per such point with a declaration in
 * force, none for any other.
 */
export async function capacityReadings(env: Env, points: Iterable<TreePoint>, nowMs: number): Promise<ReadonlyMap<string, number>> {
  const reads = [...points].flatMap((point) => {
    const declaration = activeCapacity(point.capacity, nowMs);
    if (!declaration || !readsCapacity([...point.filters, ...point.bidRules.flatMap((rule) => rule.when)])) return [];
    return [env.COUNTER.getByName(capCounterName(point.id)).capacity(declaration, nowMs).then((state) => [point.id, state?.left ?? declaration.available] as const)];
  });
  return new Map(reads.length ? await Promise.all(reads) : []);
}

export function postGuards(env: Env, tree: Tree, leadId: string, now: () => number = Date.now): PostGuards {
  const leaseMs = leaseMsOf(tree);
  const token = (point: TreePoint) => `${leadId}:${point.id}`;
  const counter = (name: string) => env.COUNTER.getByName(name);
  return {
    closedReason(point) {
      const capacity = activeCapacity(point.capacity, now());
      if (capacity?.available === 0) return noCapacityReason(capacity);
      for (const guard of guardsOf(tree, point, now())) {
        const hint = fullHints.get(hintKey(guard));
        if (hint && hint.until > now()) return hint.reason;
      }
      return undefined;
    },
    async reserve(point) {
      const guards = guardsOf(tree, point, now());
      if (guards.length === 0) return { ok: true };
      const results = await Promise.all(guards.map((guard) => counter(guard.name).reserve(token(point), guard.limits, now(), leaseMs)));
      const refused = results.findIndex((result) => !result.ok);
      if (refused < 0) return { ok: true };
      await Promise.all(guards.map((guard, i) => (results[i]?.ok ? counter(guard.name).release(token(point)) : undefined)));
      const result = results[refused] as Extract<Reservation, { ok: false }>;
      const guard = guards[refused] as Guard;
      fullHints.set(hintKey(guard), { until: now() + FULL_HINT_MS, reason: result.reason });
      return result;
    },
    async closeReservation(point, sold) {
      await Promise.all(
        guardsOf(tree, point, now()).map(async (guard) => {
          if (!sold) return counter(guard.name).release(token(point));
          const committed = await counter(guard.name).commit(token(point), now(), guard.limits.timezone);
          // The last agent taken: the point is not pinged again until the buyer declares more.
          if (committed.capacityLeft === 0 && guard.limits.capacity) fullHints.set(hintKey(guard), { until: now() + FULL_HINT_MS, reason: noCapacityReason(guard.limits.capacity) });
        }),
      );
    },
  };
}
