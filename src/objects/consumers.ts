/**
 * The consumer ledger: one object holds a share of every consumer key
 * (`consumers:<hash mod M>`, core/consumers.ts), across every tree and
 * publisher, so the objects stay warm and a lead asks one to three of them.
 * It remembers each lead's arrival under its keys and each buyer's purchase
 * under the consumer's phone and email, as keyed hashes only. A visit reads
 * and records in one synchronous step, so two leads of one consumer meet
 * here in order: the second sees the first. A sale is noted here as soon
 * as its gate answers (noteSales) and written for good with the gate's D1
 * batch (recordSales). An alarm purges what no window can ask for any more.
 */
import { DurableObject } from "cloudflare:workers";
import {
  MAX_CONSUMER_DAYS,
  VELOCITY_COUNT_CAP,
  purchasableHashes,
  seenFrom,
  visitWindows,
  type ConsumerSeen,
  type ConsumerVisit,
  type Purchase,
  type Sighting,
  type VisitWindows,
} from "../core/consumers";

const DAY_MS = 86_400_000;
/**
 * Arrivals are answered from memory at once and written in one batch this
 * much later: a visit then costs the lead no commit of its own (DESIGN.md:
 * a commit the lead waits on is a replication round trip in production),
 * and a quarter of a second's arrivals share one commit, which the bench
 * measured at about a millisecond of the object's CPU per lead when each
 * 25 ms had its own. The price: if the object is lost (a deploy, a crash)
 * before its batch is written, the arrivals of that last quarter second are
 * forgotten, so a duplicate of one of them is not caught. Noted sales wait
 * with them, but a sale is recorded for good by recordSales, so a bought
 * consumer is never forgotten.
 */
const FLUSH_AFTER_MS = 250;
/** A batch is written at once when it holds this many arrivals and noted purchases, so a burst never grows it without bound. */
const FLUSH_AT_ARRIVALS = 2_000;
/**
 * A visit reads at most this many rows in its one statement; past it (a key
 * seen hundreds of times inside its windows) it reads key by key instead.
 */
const ROWS_PER_VISIT_READ = 256;
/** SQLite binds at most 100 values a statement here; an arrival is 7, a purchase 4. */
const ARRIVALS_PER_INSERT = 14;
const PURCHASES_PER_INSERT = 25;

/** A Sighting as a row of SQL (exec wants an indexable row type). */
type SightingRow = Sighting & Record<string, SqlStorageValue>;

interface Arrival {
  hash: string;
  leadId: string;
  field: string;
  treeId: string;
  leadKey: string;
  at: number;
  keepUntil: number;
}

/** A purchase as the purchases table keys it. */
interface PurchaseRow {
  hash: string;
  buyerId: string;
  leadId: string;
  at: number;
}
/** The purge runs at most this often: arrivals and purchases are kept for days, so a day's lag is nothing. */
const PURGE_EVERY_MS = DAY_MS;

/** A sale to remember: the buyers that bought the lead, under its phone and email keys of this object. */
export interface ConsumerSale {
  hashes: string[];
  leadId: string;
  buyerIds: string[];
  /** Epoch ms. */
  at: number;
}

export class ConsumerLedger extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Whether this instance knows the purge's alarm is set, so a visit does not ask storage each time. */
  private purgePlanned = false;
  /** Arrivals answered but not yet written, by key hash. */
  private pending = new Map<string, Arrival[]>();
  /** Purchases noted but not yet written, by key hash. */
  private pendingPurchases = new Map<string, PurchaseRow[]>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** How many arrivals and purchases the two maps hold. */
  private unwrittenCount = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS arrivals (
        hash TEXT NOT NULL, lead_id TEXT NOT NULL, field TEXT NOT NULL, tree_id TEXT NOT NULL, lead_key TEXT NOT NULL,
        at INTEGER NOT NULL, keep_until INTEGER NOT NULL, PRIMARY KEY (hash, lead_key)
      );
      CREATE INDEX IF NOT EXISTS arrivals_by_time ON arrivals (hash, at);
      CREATE INDEX IF NOT EXISTS arrivals_keep ON arrivals (keep_until);
      CREATE TABLE IF NOT EXISTS purchases (
        hash TEXT NOT NULL, buyer_id TEXT NOT NULL, lead_id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (hash, buyer_id, lead_id)
      );
      CREATE INDEX IF NOT EXISTS purchases_at ON purchases (at);
    `);
  }

  /**
   * Records the lead's arrival under its keys here and answers what was here
   * before it: the velocity counts, the tree's earlier lead inside its
   * duplicate window, and the buyers that bought the consumer. Leads of the
   * same unique-lead key (a resubmit) are not earlier leads of the consumer,
   * and the key keeps the lead id it first came with.
   */
  async visit(visit: ConsumerVisit): Promise<ConsumerSeen> {
    if (visit.keys.length === 0) return { counts: {}, earlier: [], purchases: [], recent: [] };
    const seen = this.seen(visit);
    const keepUntil = visit.at + Math.min(visit.keepDays, MAX_CONSUMER_DAYS) * DAY_MS;
    for (const { field, hash } of visit.keys) {
      const unwritten = this.pending.get(hash) ?? [];
      // As the table's key (hash, lead key) would: a resubmit keeps the lead id its key first came with.
      if (!unwritten.some((arrival) => arrival.leadKey === visit.leadKey)) {
        unwritten.push({ hash, leadId: visit.leadId, field, treeId: visit.treeId, leadKey: visit.leadKey, at: visit.at, keepUntil });
        this.unwrittenCount++;
      }
      this.pending.set(hash, unwritten);
    }
    this.flushSoon();
    await this.purgeLater();
    return seen;
  }

  /**
   * What a logged lead's later run (a held lead's next cycle, a recovered
   * run) needs to know of its consumer now: who bought it since it arrived,
   * and the consumer's other leads that may be running at this moment.
   * Records nothing.
   */
  recheck(recheck: Pick<ConsumerVisit, "keys" | "treeId" | "leadId" | "at">): ConsumerSeen {
    // No arrival has an empty unique-lead key, so the lead's own arrival is read too, and left out of `recent` here.
    const seen = this.seen({ ...recheck, leadKey: "", keepDays: 1 });
    return { ...seen, recent: seen.recent.filter((lead) => lead.leadId !== recheck.leadId) };
  }

  /** What this object knows of a visit's keys: its arrivals (other unique-lead keys) and purchases, written or not. */
  private seen(visit: ConsumerVisit): ConsumerSeen {
    const windows = visitWindows(visit);
    const stored = this.storedSightings(visit, windows);
    const earlierUnwritten = visit.keys.flatMap(({ hash }) => (this.pending.get(hash) ?? []).filter((arrival) => arrival.leadKey !== visit.leadKey));
    const purchasesUnwritten = purchasableHashes(visit).flatMap((hash) => (this.pendingPurchases.get(hash) ?? []).map(({ buyerId, at }) => ({ buyerId, at })));
    return seenFrom(visit, windows, [...stored.arrivals, ...earlierUnwritten], [...stored.purchases, ...purchasesUnwritten]);
  }

  /**
   * Notes sales the moment their gates answered, so a lead of the same
   * consumer arriving after that finds its buyers: the durable record
   * (recordSales) waits for the gate's D1 batch, up to LOG_FLUSH_MS later.
   * Held in memory and written with the next batch of arrivals, so a note
   * costs no commit; if the object is lost first, recordSales still comes.
   */
  noteSales(sales: ConsumerSale[]): void {
    for (const purchase of purchaseRows(sales)) {
      const unwritten = this.pendingPurchases.get(purchase.hash) ?? [];
      unwritten.push(purchase);
      this.pendingPurchases.set(purchase.hash, unwritten);
      this.unwrittenCount++;
    }
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.unwrittenCount >= FLUSH_AT_ARRIVALS) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_AFTER_MS);
  }

  /**
   * What this object has written about the visit's keys: their arrivals
   * inside the visit's windows (other unique-lead keys only) and the
   * purchases of its phone and email. One statement answers a consumer seen
   * a few times; a key seen more often than a visit reads at once (an
   * office's or a carrier's IP) is read again key by key, newest first, for
   * just the rows its answer needs.
   */
  private storedSightings(visit: ConsumerVisit, windows: VisitWindows): { arrivals: Sighting[]; purchases: Purchase[] } {
    const hashes = visit.keys.map((key) => key.hash);
    const purchasable = purchasableHashes(visit);
    const marks = (values: readonly string[]) => values.map(() => "?").join(", ");
    const rows = this.sql
      .exec<{ hash: string; lead_id: string; tree_id: string | null; at: number; buyer_id: string | null }>(
        `SELECT hash, lead_id, tree_id, at, NULL AS buyer_id FROM arrivals WHERE hash IN (${marks(hashes)}) AND at > ? AND lead_key != ?` +
          (purchasable.length ? ` UNION ALL SELECT hash, lead_id, NULL, at, buyer_id FROM purchases WHERE hash IN (${marks(purchasable)})` : "") +
          // Limits are written into the statements: SQLite plans a LIMIT by its bound value, so rebinding it
          // re-prepared the statement on every visit (bench:probe: about three times the statement's cost).
          ` LIMIT ${ROWS_PER_VISIT_READ}`,
        ...hashes, windows.from, visit.leadKey, ...purchasable,
      )
      .toArray();
    if (rows.length < ROWS_PER_VISIT_READ) {
      return {
        arrivals: rows.flatMap((row) => (row.tree_id === null ? [] : [{ hash: row.hash, leadId: row.lead_id, treeId: row.tree_id, at: row.at }])),
        purchases: rows.flatMap((row) => (row.buyer_id === null ? [] : [{ buyerId: row.buyer_id, at: row.at }])),
      };
    }
    const arrivals = visit.keys.flatMap(({ field, hash }) => {
      const recent = this.sql
        .exec<SightingRow>(
          `SELECT hash, lead_id AS leadId, tree_id AS treeId, at FROM arrivals WHERE hash = ? AND at > ? AND lead_key != ? ORDER BY at DESC LIMIT ${VELOCITY_COUNT_CAP}`,
          hash, windows.since, visit.leadKey,
        )
        .toArray();
      const duplicateSince = windows.duplicateSince[field];
      // The tree's newest earlier lead is in `recent` when any of its leads is; else it is read alone, so no row is counted twice.
      if (duplicateSince === undefined || recent.some((row) => row.treeId === visit.treeId && row.at > duplicateSince)) return recent;
      const earlier = this.sql
        .exec<SightingRow>(
          "SELECT hash, lead_id AS leadId, tree_id AS treeId, at FROM arrivals WHERE hash = ? AND at > ? AND tree_id = ? AND lead_key != ? ORDER BY at DESC LIMIT 1",
          hash, duplicateSince, visit.treeId, visit.leadKey,
        )
        .toArray();
      return [...recent, ...earlier];
    });
    const purchases = purchasable.length
      ? this.sql
          .exec<{ buyerId: string; at: number }>(`SELECT buyer_id AS buyerId, MAX(at) AS at FROM purchases WHERE hash IN (${marks(purchasable)}) GROUP BY buyer_id`, ...purchasable)
          .toArray()
      : [];
    return { arrivals, purchases };
  }

  /** Writes the arrivals answered and the purchases noted since the last batch, in one transaction. */
  flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const arrivals = [...this.pending.values()].flat();
    const purchases = [...this.pendingPurchases.values()].flat();
    this.pending.clear();
    this.pendingPurchases.clear();
    this.unwrittenCount = 0;
    for (let i = 0; i < arrivals.length; i += ARRIVALS_PER_INSERT) {
      const rows = arrivals.slice(i, i + ARRIVALS_PER_INSERT);
      this.sql.exec(
        `INSERT OR IGNORE INTO arrivals (hash, lead_id, field, tree_id, lead_key, at, keep_until) VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        ...rows.flatMap((a) => [a.hash, a.leadId, a.field, a.treeId, a.leadKey, a.at, a.keepUntil]),
      );
    }
    this.writePurchases(purchases);
  }

  /** Idempotent per key, buyer and lead, so a sale noted and then recorded is one row. */
  private writePurchases(purchases: PurchaseRow[]): void {
    for (let i = 0; i < purchases.length; i += PURCHASES_PER_INSERT) {
      const rows = purchases.slice(i, i + PURCHASES_PER_INSERT);
      this.sql.exec(
        `INSERT OR IGNORE INTO purchases (hash, buyer_id, lead_id, at) VALUES ${rows.map(() => "(?, ?, ?, ?)").join(", ")}`,
        ...rows.flatMap((p) => [p.hash, p.buyerId, p.leadId, p.at]),
      );
    }
  }

  /** Forgets a lead's arrival: intake refused it after the visit (a tree filter with action error), so it is nobody's earlier lead. */
  async forget(leadId: string): Promise<void> {
    for (const [hash, arrivals] of this.pending) {
      const kept = arrivals.filter((arrival) => arrival.leadId !== leadId);
      this.unwrittenCount -= arrivals.length - kept.length;
      this.pending.set(hash, kept);
    }
    this.sql.exec("DELETE FROM arrivals WHERE lead_id = ?", leadId);
  }

  /** Remembers who bought each consumer, for good; a retried write adds nothing. */
  async recordSales(sales: ConsumerSale[]): Promise<void> {
    this.writePurchases(purchaseRows(sales));
    await this.purgeLater();
  }

  /** Drops arrivals past their window and purchases older than any dedupeDays may reach. */
  override async alarm(): Promise<void> {
    this.flush();
    const now = Date.now();
    this.sql.exec("DELETE FROM arrivals WHERE keep_until <= ?", now);
    this.sql.exec("DELETE FROM purchases WHERE at <= ?", now - MAX_CONSUMER_DAYS * DAY_MS);
    const left = this.sql.exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM arrivals) + (SELECT COUNT(*) FROM purchases) AS n").one().n;
    this.purgePlanned = left > 0;
    if (left > 0) await this.ctx.storage.setAlarm(now + PURGE_EVERY_MS);
  }

  /** The purge's wake-up, set once: the alarm keeps itself going while anything is kept. */
  private async purgeLater(): Promise<void> {
    if (this.purgePlanned) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PURGE_EVERY_MS);
    this.purgePlanned = true;
  }
}

/** One row per key, buyer and lead of each sale. */
function purchaseRows(sales: readonly ConsumerSale[]): PurchaseRow[] {
  return sales.flatMap((sale) => sale.hashes.flatMap((hash) => sale.buyerIds.map((buyerId) => ({ hash, buyerId, leadId: sale.leadId, at: sale.at }))));
}
