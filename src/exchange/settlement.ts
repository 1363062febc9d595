import type { LeadLogEntry } from "../store/leadLog";

/** What the publisher is told about a lead (API.md, Publisher API). */
export interface LeadAnswer {
  leadId: string;
  status: "accepted" | "declined" | "pending";
  payoutCents?: number;
  redirectUrl?: string;
}

/** A finished cycle: the answer, the accepts it counts, and its record for D1. */
export interface Settlement {
  answer: LeadAnswer;
  accepts: number;
  log: LeadLogEntry;
  /** Set when nothing sold and the tree has cycles left: when to run again. */
  holdUntil?: number;
}
