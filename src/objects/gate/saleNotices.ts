/**
 * A gate's sales told to their consumers' objects as it answers
 * (exchange/consumers.ts noteConsumerSales), ahead of the D1 batch that
 * records them for good up to LOG_FLUSH_MS later: without the notice, a lead
 * of the same consumer in that second could be sold to the same buyer again.
 */
import type { LeadLogEntry } from "../../store/leadLog";

export interface SaleNoticeOptions {
  send(entries: LeadLogEntry[]): Promise<void>;
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * One notice at a time: a sale goes at once when none is on its way, and the
 * sales answered while one is wait and go together in the next. So a quiet
 * gate tells each sale as it answers (the call leaves with the answer, both
 * held until the outcome is committed), and a busy one sends a call per
 * round trip, not per lead.
 */
export class SaleNotices {
  private waiting: LeadLogEntry[] = [];
  private sending = false;

  constructor(private readonly options: SaleNoticeOptions) {}

  /** A finished lead's entry: told when it sold to a known consumer. */
  note(entry: LeadLogEntry): void {
    if (entry.sales.length === 0 || !entry.lead.consumer?.keys.length) return;
    this.waiting.push(entry);
    if (!this.sending) this.sendWaiting();
  }

  private sendWaiting(): void {
    const entries = this.waiting;
    this.waiting = [];
    this.sending = true;
    const sent = this.options
      .send(entries)
      // A lost notice costs only its head start: the D1 batch records the sale either way.
      .catch((error: unknown) => console.error("sale notice to consumer objects failed; the D1 batch records the sales", error instanceof Error ? error.message : "unknown"))
      .finally(() => {
        this.sending = false;
        if (this.waiting.length > 0) this.sendWaiting();
      });
    this.options.waitUntil(sent);
  }
}
