/**
 * The consumer ledger: one object holds a share of every consumer key
 * (`consumers:<hash mod M>`, core/consumers.ts), across every tree and
 * publisher, so the objects stay warm and a lead asks one to three of them.
 * It remembers each lead's arrival under its keys and each buyer's purchase
 * under the consumer's phone and email, as keyed hashes only. A visit reads
 * and records in one synchronous step, so two leads of one consumer meet
 * here in order: the second sees the first. An alarm purges what no window
 * can ask for any more.
 */
import { DurableObject } from "cloudflare:workers";
import { MAX_CONSUMER_DAYS, VELOCITY_COUNT_CAP, VELOCITY_HOURS, type ConsumerField, type ConsumerSeen, type ConsumerVisit, type EarlierLead } from "../core/consumers";

const DAY_MS = 86_400_000;
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

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS arrivals (
        hash TEXT NOT NULL, lead_id TEXT NOT NULL, field TEXT NOT NULL, tree_id TEXT NOT NULL, lead_key TEXT NOT NULL,
        at INTEGER NOT NULL, keep_until INTEGER NOT NULL, PRIMARY KEY (hash, lead_key)
      );
      CREATE INDEX IF NOT EXISTS arrivals_by_time ON arrivals (hash, at);
      CREATE INDEX IF NOT EXISTS arrivals_by_tree ON arrivals (hash, tree_id, at);
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
    const seen: ConsumerSeen = { counts: {}, earlier: [], purchases: [] };
    const since = visit.at - VELOCITY_HOURS * 3_600_000;
    for (const { field, hash } of visit.keys) {
      seen.counts[field] = this.sql
        .exec<{ n: number }>(
          "SELECT COUNT(*) AS n FROM (SELECT lead_key FROM arrivals WHERE hash = ? AND at > ? AND lead_key != ? LIMIT ?)",
          hash, since, visit.leadKey, VELOCITY_COUNT_CAP,
        )
        .one().n;
      const earlier = visit.duplicates?.fields.includes(field) ? this.earlier(field, hash, visit, visit.duplicates.days) : undefined;
      if (earlier) seen.earlier.push(earlier);
    }
    const purchasable = visit.keys.filter((key) => key.field !== "ip").map((key) => key.hash);
    if (purchasable.length) {
      seen.purchases = this.sql
        .exec<{ buyer_id: string; at: number }>(
          `SELECT buyer_id, MAX(at) AS at FROM purchases WHERE hash IN (${purchasable.map(() => "?").join(", ")}) GROUP BY buyer_id`,
          ...purchasable,
        )
        .toArray()
        .map((row) => ({ buyerId: row.buyer_id, at: row.at }));
    }
    const keepUntil = visit.at + Math.min(visit.keepDays, MAX_CONSUMER_DAYS) * DAY_MS;
    for (const { field, hash } of visit.keys) {
      this.sql.exec(
        "INSERT OR IGNORE INTO arrivals (hash, lead_id, field, tree_id, lead_key, at, keep_until) VALUES (?, ?, ?, ?, ?, ?, ?)",
        hash, visit.leadId, field, visit.treeId, visit.leadKey, visit.at, keepUntil,
      );
    }
    await this.purgeLater();
    return seen;
  }

  /** Forgets a lead's arrival: intake refused it after the visit (a tree filter with action error), so it is nobody's earlier lead. */
  async forget(leadId: string): Promise<void> {
    this.sql.exec("DELETE FROM arrivals WHERE lead_id = ?", leadId);
  }

  /** Remembers who bought each consumer; idempotent per key, buyer and lead, so a retried write adds nothing. */
  async recordSales(sales: ConsumerSale[]): Promise<void> {
    for (const sale of sales) {
      for (const hash of sale.hashes) {
        for (const buyerId of sale.buyerIds) {
          this.sql.exec("INSERT OR IGNORE INTO purchases (hash, buyer_id, lead_id, at) VALUES (?, ?, ?, ?)", hash, buyerId, sale.leadId, sale.at);
        }
      }
    }
    await this.purgeLater();
  }

  /** Drops arrivals past their window and purchases older than any dedupeDays may reach. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec("DELETE FROM arrivals WHERE keep_until <= ?", now);
    this.sql.exec("DELETE FROM purchases WHERE at <= ?", now - MAX_CONSUMER_DAYS * DAY_MS);
    const left = this.sql.exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM arrivals) + (SELECT COUNT(*) FROM purchases) AS n").one().n;
    this.purgePlanned = left > 0;
    if (left > 0) await this.ctx.storage.setAlarm(now + PURGE_EVERY_MS);
  }

  /** The newest lead of the visit's tree with this key, inside the window, before this visit. */
  private earlier(field: ConsumerField, hash: string, visit: ConsumerVisit, days: number): EarlierLead | undefined {
    const row = this.sql
      .exec<{ lead_id: string; at: number }>(
        "SELECT lead_id, at FROM arrivals WHERE hash = ? AND tree_id = ? AND at > ? AND lead_key != ? ORDER BY at DESC LIMIT 1",
        hash, visit.treeId, visit.at - days * DAY_MS, visit.leadKey,
      )
      .toArray()[0];
    return row ? { field, leadId: row.lead_id, at: row.at } : undefined;
  }

  /** The purge's wake-up, set once: the alarm keeps itself going while anything is kept. */
  private async purgeLater(): Promise<void> {
    if (this.purgePlanned) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PURGE_EVERY_MS);
    this.purgePlanned = true;
  }
}
