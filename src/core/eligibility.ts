/** Whether a lead may go to a lead point (or into a tier): the reason it may not, for the trace. */
import type { Filter, Schedule } from "./config";
import { firstFailingFilter } from "./filters";
import type { Lead, LeadFields } from "./lead";
import { scheduleOpen } from "./schedule";

/** The fields filters see: the lead's own plus what the exchange knows of it. */
export function filterFieldsOf(lead: Omit<Lead, "id">): LeadFields {
  const fields: LeadFields = { ...lead.fields, score: lead.score, vertical: lead.vertical, treeId: lead.treeId };
  for (const key of ["clickId", "subId", "subId2", "subId3"] as const) {
    const value = lead[key];
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

export interface Gatekeeping {
  filters: Filter[];
  minScore?: number;
  schedule?: Schedule;
}

export function skipReason(rules: Gatekeeping, lead: Lead, now?: Date): string | undefined {
  if (rules.minScore !== undefined && lead.score < rules.minScore) return `score ${lead.score} is under the minimum ${rules.minScore}`;
  if (rules.schedule && now && !scheduleOpen(rules.schedule, now)) return "outside the lead point's schedule";
  const failing = firstFailingFilter(rules.filters, filterFieldsOf(lead));
  return failing ? (failing.message ?? `filter ${describeFilter(failing)} not met`) : undefined;
}

export function describeFilter(filter: Filter): string {
  return filter.value === undefined ? `${filter.field} ${filter.op}` : `${filter.field} ${filter.op} ${JSON.stringify(filter.value)}`;
}
