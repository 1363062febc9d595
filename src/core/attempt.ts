/**
 * What happened when the exchange called a buyer. Expected outcomes are
 * values, never exceptions: the tree runner decides on them, the trace
 * records them.
 */
import type { RankFigures } from "./ranking";

interface AttemptTiming {
  leadPointId: string;
  /** ISO-8601 UTC of when the request was started. */
  startedAt: string;
  ms: number;
  httpStatus?: number;
}

export type PingAttempt =
  | (AttemptTiming & {
      kind: "bid";
      /** Undefined when the buyer accepted but named no price. */
      bidCents: number | undefined;
      pingToken?: string;
    })
  | (AttemptTiming & { kind: "noBid"; reason?: string })
  | (AttemptTiming & { kind: "timeout" })
  /** Connection failed, non-2xx status, unparsable body, or no `accept`: a pass with its cause. */
  | (AttemptTiming & { kind: "transportError"; reason: string });

export type PostAttempt =
  /** `priceCents`: what the buyer named, kept only for a post priced by its answer (a dynamic direct post). */
  | (AttemptTiming & { kind: "accepted"; redirectUrl?: string; buyerLeadId?: string; priceCents?: number; bidRules?: FiredBidRule[] })
  | (AttemptTiming & { kind: "rejected"; reason?: string })
  | (AttemptTiming & { kind: "timeout" })
  | (AttemptTiming & { kind: "transportError"; reason: string });

export type TraceOutcome = "accepted" | "declined" | "timeout" | "error" | "skipped";

/** A bid rule that fired: its place in the lead point's bidRules (from 0), its name if it has one, and the price it changed. */
export interface FiredBidRule {
  index: number;
  name?: string;
  beforeCents: number;
  afterCents: number;
}

/** One line of a lead's trace, as API.md shows it to the operator. */
export interface TraceEntry {
  leadPointId: string;
  phase: "ping" | "post";
  startedAt: string;
  ms: number;
  outcome: TraceOutcome;
  bidCents?: number;
  httpStatus?: number;
  reason?: string;
  /** The tree cycle the attempt belongs to (1 unless the lead was held). */
  cycle?: number;
  /** The bid rules that fired on the price, in order: on the ping's entry, or on the post's for a point never pinged. */
  bidRules?: FiredBidRule[];
  /** What an expected-value rank made of the bid: on the ping's entry, or on the post's for a point never pinged. */
  ranking?: RankFigures;
}

const pingOutcome = { bid: "accepted", noBid: "declined", timeout: "timeout", transportError: "error" } as const;
const postOutcome = { accepted: "accepted", rejected: "declined", timeout: "timeout", transportError: "error" } as const;

/** The trace line every attempt shares: who, when, how long, what came back and why. */
function traceOf(attempt: PingAttempt | PostAttempt, phase: TraceEntry["phase"], outcome: TraceOutcome, bidCents: number | undefined): TraceEntry {
  const entry: TraceEntry = { leadPointId: attempt.leadPointId, phase, startedAt: attempt.startedAt, ms: attempt.ms, outcome };
  if (bidCents !== undefined) entry.bidCents = bidCents;
  if (attempt.httpStatus !== undefined) entry.httpStatus = attempt.httpStatus;
  if (attempt.kind === "timeout") entry.reason = "no answer before the deadline";
  else if ("reason" in attempt && attempt.reason) entry.reason = attempt.reason;
  return entry;
}

export function traceOfPing(attempt: PingAttempt): TraceEntry {
  return traceOf(attempt, "ping", pingOutcome[attempt.kind], attempt.kind === "bid" ? attempt.bidCents : undefined);
}

export function traceOfPost(attempt: PostAttempt, priceCents: number | undefined, bidRules?: FiredBidRule[]): TraceEntry {
  const entry = traceOf(attempt, "post", postOutcome[attempt.kind], priceCents);
  return bidRules ? { ...entry, bidRules } : entry;
}

/**
 * A copy's post (a CRM or archive copy of a sold lead): never billed, so it
 * carries no price, and its reason says it was a copy whatever the answer.
 */
export function traceOfCopy(attempt: PostAttempt): TraceEntry {
  const entry = traceOf(attempt, "post", postOutcome[attempt.kind], undefined);
  return { ...entry, reason: entry.reason ? `copy, never billed: ${entry.reason}` : "copy, never billed" };
}
