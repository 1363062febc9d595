/**
 * The lead points' records an expected-value rank reads, kept in the
 * isolate's memory: a lead never waits on D1 for them. A run of a tree that
 * ranks by expected value takes what is cached (nothing, in a cold isolate:
 * every point then ranks at the prior, i.e. by price) and asks for a
 * refresh, which runs off the lead's path (waitUntil) at most once per
 * REFRESH_MS per isolate. Isolate memory rather than a Durable Object: the
 * records are a few numbers per lead point, stale by a minute is harmless
 * for a 30-day rate, and a shared object would add a call to every lead.
 */
import type { PointRecords } from "../core/ranking";
import type { Db } from "./db";
import { rankingRecords } from "./scorecards";

/** How often an isolate reads the records again (one grouped query over 30 days). */
export const REFRESH_MS = 60_000;

export class RankingCache {
  private records: PointRecords = new Map();
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;

  constructor(private readonly refreshMs = REFRESH_MS) {}

  /** What a run ranks by now. */
  current(): PointRecords {
    return this.records;
  }

  /** Reads the records again when the last read is older than the refresh interval; one read at a time. */
  refresh(db: Db, now = Date.now()): Promise<void> {
    if (now - this.readAt < this.refreshMs) return this.reading ?? Promise.resolve();
    this.readAt = now;
    this.reading ??= rankingRecords(db, now)
      .then((records) => {
        this.records = records;
      })
      .catch((error: unknown) => {
        // The old records stay; the next run after the interval tries again.
        console.error("ranking records refresh failed", error instanceof Error ? error.message : "unknown");
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}

let shared: RankingCache | undefined;

/** The isolate's one cache. */
export function rankingCache(): RankingCache {
  shared ??= new RankingCache();
  return shared;
}
