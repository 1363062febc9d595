/**
 * A counter that must never overshoot: one object per lead point's caps
 * (`cap:<leadPointId>`) or per tree's daily limits (`tree-limit:<treeId>:…`).
 * A unit is reserved before the post and committed when the buyer accepts,
 * or released when it refuses; reservations count against the limit while
 * they are open, so concurrent posts can never take more than the limit.
 * Periods are local to the limit's time zone: a daily cap resets at midnight
 * where the buyer is, not in UTC.
 */
import { DurableObject } from "cloudflare:workers";
import { capPeriods } from "../core/schedule";

export interface CounterLimits {
  timezone: string;
  hourly?: number;
  daily?: number;
  total?: number;
}

export type Reservation = { ok: true } | { ok: false; reason: string };

export interface CounterUsage {
  hourly: number;
  daily: number;
  total: number;
}

interface ReservationRow extends Record<string, SqlStorageValue> {
  hour: string;
  day: string;
}

export class Counter extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS counts (period TEXT PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS reservations (token TEXT PRIMARY KEY, hour TEXT NOT NULL, day TEXT NOT NULL, at INTEGER NOT NULL);
    `);
  }

  /** Holds one unit for `token` if every limit has room; idempotent per token. */
  async reserve(token: string, limits: CounterLimits, nowMs = Date.now()): Promise<Reservation> {
    if (this.sql.exec("SELECT 1 FROM reservations WHERE token = ?", token).toArray().length) return { ok: true };
    const { hour, day } = capPeriods(limits.timezone, new Date(nowMs));
    const used = this.usage(hour, day);
    const full =
      limits.hourly !== undefined && used.hourly >= limits.hourly
        ? `hourly cap of ${limits.hourly} reached`
        : limits.daily !== undefined && used.daily >= limits.daily
          ? `daily cap of ${limits.daily} reached`
          : limits.total !== undefined && used.total >= limits.total
            ? `total cap of ${limits.total} reached`
            : undefined;
    if (full) return { ok: false, reason: full };
    this.sql.exec("INSERT INTO reservations (token, hour, day, at) VALUES (?, ?, ?, ?)", token, hour, day, nowMs);
    return { ok: true };
  }

  /** Turns the reservation into a counted unit in the periods it was taken in. */
  async commit(token: string): Promise<void> {
    const row = this.sql.exec<ReservationRow>("SELECT hour, day FROM reservations WHERE token = ?", token).toArray()[0];
    if (!row) return;
    for (const period of [`hour:${row.hour}`, `day:${row.day}`, "total"]) {
      this.sql.exec("INSERT INTO counts (period, n) VALUES (?, 1) ON CONFLICT (period) DO UPDATE SET n = n + 1", period);
    }
    this.sql.exec("DELETE FROM reservations WHERE token = ?", token);
  }

  async release(token: string): Promise<void> {
    this.sql.exec("DELETE FROM reservations WHERE token = ?", token);
  }

  /** Reserves and commits at once: a unit that is used the moment it is taken (a submit). */
  async take(token: string, limits: CounterLimits, nowMs = Date.now()): Promise<Reservation> {
    const reservation = await this.reserve(token, limits, nowMs);
    if (reservation.ok) await this.commit(token);
    return reservation;
  }

  /** Units used in the periods around `nowMs`, open reservations included. */
  async used(timezone: string, nowMs = Date.now()): Promise<CounterUsage> {
    const { hour, day } = capPeriods(timezone, new Date(nowMs));
    return this.usage(hour, day);
  }

  private usage(hour: string, day: string): CounterUsage {
    const count = (period: string) => this.sql.exec<{ n: number }>("SELECT n FROM counts WHERE period = ?", period).toArray()[0]?.n ?? 0;
    const open = this.sql
      .exec<{ hourly: number; daily: number; total: number }>(
        "SELECT SUM(hour = ?) AS hourly, SUM(day = ?) AS daily, COUNT(*) AS total FROM reservations",
        hour,
        day,
      )
      .one();
    return {
      hourly: count(`hour:${hour}`) + (open.hourly ?? 0),
      daily: count(`day:${day}`) + (open.daily ?? 0),
      total: count("total") + open.total,
    };
  }
}

export const capCounterName = (leadPointId: string) => `cap:${leadPointId}`;
export const treeLimitName = (treeId: string, kind: "accepts" | "submits") => `tree-limit:${treeId}:${kind}`;
