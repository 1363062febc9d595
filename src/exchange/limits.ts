/**
 * The limits a lead meets, each counted in a Counter object so it never
 * overshoots: the tree's daily submit limit when the lead arrives, then per
 * post the lead point's caps and the tree's daily accept limit, checked where
 * the design puts them: an isolate-memory hint before pinging (a point found
 * full is not pinged again for a while), an exact reservation in the counter
 * object before posting, committed on accept and released on anything else.
 * A reservation lapses with the run's lease, so a run cut off between
 * reserve and settle never holds a unit for good.
 */
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

function guardsOf(tree: Tree, point: TreePoint): Guard[] {
  const guards: Guard[] = [];
  if (point.caps && (point.caps.hourly ?? point.caps.daily ?? point.caps.total) !== undefined) {
    guards.push({ name: capCounterName(point.id), limits: point.caps });
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
  const limit = tree.dailyLimits?.submits;
  if (limit === undefined || !tree.dailyLimits) return undefined;
  const taken = await env.COUNTER.getByName(treeLimitName(tree.id, "submits")).take(leadId, { timezone: tree.dailyLimits.timezone, daily: limit });
  return taken.ok ? undefined : `the tree's daily submit limit of ${limit} is reached`;
}

export function postGuards(env: Env, tree: Tree, leadId: string, now: () => number = Date.now): PostGuards {
  const leaseMs = leaseMsOf(tree);
  const token = (point: TreePoint) => `${leadId}:${point.id}`;
  const counter = (name: string) => env.COUNTER.getByName(name);
  return {
    closedReason(point) {
      for (const guard of guardsOf(tree, point)) {
        const hint = fullHints.get(hintKey(guard));
        if (hint && hint.until > now()) return hint.reason;
      }
      return undefined;
    },
    async reserve(point) {
      const guards = guardsOf(tree, point);
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
      await Promise.all(guardsOf(tree, point).map((guard) => (sold ? counter(guard.name).commit(token(point), now(), guard.limits.timezone) : counter(guard.name).release(token(point)))));
    },
  };
}
