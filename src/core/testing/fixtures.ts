/**
 * Test fixtures for the tree runner: configuration documents parsed through
 * the real schemas (so defaults apply), a lead, and FakeIO — an in-memory
 * TreeIO with scripted buyer answers and a clock that only moves when a
 * scripted call takes time. Nothing here waits or reads the wall clock.
 */
import type { z } from "zod";
import type { PingAttempt, PostAttempt } from "../attempt";
import { LeadPointInputSchema, PositionSchema, TreeInputSchema, type Position, type TierMode, type TierSchema, type Tree } from "../config";
import type { Lead } from "../lead";
import { pricedAttempt } from "../pricing";
import { tierStrategies } from "../tiers";
import { rotationStart } from "../tiers/rotation";
import { runTree, type Candidate, type PingTarget, type PostTarget, type RunContext, type TreeIO, type TreeOutcome, type TreePoint } from "../tree";

/** Wednesday 2026-01-07 15:00:00 UTC: every fake run starts here. */
export const T0 = Date.UTC(2026, 0, 7, 15, 0, 0);

export type PointDoc = Partial<z.input<typeof LeadPointInputSchema>>;
export type TierDoc = z.input<typeof TierSchema>;
export type PositionDoc = z.input<typeof PositionSchema>;
export type TreeDoc = Partial<z.input<typeof TreeInputSchema>>;

/** A lead point of buyer `buyer-<id>` that pings and posts, dynamic unless `doc` says otherwise. */
export function point(id: string, doc: PointDoc = {}, buyerEnabled = true): TreePoint {
  const parsed = LeadPointInputSchema.parse({
    buyerId: `buyer-${id}`,
    name: `point ${id}`,
    kind: "ping_post",
    ping: { url: `https://${id}.buyer.example/ping` },
    post: { url: `https://${id}.buyer.example/post` },
    pricing: { type: "dynamic" },
    ...doc,
  });
  return { ...parsed, id, buyerEnabled };
}

export function pointsMap(points: TreePoint[]): Map<string, TreePoint> {
  return new Map(points.map((p) => [p.id, p]));
}

export function position(leadPointId: string, doc: Partial<PositionDoc> = {}): PositionDoc {
  return { leadPointId, ...doc };
}

/** A parsed position, for calling a strategy's helpers directly. */
export function parsedPosition(leadPointId: string, doc: Partial<PositionDoc> = {}): Position {
  return PositionSchema.parse(position(leadPointId, doc));
}

export function candidate(id: string, index: number, doc: Partial<PositionDoc> = {}): Candidate {
  return { point: point(id), position: parsedPosition(id, doc), index };
}

export function tier(mode: TierMode, positions: PositionDoc[], doc: Partial<TierDoc> = {}): TierDoc {
  return { name: `${mode} tier`, mode, positions, ...doc };
}

export function tree(tiers: TierDoc[], doc: TreeDoc = {}): Tree {
  return { ...TreeInputSchema.parse({ name: "solar tree", vertical: "solar", tiers, ...doc }), id: "tree-1", version: 1 };
}

export function lead(overrides: Partial<Lead> = {}): Lead {
  return {
    id: "lead-1",
    treeId: "tree-1",
    treeVersion: 1,
    vertical: "solar",
    publisherId: "pub-1",
    fields: { firstName: "Ann", lastName: "Lee", email: "ann@lee.example", phone: "+12127364100", zip: "94105", state: "CA", homeowner: true },
    consent: { text: "I agree.", textSha256: "826ff0dab649a97ffdd7779a332accafb35cc161012253a19383db19289d6e02", ip: "203.0.113.7", timestamp: "2026-01-07T14:59:00.000Z" },
    score: 80,
    signals: [],
    receivedAt: "2026-01-07T15:00:00.000Z",
    clickId: "click-1",
    ...overrides,
  };
}

export type PingScript =
  | { kind: "bid"; ms: number; bidCents?: number; pingToken?: string }
  | { kind: "noBid"; ms: number; reason?: string }
  | { kind: "timeout" }
  | { kind: "transportError"; ms: number; reason?: string };

/** `priceCents`: the price the answer names, which only a post priced by its answer uses. */
export type PostScript = { kind: "accepted"; ms: number; redirectUrl?: string; priceCents?: number } | { kind: "rejected"; ms: number; reason?: string };

export interface FakeScripts {
  pings?: Record<string, PingScript>;
  posts?: Record<string, PostScript>;
  /** Lead points the I/O side reports closed (a full cap), with the reason. */
  closed?: Record<string, string>;
  /** Lead points whose post reservation is refused, with the reason. */
  refused?: Record<string, string>;
  seed?: number;
}

export interface PingCall {
  at: number;
  target: PingTarget;
  attempt: PingAttempt;
}

export interface PostCall {
  at: number;
  target: PostTarget;
  attempt: PostAttempt;
}

const DEFAULT_PING: PingScript = { kind: "noBid", ms: 5 };
const DEFAULT_POST: PostScript = { kind: "accepted", ms: 5 };

/** Seeded uniform [0, 1) (mulberry32): the same seed draws the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FakeIO implements TreeIO {
  clock = T0;
  readonly pingBatches: PingTarget[][] = [];
  readonly pings: PingCall[] = [];
  readonly posts: PostCall[] = [];
  readonly afterPosts: PostCall[] = [];
  /** Every call in the order it started (one batch's pings together), and whether the buyer took the lead. */
  readonly calls: { phase: "ping" | "post"; id: string; accepted: boolean }[] = [];
  /** The lead point that started each round-robin tier's last run, like the rotation object. */
  readonly rotations = new Map<string, string>();
  private readonly draw: () => number;

  constructor(readonly scripts: FakeScripts = {}) {
    this.draw = seededRandom(scripts.seed ?? 1);
  }

  now(): number {
    return this.clock;
  }

  random(): number {
    return this.draw();
  }

  /** All targets start together; the call returns when the slowest answers or times out. */
  async ping(targets: PingTarget[]): Promise<PingAttempt[]> {
    const at = this.clock;
    this.pingBatches.push(targets);
    const attempts = targets.map((target) => this.answerPing(target, at));
    attempts.forEach((attempt, i) => {
      const target = targets[i];
      if (target) this.pings.push({ at, target, attempt });
      this.calls.push({ phase: "ping", id: attempt.leadPointId, accepted: attempt.kind === "bid" });
    });
    this.clock = at + Math.max(0, ...attempts.map((a) => a.ms));
    return attempts;
  }

  async beforePost(target: PostTarget): Promise<{ ok: true } | { ok: false; reason: string }> {
    const reason = this.scripts.refused?.[target.point.id];
    return reason ? { ok: false, reason } : { ok: true };
  }

  async post(target: PostTarget): Promise<PostAttempt> {
    const at = this.clock;
    const script = this.scripts.posts?.[target.point.id] ?? DEFAULT_POST;
    const timing = { leadPointId: target.point.id, startedAt: new Date(at).toISOString() };
    const budget = Math.max(0, target.deadlineAt - at);
    const answer: PostAttempt =
      script.ms >= budget
        ? { ...timing, kind: "timeout", ms: budget }
        : script.kind === "accepted"
          ? {
              ...timing,
              kind: "accepted",
              ms: script.ms,
              ...(script.redirectUrl ? { redirectUrl: script.redirectUrl } : {}),
              ...(script.priceCents === undefined ? {} : { priceCents: script.priceCents }),
            }
          : { ...timing, kind: "rejected", ms: script.ms, ...(script.reason ? { reason: script.reason } : {}) };
    const attempt = pricedAttempt(answer, target.pricing);
    this.clock = at + attempt.ms;
    this.posts.push({ at, target, attempt });
    this.calls.push({ phase: "post", id: target.point.id, accepted: attempt.kind === "accepted" });
    return attempt;
  }

  async afterPost(target: PostTarget, attempt: PostAttempt): Promise<void> {
    this.afterPosts.push({ at: this.clock, target, attempt });
  }

  async rotation(tierName: string, listed: string[], eligible: string[]): Promise<string | undefined> {
    const start = rotationStart(listed, new Set(eligible), this.rotations.get(tierName));
    if (start !== undefined) this.rotations.set(tierName, start);
    return start;
  }

  closedReason(p: TreePoint): string | undefined {
    return this.scripts.closed?.[p.id];
  }

  pinged(): string[] {
    return this.pings.map((call) => call.target.point.id);
  }

  posted(): string[] {
    return this.posts.map((call) => call.target.point.id);
  }

  private answerPing(target: PingTarget, at: number): PingAttempt {
    const script = this.scripts.pings?.[target.point.id] ?? DEFAULT_PING;
    const timing = { leadPointId: target.point.id, startedAt: new Date(at).toISOString() };
    const budget = Math.max(0, target.deadlineAt - at);
    if (script.kind === "timeout" || script.ms >= budget) return { ...timing, kind: "timeout", ms: budget };
    switch (script.kind) {
      case "bid":
        return { ...timing, kind: "bid", ms: script.ms, bidCents: script.bidCents, ...(script.pingToken ? { pingToken: script.pingToken } : {}) };
      case "noBid":
        return { ...timing, kind: "noBid", ms: script.ms, ...(script.reason ? { reason: script.reason } : {}) };
      case "transportError":
        return { ...timing, kind: "transportError", ms: script.ms, reason: script.reason ?? "HTTP 500" };
    }
  }
}

export interface Ran {
  outcome: TreeOutcome;
  io: FakeIO;
}

/** Runs `t` over `points` against a FakeIO (a fresh one unless given, e.g. to keep its rotation). */
export async function run(t: Tree, points: TreePoint[], scripts: FakeScripts | FakeIO = {}, l: Lead = lead(), context: RunContext = {}): Promise<Ran> {
  const io = scripts instanceof FakeIO ? scripts : new FakeIO(scripts);
  const outcome = await runTree({ tree: t, lead: l, points: pointsMap(points), io, strategies: tierStrategies, ...context });
  return { outcome, io };
}

export const bid = (bidCents: number | undefined, ms = 50): PingScript => (bidCents === undefined ? { kind: "bid", ms } : { kind: "bid", ms, bidCents });
export const noBid = (ms = 50): PingScript => ({ kind: "noBid", ms });
export const accepted = (ms = 20): PostScript => ({ kind: "accepted", ms });
export const rejected = (ms = 20, reason?: string): PostScript => (reason ? { kind: "rejected", ms, reason } : { kind: "rejected", ms });
