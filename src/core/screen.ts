/** The tree's own say on a lead before any buyer is tried: its filters and score floor. */
import type { Tree } from "./config";
import { describeFilter, filterFieldsOf, readsLocalTime, timeZoneOfTree, withLocalTime } from "./eligibility";
import { filterPasses } from "./filters";
import type { FieldError, Lead } from "./lead";

/** `rule`: what in the tree declined the lead (its filters, its score floor, its daily submit limit, its duplicate rule). */
export type Screening = { kind: "pass" } | { kind: "decline"; rule: "filter" | "scoreFloor" | "dailyLimit" | "duplicate"; reason: string } | { kind: "error"; errors: FieldError[] };

/**
 * `hour` and `weekday` are those of the lead's arrival, so a held lead's
 * next cycle screens it as its first did.
 */
export function screenLead(tree: Pick<Tree, "filters" | "scoreFloor" | "dailyLimits">, lead: Omit<Lead, "id">): Screening {
  const base = filterFieldsOf(lead);
  const fields = readsLocalTime(tree.filters) ? withLocalTime(base, timeZoneOfTree(tree), new Date(lead.receivedAt)) : base;
  const failing = tree.filters.filter((filter) => !filterPasses(filter, fields));
  const errors = failing.filter((filter) => filter.action === "error");
  if (errors.length) {
    return { kind: "error", errors: errors.map((filter) => ({ path: filter.field, message: filter.message ?? `${describeFilter(filter)} not met` })) };
  }
  const declined = failing[0];
  if (declined) return { kind: "decline", rule: "filter", reason: declined.message ?? `tree filter ${describeFilter(declined)} not met` };
  if (lead.score < tree.scoreFloor) return { kind: "decline", rule: "scoreFloor", reason: `score ${lead.score} is under the tree's floor ${tree.scoreFloor}` };
  return { kind: "pass" };
}
