/**
 * A counter that must never overshoot: one object per lead point's caps
 * (`cap:<leadPointId>`) or per tree's daily limits (`tree-limit:<treeId>:…`).
 * A unit is reserved before the post and committed when the buyer accepts,
 * or released when it refuses; reservations count against the limit while
 * they are open, so concurrent posts can never take more than the limit.
 * Periods are local to the limit's time zone: a daily cap resets at midnight
 * where the buyer is, not in UTC.
 *
 * A reservation lapses after its lease (the run's): a run cut off between
 * reserve and settle stops holding the unit then, so the cap fills again. A
 * late commit of a lapsed reservation still counts, in the periods it was
 * taken in, and a commit counts once per token however often it is repeated
 * (a recovery settles again what the run may already have settled).
 *
 * A lead point's counter also holds its buyer's capacity declaration, the
 * latest it was shown (by the buyer's PUT, or by a post whose configuration
 * carries it): while it is in force every sale counts it down, and a post
 * is refused once its sales and the posts in flight take every agent.
 */
import { DurableObject } from "cloudflare:workers";
import { activeCapacity, capacityLeft, noCapacityReason, supersedes, type CapacityDeclaration } from "../core/capacity";
import { capPeriods } from "../core/schedule";

export interface CounterLimits {
  timezone: string;
  hourly?: number;
  daily?: number;
  total?: number;
  /** The lead point's capacity declaration in force, as the post's configuration has it. */
  capacity?: CapacityDeclaration;
}

/** What a sale leaves of the capacity declaration in force, when one is. */
export interface Committed {
  capacityLeft?: number;
}

/** A capacity declaration in force and the agents it has left: those its sales have not taken. */
export interface CapacityState {
  declaration: CapacityDeclaration;
  left: number;
}

export type Reservation = { ok: true } | { ok: false; reason: string };

export interface CounterUsage {
  hourly: number;
  daily: number;
  total: number;
}

interface CapacityRow extends Record<string, SqlStorageValue> {
  declaration: string;
  sold: number;
}

interface ReservationRow extends Record<string, SqlStorageValue> {
  hour: string;
  day: string;
}

/** A reservation taken without a lease (a submit, committed at once) lapses after this. */
const DEFAULT_LEASE_MS = 60_000;
/** Lapsed reservations and committed tokens are kept this long for late or repeated commits. */
const KEEP_MS = 7 * 86_400_000;
/** How often an object sweeps what it no longer needs to keep. */
const SWEEP_EVERY_MS = 3_600_000;

export class Counter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private sweptAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS counts (period TEXT PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS reservations (token TEXT PRIMARY KEY, hour TEXT NOT NULL, day TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS committed (token TEXT PRIMARY KEY, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS committed_at ON committed (at);
      CREATE TABLE IF NOT EXISTS capacity (id INTEGER PRIMARY KEY CHECK (id = 1), declaration TEXT NOT NULL, sold INTEGER NOT NULL);
    `);
    const columns = new Set(this.sql.exec<{ name: string }>("PRAGMA table_info(reservations)").toArray().map((column) => column.name));
    if (!columns.has("lapses_at")) this.sql.exec("ALTER TABLE reservations ADD COLUMN lapses_at INTEGER NOT NULL DEFAULT 0");
    this.sql.exec("CREATE INDEX IF NOT EXISTS reservations_lapse ON reservations (lapses_at)");
  }

  /** Holds one unit for `token` for `leaseMs` if every limit has room; idempotent per token. */
  async reserve(token: string, limits: CounterLimits, nowMs = Date.now(), leaseMs = DEFAULT_LEASE_MS): Promise<Reservation> {
    this.sweep(nowMs);
    if (this.sql.exec("SELECT 1 FROM reservations WHERE token = ? AND lapses_at > ? UNION ALL SELECT 1 FROM committed WHERE token = ?", token, nowMs, token).toArray().length) {
      return { ok: true };
    }
    const { hour, day } = capPeriods(limits.timezone, new Date(nowMs));
    const used = this.usage(hour, day, nowMs);
    const full =
      limits.hourly !== undefined && used.hourly >= limits.hourly
        ? `hourly cap of ${limits.hourly} reached`
        : limits.daily !== undefined && used.daily >= limits.daily
          ? `daily cap of ${limits.daily} reached`
          : limits.total !== undefined && used.total >= limits.total
            ? `total cap of ${limits.total} reached`
            : undefined;
    if (full) return { ok: false, reason: full };
    if (limits.capacity) this.adopt(limits.capacity);
    const capacity = this.inForce(nowMs);
    if (capacity && capacityLeft(capacity.declaration, capacity.sold + this.openReservations(nowMs)) === 0) {
      return { ok: false, reason: noCapacityReason(capacity.declaration) };
    }
    this.sql.exec("INSERT OR REPLACE INTO reservations (token, hour, day, at, lapses_at) VALUES (?, ?, ?, ?, ?)", token, hour, day, nowMs, nowMs + leaseMs);
    return { ok: true };
  }

  /**
   * Turns the reservation into a counted unit in the periods it was taken in,
   * once per token: a repeat is a no-op, and a token whose reservation was
   * swept away counts in the current periods (the sale happened).
   */
  async commit(token: string, nowMs = Date.now(), timezone = "UTC"): Promise<Committed> {
    if (this.sql.exec("SELECT 1 FROM committed WHERE token = ?", token).toArray().length) return this.committed(nowMs);
    const row = this.sql.exec<ReservationRow>("SELECT hour, day FROM reservations WHERE token = ?", token).toArray()[0] ?? capPeriods(timezone, new Date(nowMs));
    for (const period of [`hour:${row.hour}`, `day:${row.day}`, "total"]) {
      this.sql.exec("INSERT INTO counts (period, n) VALUES (?, 1) ON CONFLICT (period) DO UPDATE SET n = n + 1", period);
    }
    this.sql.exec("DELETE FROM reservations WHERE token = ?", token);
    this.sql.exec("INSERT INTO committed (token, at) VALUES (?, ?)", token, nowMs);
    if (this.inForce(nowMs)) this.sql.exec("UPDATE capacity SET sold = sold + 1");
    return this.committed(nowMs);
  }

  async release(token: string): Promise<void> {
    this.sql.exec("DELETE FROM reservations WHERE token = ?", token);
  }

  /** Reserves and commits at once: a unit that is used the moment it is taken (a submit). */
  async take(token: string, limits: CounterLimits, nowMs = Date.now()): Promise<Reservation> {
    const reservation = await this.reserve(token, limits, nowMs);
    if (reservation.ok) await this.commit(token, nowMs, limits.timezone);
    return reservation;
  }

  /**
   * The capacity declaration in force at `nowMs` and what is left of it,
   * after taking `declaration` if it is later than the one held (a buyer's
   * PUT declares through here, and starts the count afresh).
   */
  async capacity(declaration: CapacityDeclaration | undefined, nowMs = Date.now()): Promise<CapacityState | undefined> {
    if (declaration) this.adopt(declaration);
    const held = this.inForce(nowMs);
    return held && { declaration: held.declaration, left: capacityLeft(held.declaration, held.sold) };
  }

  /** Units used in the periods around `nowMs`, open reservations included. */
  async used(timezone: string, nowMs = Date.now()): Promise<CounterUsage> {
    const { hour, day } = capPeriods(timezone, new Date(nowMs));
    return this.usage(hour, day, nowMs);
  }

  private usage(hour: string, day: string, nowMs: number): CounterUsage {
    const count = (period: string) => this.sql.exec<{ n: number }>("SELECT n FROM counts WHERE period = ?", period).toArray()[0]?.n ?? 0;
    const open = this.sql
      .exec<{ hourly: number; daily: number; total: number }>(
        "SELECT SUM(hour = ?) AS hourly, SUM(day = ?) AS daily, COUNT(*) AS total FROM reservations WHERE lapses_at > ?",
        hour,
        day,
        nowMs,
      )
      .one();
    return {
      hourly: count(`hour:${hour}`) + (open.hourly ?? 0),
      daily: count(`day:${day}`) + (open.daily ?? 0),
      total: count("total") + open.total,
    };
  }

  private adopt(declaration: CapacityDeclaration): void {
    if (!supersedes(declaration, this.held()?.declaration)) return;
    this.sql.exec("INSERT OR REPLACE INTO capacity (id, declaration, sold) VALUES (1, ?, 0)", JSON.stringify(declaration));
  }

  private held(): { declaration: CapacityDeclaration; sold: number } | undefined {
    const row = this.sql.exec<CapacityRow>("SELECT declaration, sold FROM capacity").toArray()[0];
    return row && { declaration: JSON.parse(row.declaration) as CapacityDeclaration, sold: row.sold };
  }

  private inForce(nowMs: number): { declaration: CapacityDeclaration; sold: number } | undefined {
    const held = this.held();
    return held && activeCapacity(held.declaration, nowMs) ? held : undefined;
  }

  private committed(nowMs: number): Committed {
    const capacity = this.inForce(nowMs);
    return capacity ? { capacityLeft: capacityLeft(capacity.declaration, capacity.sold) } : {};
  }

  private openReservations(nowMs: number): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM reservations WHERE lapses_at > ?", nowMs).one().n;
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = nowMs;
    this.sql.exec("DELETE FROM reservations WHERE lapses_at <= ?", nowMs - KEEP_MS);
    this.sql.exec("DELETE FROM committed WHERE at <= ?", nowMs - KEEP_MS);
  }
}

export const capCounterName = (leadPointId: string) => `cap:${leadPointId}`;
export const treeLimitName = (treeId: string, kind: "accepts" | "submits") => `tree-limit:${treeId}:${kind}`;
