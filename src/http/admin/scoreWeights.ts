/**
 * The score's weights: fit a new version to the exchange's outcomes, read
 * and compare versions, activate one (a rollback is activating an older one,
 * or POST …/rollback). Version 0 is the hand-set table; it is always there.
 * Activation drops this isolate's cached weights at once; other isolates
 * take the new version within CONFIG_TTL_MS.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { HAND_SET_POINTS, SIGNAL_NAMES, type SignalName } from "../../core/score";
import { fitWeights, MIN_PER_CLASS, MIN_TRAINING_ROWS } from "../../core/score/fit";
import type { Db } from "../../store/db";
import { nowIso } from "../../store/db";
import { activateWeights, getWeightsVersion, listActivations, listWeightsVersions, saveWeightsVersion, trainingGroups, type Activation, type WeightsVersion } from "../../store/scoreWeights";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, jsonAnswer, operatorRoute } from "../operations";
import type { AppEnv } from "../router";
import { windowOf, windowQuery } from "./reportQuery";

const versionNumber = z.string().regex(/^(0|[1-9][0-9]{0,8})$/, "a version is a whole number from 0");
const VersionParam = z.object({ version: versionNumber });

const signalPoints = z.record(z.string(), z.number().int()).describe("Points each signal costs under this version, by signal name.");
const FitStatsSchema = z
  .object({
    rows: z.number().int().describe("Labelled leads the fit read: sold leads received in its window."),
    positives: z.number().int().describe("Good ones: kept by the buyer, or reported converted."),
    negatives: z.number().int().describe("Bad ones: returned and never reported converted."),
    logLoss: z.number().describe("Mean negative log-likelihood of the fitted model on its rows."),
    auc: z.number().describe("Chance a good lead outscores a bad one under the fitted points (ties count half)."),
    handSetAuc: z.number().describe("The same under the hand-set points, on the same rows."),
    accuracy: z.number(),
    intercept: z.number(),
    lambda: z.number().describe("Strength of the L2 pull towards the hand-set weights."),
    iterations: z.number().int(),
  })
  .openapi("ScoreWeightsFitStats");
const VersionSummarySchema = z
  .object({
    version: z.number().int(),
    handSet: z.boolean().describe("Version 0: the hand-set table in the code."),
    active: z.boolean().describe("Scores new leads now."),
    lastActivatedAt: z.string().optional(),
    createdAt: z.string().optional(),
    trainedFrom: z.string().optional().describe("The window of received leads it was fitted on, [trainedFrom, trainedTo)."),
    trainedTo: z.string().optional(),
    stats: FitStatsSchema.optional(),
    points: signalPoints,
  })
  .openapi("ScoreWeightsVersionSummary");
const SignalRowSchema = z.object({
  name: z.string(),
  points: z.number().int(),
  handSetPoints: z.number().int(),
  comparedPoints: z.number().int().optional().describe("The signal's points under the version named by `compare`."),
  weight: z.number().optional().describe("The fitted log-odds of a good sale with the signal."),
  rows: z.number().int().optional().describe("Labelled leads that showed the signal."),
  positives: z.number().int().optional(),
});
const VersionDetailSchema = VersionSummarySchema.extend({
  signals: z.array(SignalRowSchema).describe("Every signal, this version's points beside the hand-set ones (and the compared version's)."),
  comparedWith: z.number().int().optional(),
}).openapi("ScoreWeightsVersion");
const VersionListSchema = z
  .object({ activeVersion: z.number().int(), items: z.array(VersionSummarySchema).describe("Newest first; version 0, the hand-set table, last.") })
  .openapi("ScoreWeightsVersionList");

type Summary = z.infer<typeof VersionSummarySchema>;

function summaryOf(stored: WeightsVersion | undefined, version: number, activations: Activation[]): Summary {
  const last = activations.find((a) => a.version === version);
  const activeVersion = activations[0]?.version ?? 0;
  const base = { version, handSet: version === 0, active: activeVersion === version, ...(last ? { lastActivatedAt: last.activatedAt } : {}) };
  if (!stored) return { ...base, points: { ...HAND_SET_POINTS } };
  const { createdAt, trainedFrom, trainedTo, fit } = stored;
  return { ...base, createdAt, trainedFrom, trainedTo, stats: fit.stats, points: pointsOf(stored) };
}

/** Every catalogued signal: one fitted before a signal was added prices it by hand. */
function pointsOf(stored: WeightsVersion | undefined): Record<SignalName, number> {
  return Object.fromEntries(SIGNAL_NAMES.map((name) => [name, stored?.points[name] ?? HAND_SET_POINTS[name]])) as Record<SignalName, number>;
}

async function versionOrNotFound(db: Db, version: number): Promise<WeightsVersion | undefined> {
  if (version === 0) return undefined;
  const stored = await getWeightsVersion(db, version);
  if (!stored) throw new ApiError("not_found", `Score weights version ${version} does not exist.`);
  return stored;
}

async function detailOf(db: Db, version: number, compare?: number): Promise<z.infer<typeof VersionDetailSchema>> {
  const [stored, compared, activations] = await Promise.all([
    versionOrNotFound(db, version),
    compare === undefined ? undefined : versionOrNotFound(db, compare),
    listActivations(db),
  ]);
  const points = pointsOf(stored);
  const comparedPoints = compare === undefined ? undefined : pointsOf(compared);
  const fitted = new Map(stored?.fit.signals.map((s) => [s.name, s]));
  const signals = SIGNAL_NAMES.map((name) => {
    const fit = fitted.get(name);
    return {
      name,
      points: points[name],
      handSetPoints: HAND_SET_POINTS[name],
      ...(comparedPoints ? { comparedPoints: comparedPoints[name] } : {}),
      ...(fit ? { weight: fit.weight, rows: fit.rows, positives: fit.positives } : {}),
    };
  });
  return { ...summaryOf(stored, version, activations), signals, ...(compare === undefined ? {} : { comparedWith: compare }) };
}

export function registerScoreWeights(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/score-weights",
      operationId: "listScoreWeights",
      summary: "List the score weights versions, each with its points per signal",
      request: {},
      responses: { 200: jsonAnswer("Every version and which one is active", VersionListSchema) },
    }),
    async (c) => {
      const db = servicesOf(c.env).db;
      const [versions, activations] = await Promise.all([listWeightsVersions(db), listActivations(db)]);
      const items = [...versions.map((stored) => summaryOf(stored, stored.version, activations)), summaryOf(undefined, 0, activations)];
      return c.json({ activeVersion: activations[0]?.version ?? 0, items }, 200);
    },
  );

  app.openapi(
    operatorRoute({
      method: "post",
      path: "/score-weights/fit",
      operationId: "createScoreWeights",
      summary: "Fit a new score weights version to the outcomes of sold leads",
      description: [
        "Reads the leads received in the window that were sold, labelled good when a buyer kept them or reported a conversion and bad when returned without one,",
        "and fits each signal's points by logistic regression on the signals the leads showed (deterministic: the same leads give the same version).",
        "The new version is not active until activated. Leave out the last return window's days (`to`) so leads still returnable do not count as kept.",
        `Refused (422) with fewer than ${MIN_TRAINING_ROWS} labelled leads or fewer than ${MIN_PER_CLASS} good or bad among them: the hand-set weights stand.`,
      ].join(" "),
      request: { query: z.object({ from: windowQuery.from, to: windowQuery.to }) },
      responses: {
        201: jsonAnswer("The new version, not active", VersionDetailSchema),
        400: errorAnswer("The window is not valid"),
        422: errorAnswer("Too few labelled leads in the window to fit"),
      },
    }),
    async (c) => {
      const window = windowOf(c.req.valid("query"));
      const db = servicesOf(c.env).db;
      const fit = fitWeights(await trainingGroups(db, window));
      if (!fit.ok) throw new ApiError("unprocessable", fit.message);
      const saved = await saveWeightsVersion(db, {
        createdAt: nowIso(),
        trainedFrom: window.from,
        trainedTo: window.to,
        points: fit.points,
        fit: { stats: fit.stats, signals: fit.signals },
      });
      return c.json(await detailOf(db, saved.version), 201);
    },
  );

  app.openapi(
    operatorRoute({
      method: "get",
      path: "/score-weights/{version}",
      operationId: "getScoreWeights",
      summary: "Read a score weights version, each signal beside its hand-set points and, with compare, another version's",
      request: { params: VersionParam, query: z.object({ compare: versionNumber.optional().describe("Another version to show side by side.") }) },
      responses: {
        200: jsonAnswer("The version", VersionDetailSchema),
        400: errorAnswer("A version is not a whole number"),
        404: errorAnswer("No such version"),
      },
    }),
    async (c) => {
      const { version } = c.req.valid("param");
      const { compare } = c.req.valid("query");
      return c.json(await detailOf(servicesOf(c.env).db, Number(version), compare === undefined ? undefined : Number(compare)), 200);
    },
  );

  app.openapi(
    operatorRoute({
      method: "post",
      path: "/score-weights/{version}/activate",
      operationId: "updateActiveScoreWeights",
      summary: "Score new leads with this weights version (version 0: the hand-set table)",
      description: "Takes no body. Leads scored from now on record the version in `scoreWeightsVersion`; this isolate uses it at once, every other within CONFIG_TTL_MS (5 s by default).",
      request: { params: VersionParam },
      responses: { 200: jsonAnswer("The version, now active", VersionDetailSchema), 400: errorAnswer("A version is not a whole number"), 404: errorAnswer("No such version") },
    }),
    async (c) => {
      const version = Number(c.req.valid("param").version);
      const services = servicesOf(c.env);
      await versionOrNotFound(services.db, version);
      await activateWeights(services.db, version, nowIso());
      services.scoreWeights.invalidate();
      return c.json(await detailOf(services.db, version), 200);
    },
  );

  app.openapi(
    operatorRoute({
      method: "post",
      path: "/score-weights/rollback",
      operationId: "updateActiveScoreWeightsToPrevious",
      summary: "Activate again the version that was active before the current one",
      description: "Takes no body. The same as activating that version by number; the hand-set table (0) when the current version was the first activated.",
      responses: { 200: jsonAnswer("The version, now active", VersionDetailSchema), 409: errorAnswer("The hand-set table is active and no other version ever was") },
    }),
    async (c) => {
      const services = servicesOf(c.env);
      const activations = await listActivations(services.db);
      const current = activations[0]?.version ?? 0;
      const previous = activations.find((a) => a.version !== current)?.version ?? (current === 0 ? undefined : 0);
      if (previous === undefined) throw new ApiError("conflict", "The hand-set weights are active and no other version ever was: there is nothing to roll back to.");
      await activateWeights(services.db, previous, nowIso());
      services.scoreWeights.invalidate();
      return c.json(await detailOf(services.db, previous), 200);
    },
  );
}
