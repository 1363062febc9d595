/**
 * A gate's sales told to their consumers' objects soon after it answers
 * (exchange/consumers.ts noteConsumerSales), ahead of the D1 batch that
 * records them for good LOG_FLUSH_MS later, or much later while D1 fails.
 * A lead of the same consumer inside RECENT_LEAD_MS asks this gate itself;
 * one after that finds the buyers in the objects even when D1 is down.
 */
import type { LeadLogEntry } from "../../store/leadLog";

/**
 * A notice waits this long for the sales after it, and they go together:
 * one call per object for each such span at any load, where sending a sale
 * after a quiet spell with its answer made one call per lead at low load.
 * The wait costs no lead a purchase it should see: a lead of the same
 * consumer in the next RECENT_LEAD_MS (30 s) asks this gate what the
 * earlier lead sold (exchange/consumers.ts withEarlierSales) whenever a
 * lead point dedupes. It matches the consumer object's own arrival batch
 * (FLUSH_AFTER_MS).
 */
export const SALE_NOTICE_GATHER_MS = 250;

export interface SaleNoticeOptions {
  send(entries: LeadLogEntry[]): Promise<void>;
  waitUntil(promise: Promise<unknown>): void;
}

export class SaleNotices {
  private waiting: LeadLogEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: SaleNoticeOptions) {}

  /** A finished lead's entry: told when it sold to a known consumer. */
  note(entry: LeadLogEntry): void {
    if (entry.sales.length === 0 || !entry.lead.consumer?.keys.length) return;
    this.waiting.push(entry);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.sendWaiting();
    }, SALE_NOTICE_GATHER_MS);
  }

  private sendWaiting(): void {
    const entries = this.waiting;
    this.waiting = [];
    // A lost notice costs only its head start: the D1 batch records the sale either way.
    const sent = this.options
      .send(entries)
      .catch((error: unknown) => console.error("sale notice to consumer objects failed; the D1 batch records the sales", error instanceof Error ? error.message : "unknown"));
    this.options.waitUntil(sent);
  }
}
