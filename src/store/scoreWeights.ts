/**
 * The score's weights in D1: the training rows a fit reads, the versions it
 * writes, and the activations that say which version scores new leads.
 *
 * A lead's label, for leads received in the window that were sold (leads
 * never sold say nothing of their quality, only of demand):
 * - good when any buyer reported a conversion for it (contacted, quoted or
 *   sold), even if another buyer returned it;
 * - bad when a buyer returned it and none reported a conversion;
 * - good otherwise: the buyer accepted the post and kept the lead.
 */
import { desc, eq } from "drizzle-orm";
import { HAND_SET_WEIGHTS, type ScoreWeights, type SignalName } from "../core/score";
import type { TrainingGroup } from "../core/score/fit";
import type { Db } from "./db";
import { scoreWeightActivations, scoreWeightVersions, type ScoreWeightsFit } from "./schema";

export interface TrainingWindow {
  from: string;
  to: string;
}

/** One row per set of signal names and label, counted in SQL: a fit over many leads reads a few hundred rows. */
export async function trainingGroups(db: Db, window: TrainingWindow): Promise<TrainingGroup[]> {
  const { results } = await db.$client
    .prepare(
      `WITH labelled AS (
         SELECT l.id, l.signals,
           CASE WHEN EXISTS (SELECT 1 FROM conversions c WHERE c.lead_id = l.id) THEN 1
                WHEN EXISTS (SELECT 1 FROM returns r WHERE r.lead_id = l.id) THEN 0
                ELSE 1 END AS good
         FROM leads l
         WHERE l.received_at >= ?1 AND l.received_at < ?2 AND EXISTS (SELECT 1 FROM sales s WHERE s.lead_id = l.id)
       )
       SELECT names, SUM(good) AS positives, SUM(1 - good) AS negatives FROM (
         SELECT good, (SELECT group_concat(json_extract(j.value, '$.name'), ' ') FROM json_each(labelled.signals) j) AS names FROM labelled
       ) GROUP BY names`,
    )
    .bind(window.from, window.to)
    .all<{ names: string | null; positives: number; negatives: number }>();
  return results.map((row) => ({ signals: row.names ? row.names.split(" ") : [], positives: row.positives, negatives: row.negatives }));
}

export interface WeightsVersion {
  version: number;
  createdAt: string;
  trainedFrom: string;
  trainedTo: string;
  points: Partial<Record<SignalName, number>>;
  fit: ScoreWeightsFit;
}

/** Saves a fit as the next version (one statement, so two fits at once get two numbers); not active until activated. */
export async function saveWeightsVersion(db: Db, draft: Omit<WeightsVersion, "version">): Promise<WeightsVersion> {
  const row = await db.$client
    .prepare(
      `INSERT INTO score_weight_versions (version, created_at, trained_from, trained_to, points, fit)
       SELECT COALESCE(MAX(version), 0) + 1, ?1, ?2, ?3, ?4, ?5 FROM score_weight_versions RETURNING version`,
    )
    .bind(draft.createdAt, draft.trainedFrom, draft.trainedTo, JSON.stringify(draft.points), JSON.stringify(draft.fit))
    .first<{ version: number }>();
  if (!row) throw new Error("the weights version was not saved");
  return { version: row.version, ...draft };
}

export async function listWeightsVersions(db: Db): Promise<WeightsVersion[]> {
  return db.select().from(scoreWeightVersions).orderBy(desc(scoreWeightVersions.version)).all();
}

export async function getWeightsVersion(db: Db, version: number): Promise<WeightsVersion | undefined> {
  return db.select().from(scoreWeightVersions).where(eq(scoreWeightVersions.version, version)).get();
}

export interface Activation {
  version: number;
  activatedAt: string;
}

/** Newest first. */
export async function listActivations(db: Db): Promise<Activation[]> {
  return db
    .select({ version: scoreWeightActivations.version, activatedAt: scoreWeightActivations.activatedAt })
    .from(scoreWeightActivations)
    .orderBy(desc(scoreWeightActivations.id))
    .all();
}

export async function activateWeights(db: Db, version: number, at: string): Promise<void> {
  await db.insert(scoreWeightActivations).values({ version, activatedAt: at }).run();
}

/** The version the latest activation names, with its points; the hand-set table when none was ever activated. */
export async function readActiveWeights(db: Db): Promise<ScoreWeights> {
  const row = await db
    .select({ version: scoreWeightActivations.version, points: scoreWeightVersions.points })
    .from(scoreWeightActivations)
    .leftJoin(scoreWeightVersions, eq(scoreWeightVersions.version, scoreWeightActivations.version))
    .orderBy(desc(scoreWeightActivations.id))
    .limit(1)
    .get();
  if (!row || row.version === 0 || !row.points) return HAND_SET_WEIGHTS;
  return { version: row.version, points: row.points };
}
