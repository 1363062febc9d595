/** Whether a lead may go to a lead point (or into a tier): the reason it may not, for the trace. */
import type { Filter, LeadPoint, Schedule, Tree } from "./config";
import { firstFailingFilter, type FilterCondition } from "./filters";
import type { Lead, LeadFields } from "./lead";
import { localClock, scheduleOpen } from "./schedule";

/** Where `hour` and `weekday` are read when nothing names a zone (API.md, Filter). */
export const DEFAULT_TIME_ZONE = "America/New_York";

/** The fields filters see: the lead's own plus what the exchange knows of it. */
export function filterFieldsOf(lead: Omit<Lead, "id">): LeadFields {
  const fields: LeadFields = { ...lead.fields, score: lead.score, vertical: lead.vertical, treeId: lead.treeId, publisherId: lead.publisherId };
  for (const key of ["clickId", "subId", "subId2", "subId3"] as const) {
    const value = lead[key];
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

const CLOCK_FIELDS: ReadonlySet<string> = new Set(["hour", "weekday"]);

/** Whether any of these filters reads the local hour or weekday, which costs a time-zone conversion. */
export function readsLocalTime(filters: readonly FilterCondition[]): boolean {
  return filters.some((filter) => CLOCK_FIELDS.has(filter.field));
}

/** `fields` plus `hour` (0–23) and `weekday` (0 = Sunday) at `now` in `timezone`. */
export function withLocalTime(fields: LeadFields, timezone: string, now: Date): LeadFields {
  return { ...fields, ...localClock(timezone, now) };
}

/** A lead point reads hour and weekday in its own zone: its caps' zone, else its schedule's. */
export function timeZoneOfPoint(point: Pick<LeadPoint, "caps" | "schedule">): string {
  return point.caps?.timezone ?? point.schedule?.timezone ?? DEFAULT_TIME_ZONE;
}

/** Tree and tier filters read hour and weekday in the zone of the tree's daily limits. */
export function timeZoneOfTree(tree: Pick<Tree, "dailyLimits">): string {
  return tree.dailyLimits?.timezone ?? DEFAULT_TIME_ZONE;
}

export interface Gatekeeping {
  filters: Filter[];
  minScore?: number;
  schedule?: Schedule;
}

/** `fields` are what the filters see (filterFieldsOf, with the local time when they read it). */
export function skipReason(rules: Gatekeeping, score: number, fields: LeadFields, now?: Date): string | undefined {
  if (rules.minScore !== undefined && score < rules.minScore) return `score ${score} is under the minimum ${rules.minScore}`;
  if (rules.schedule && now && !scheduleOpen(rules.schedule, now)) return "outside the lead point's schedule";
  const failing = firstFailingFilter(rules.filters, fields);
  return failing ? (failing.message ?? `filter ${describeFilter(failing)} not met`) : undefined;
}

export function describeFilter(filter: Filter): string {
  return filter.value === undefined ? `${filter.field} ${filter.op}` : `${filter.field} ${filter.op} ${JSON.stringify(filter.value)}`;
}
