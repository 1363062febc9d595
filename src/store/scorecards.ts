/**
 * Lead point scorecards and the records an expected-value rank reads, both
 * from the report queries of reports.ts (the summary's attempt counts and
 * the sales' outcomes), so a scorecard, the summary and the ranking never
 * count a figure two ways.
 */
import { eq } from "drizzle-orm";
import type { PointRecord } from "../core/ranking";
import { RANKING_WINDOW_DAYS } from "../core/ranking";
import { pointRecords, scorecardRows, type ScorecardRow } from "../core/reports/scorecard";
import type { Db } from "./db";
import { attemptCountsBy, saleOutcomesByLeadPoint, type ReportWindow } from "./reports";
import { leadPoints } from "./schema";

/** Whose scorecards: one lead point, one buyer's lead points, or every lead point. */
export interface ScorecardScope {
  leadPointId?: string;
  buyerId?: string;
}

export async function scorecards(db: Db, window: ReportWindow, scope: ScorecardScope = {}): Promise<ScorecardRow[]> {
  const [attempts, sold, owned] = await Promise.all([
    attemptCountsBy(db, window, "leadPoint"),
    saleOutcomesByLeadPoint(db, window),
    scope.buyerId === undefined ? undefined : leadPointIdsOf(db, scope.buyerId),
  ]);
  return scorecardRows(attempts, sold, (id) => (scope.leadPointId === undefined || id === scope.leadPointId) && (owned === undefined || owned.has(id)));
}

async function leadPointIdsOf(db: Db, buyerId: string): Promise<Set<string>> {
  const rows = await db.select({ id: leadPoints.id }).from(leadPoints).where(eq(leadPoints.buyerId, buyerId));
  return new Set(rows.map((row) => row.id));
}

const DAY_MS = 86_400_000;

/** Every lead point's record over the ranking window up to `now`: its posts and their accepts, its sales and their returns. */
export async function rankingRecords(db: Db, now: number): Promise<Map<string, PointRecord>> {
  const window = { from: new Date(now - RANKING_WINDOW_DAYS * DAY_MS).toISOString(), to: new Date(now).toISOString() };
  const [attempts, sold] = await Promise.all([attemptCountsBy(db, window, "leadPoint", false), saleOutcomesByLeadPoint(db, window)]);
  return pointRecords(attempts, sold);
}
