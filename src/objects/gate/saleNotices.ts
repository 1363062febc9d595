/**
 * A gate's sales told to their consumers' objects as it answers
 * (exchange/consumers.ts noteConsumerSales), ahead of the D1 batch that
 * records them for good up to LOG_FLUSH_MS later: without the notice, a lead
 * of the same consumer in that second could be sold to the same buyer again.
 */
import type { LeadLogEntry } from "../../store/leadLog";

/**
 * Notices leave at most this often. A sale after a quiet spell goes at once
 * (the call leaves with the answer, both held until the outcome is
 * committed); under load the sales of each such span share one call per
 * object, which costs the benchmark a call per several leads instead of one
 * per lead.
 */
export const SALE_NOTICE_SPACING_MS = 20;

export interface SaleNoticeOptions {
  send(entries: LeadLogEntry[]): Promise<void>;
  waitUntil(promise: Promise<unknown>): void;
}

export class SaleNotices {
  private waiting: LeadLogEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SaleNoticeOptions) {}

  /** A finished lead's entry: told when it sold to a known consumer. */
  note(entry: LeadLogEntry): void {
    if (entry.sales.length === 0 || !entry.lead.consumer?.keys.length) return;
    this.waiting.push(entry);
    if (this.timer !== undefined) return;
    const wait = this.lastSentAt + SALE_NOTICE_SPACING_MS - Date.now();
    if (wait <= 0) this.sendWaiting();
    else
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sendWaiting();
      }, wait);
  }

  private sendWaiting(): void {
    const entries = this.waiting;
    this.waiting = [];
    this.lastSentAt = Date.now();
    // A lost notice costs only its head start: the D1 batch records the sale either way.
    const sent = this.options
      .send(entries)
      .catch((error: unknown) => console.error("sale notice to consumer objects failed; the D1 batch records the sales", error instanceof Error ? error.message : "unknown"));
    this.options.waitUntil(sent);
  }
}
