/**
 * A gate's sales told to their consumers' objects as soon as it answers
 * (exchange/consumers.ts noteConsumerSales), ahead of the D1 batch that
 * records them for good up to LOG_FLUSH_MS later: without the notice, a lead
 * of the same consumer in that second could be sold to the same buyer again.
 */
import type { LeadLogEntry } from "../../store/leadLog";

/**
 * Sales answered within this long share one call per consumer object, so a
 * busy gate sends a few calls a second, not one per lead; a lead of the same
 * consumer arriving later than this finds the sale.
 */
export const SALE_NOTICE_MS = 20;

export interface SaleNoticeOptions {
  send(entries: LeadLogEntry[]): Promise<void>;
  waitUntil(promise: Promise<unknown>): void;
  delayMs?: number;
}

export class SaleNotices {
  private waiting: LeadLogEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: SaleNoticeOptions) {}

  /** A finished lead's entry: told with the next notice when it sold to a known consumer. */
  note(entry: LeadLogEntry): void {
    if (entry.sales.length === 0 || !entry.lead.consumer?.keys.length) return;
    this.waiting.push(entry);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const entries = this.waiting;
      this.waiting = [];
      // A lost notice costs only its head start: the D1 batch records the sale either way.
      this.options.waitUntil(this.options.send(entries).catch((error: unknown) => console.error("sale notice to consumer objects failed; the D1 batch records the sales", error instanceof Error ? error.message : "unknown")));
    }, this.options.delayMs ?? SALE_NOTICE_MS);
  }
}
