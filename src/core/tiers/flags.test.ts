/**
 * Tier and position flags in every tier mode (API.md, tree semantics: "Tier
 * flags hold in every mode"). Each case runs in all four modes with
 * runWhich "all"; weights make the weighted draw follow the listed order
 * and round robin's first run starts at the top, so the modes differ only
 * where the auction's own rules say (its pings go out together, so its
 * skips are of posts).
 */
import { describe, expect, test } from "vitest";
import { tierModes, type TierMode } from "../config";
import { bid, noBid, point, position, rejected, run, tier, tree, type FakeScripts, type PositionDoc, type TierDoc, type TreeDoc } from "../testing/fixtures";

interface FlagCase {
  name: string;
  /** The flagged tier's positions, in listed order. */
  first: [id: string, doc?: Partial<PositionDoc>][];
  tierDoc?: Partial<TierDoc>;
  treeDoc?: TreeDoc;
  scripts: FakeScripts;
  sold: string[];
  /** Skipped entries by lead point, reason (the phase is the mode's). */
  skipped?: [string, string][];
}

const WEIGHTS = [1_000_000, 1_000, 1];
const tierAborted = "tier aborted: a did not accept (abortTierIfNotAccepted)";
const treeAborted = "tree aborted: a did not accept (abortTreeIfNotAccepted)";
const accepts = "the tree's accepts are met and this position counts towards them";

const cases: FlagCase[] = [
  {
    name: "abortTierIfNotAccepted on a position that declines ends its tier; the next tier runs",
    first: [["a", { abortTierIfNotAccepted: true }], ["b"]],
    scripts: { pings: { a: noBid(), b: bid(500), c: bid(300) } },
    sold: ["c"],
    skipped: [["b", tierAborted]],
  },
  {
    name: "abortTreeIfNotAccepted on a position that declines ends the tree",
    first: [["a", { abortTreeIfNotAccepted: true }], ["b"]],
    scripts: { pings: { a: noBid(), b: bid(500), c: bid(300) } },
    sold: [],
    skipped: [["b", treeAborted], ["c", treeAborted]],
  },
  {
    name: "a flagged position whose post is refused ends its tier",
    first: [["a", { abortTierIfNotAccepted: true }], ["b"]],
    scripts: { pings: { a: bid(900), b: bid(500), c: bid(300) }, posts: { a: rejected() } },
    sold: ["c"],
    skipped: [["b", tierAborted]],
  },
  {
    name: "a flagged position with a bid under the reserve has not accepted",
    first: [["a", { abortTreeIfNotAccepted: true }], ["b"]],
    treeDoc: { minBidCents: 100 },
    scripts: { pings: { a: bid(99), b: bid(500), c: bid(300) } },
    sold: [],
    skipped: [["a", "bid of 99 cents is under the tree's reserve (minBidCents) of 100 cents"], ["b", treeAborted], ["c", treeAborted]],
  },
  {
    name: "a flagged position that accepts changes nothing",
    first: [["a", { abortTreeIfNotAccepted: true }], ["b"]],
    scripts: { pings: { a: bid(900), b: bid(500), c: bid(300) } },
    sold: ["a"],
  },
  {
    name: "a flagged position never tried because the lead sold first does nothing",
    first: [["b"], ["a", { abortTreeIfNotAccepted: true }]],
    scripts: { pings: { a: bid(100), b: bid(500), c: bid(300) } },
    sold: ["b"],
  },
  {
    name: "exitOnMaxAccepts true stops the tier at the tree's accepts",
    first: [["a"], ["b"], ["d", { countTowardsQuota: false }]],
    scripts: { pings: { a: bid(900), b: bid(800), d: bid(700) } },
    sold: ["a"],
  },
  {
    name: "exitOnMaxAccepts false still sells to positions that do not count towards quota",
    first: [["a"], ["b"], ["d", { countTowardsQuota: false }]],
    tierDoc: { exitOnMaxAccepts: false },
    scripts: { pings: { a: bid(900), b: bid(800), d: bid(700) } },
    sold: ["a", "d"],
    skipped: [["b", accepts]],
  },
  {
    name: "with exitOnMaxAccepts false a later tier still does not run once the accepts are met",
    first: [["a"]],
    tierDoc: { exitOnMaxAccepts: false },
    scripts: { pings: { a: bid(900), c: bid(800) } },
    sold: ["a"],
  },
];

const modeCases = tierModes.flatMap((mode) => cases.map((c) => ({ ...c, mode, title: `${mode}: ${c.name}` })));

function flaggedTree(mode: TierMode, c: FlagCase) {
  const positions = c.first.map(([id, doc], i) => position(id, { weight: WEIGHTS[i] ?? 1, ...doc }));
  return tree([tier(mode, positions, { name: "first", runWhich: "all", ...c.tierDoc }), tier("ordered", [position("c")], { name: "second" })], c.treeDoc ?? {});
}

describe("tier flags in every mode", () => {
  test.each(modeCases)("$title", async (c) => {
    const points = [...c.first.map(([id]) => point(id)), point("c")];
    const { outcome } = await run(flaggedTree(c.mode, c), points, c.scripts);
    const whole = JSON.stringify(outcome);
    expect(outcome.sales.map((s) => s.leadPointId), whole).toEqual(c.sold);
    const skipped = outcome.trace.filter((e) => e.outcome === "skipped").map((e) => [e.leadPointId, e.reason]);
    expect(skipped, whole).toEqual(c.skipped ?? []);
  });
});
