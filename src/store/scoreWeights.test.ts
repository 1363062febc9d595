import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { HAND_SET_WEIGHTS } from "../core/score";
import { seedLabelledLeads, type Outcome } from "../../test/support/scoreWeights";
import { dbOf } from "./db";
import { activateWeights, readActiveWeights, saveWeightsVersion, trainingGroups } from "./scoreWeights";
import { ScoreWeightsCache } from "./scoreWeightsCache";

const db = dbOf(env.DB);
const fit = { stats: { rows: 0, positives: 0, negatives: 0, logLoss: 0, auc: 0.5, handSetAuc: 0.5, accuracy: 0, intercept: 0, lambda: 5, iterations: 30 }, signals: [] };

describe("trainingGroups", () => {
  test("labels sold leads in the window by their outcome, and counts them per set of signals", async () => {
    const at = (minute: number) => `2021-03-01T10:${String(minute).padStart(2, "0")}:00.000Z`;
    const lead = (n: number, outcome: Outcome, signals: string[] = []) => ({ id: `lbl_${n}`, receivedAt: at(n), signals, outcome });
    await seedLabelledLeads([
      lead(1, "kept"),
      lead(2, "kept", ["address_missing"]),
      lead(3, "returned", ["address_missing"]),
      lead(4, "converted", ["address_missing"]),
      lead(5, "returnedButConverted", ["address_missing"]),
      lead(6, "returned", ["email_disposable", "address_missing"]),
      lead(7, "unsold", ["address_missing"]),
      { ...lead(8, "returned"), receivedAt: "2021-03-02T00:00:00.000Z" },
    ]);
    const groups = await trainingGroups(db, { from: at(0), to: "2021-03-02T00:00:00.000Z" });
    expect(groups.sort((a, b) => a.signals.join().localeCompare(b.signals.join()))).toEqual([
      { signals: [], positives: 1, negatives: 0 },
      { signals: ["address_missing"], positives: 3, negatives: 1 },
      { signals: ["email_disposable", "address_missing"], positives: 0, negatives: 1 },
    ]);
  });
});

describe("active weights", () => {
  test("the latest activation wins, version 0 is the hand-set table, and the cache reads D1 once per TTL", async () => {
    expect(await readActiveWeights(db)).toEqual(HAND_SET_WEIGHTS);
    const saved = await saveWeightsVersion(db, { createdAt: "2021-04-01T00:00:00.000Z", trainedFrom: "2021-01-01T00:00:00.000Z", trainedTo: "2021-04-01T00:00:00.000Z", points: { address_missing: -33 }, fit });
    const next = await saveWeightsVersion(db, { createdAt: "2021-04-01T00:00:00.000Z", trainedFrom: "2021-01-01T00:00:00.000Z", trainedTo: "2021-04-01T00:00:00.000Z", points: {}, fit });
    expect(next.version).toBe(saved.version + 1);

    let reads = 0;
    const cache = new ScoreWeightsCache(1000, (d) => {
      reads += 1;
      return readActiveWeights(d);
    });
    expect(await cache.active(db, 0)).toEqual(HAND_SET_WEIGHTS);
    await activateWeights(db, saved.version, "2021-04-02T00:00:00.000Z");
    expect(await cache.active(db, 999)).toEqual(HAND_SET_WEIGHTS);
    expect(reads).toBe(1);
    expect(await cache.active(db, 1000)).toEqual({ version: saved.version, points: { address_missing: -33 } });
    expect(reads).toBe(2);

    await activateWeights(db, 0, "2021-04-03T00:00:00.000Z");
    cache.invalidate();
    expect(await cache.active(db, 1001)).toEqual(HAND_SET_WEIGHTS);
    expect(reads).toBe(3);
  });

  test("a failed read keeps the weights last known", async () => {
    let fail = false;
    const cache = new ScoreWeightsCache(10, async () => {
      if (fail) throw new Error("D1 is down");
      return { version: 4, points: { name_digits: -1 } };
    });
    expect((await cache.active(db, 0)).version).toBe(4);
    fail = true;
    expect((await cache.active(db, 100)).version).toBe(4);
  });
});
