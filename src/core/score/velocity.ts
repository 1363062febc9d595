/**
 * Signals of how often the exchange saw this consumer just before: a person
 * shopping around fills in a few forms; the same phone or email on many leads
 * within hours is a script or a recycled list. An IP gets more room, since a
 * household, an office or a carrier's NAT shares one.
 */
import type { ConsumerHistory } from "../lead";
import type { Finding } from "./catalog";

/** Earlier leads in the history's window from which each key is doubtful. */
export const VELOCITY_LIMITS = { phone: 3, email: 3, ip: 5 } as const;

export function velocitySignals(history: ConsumerHistory | undefined): Finding[] {
  if (history === undefined) return [];
  const found: Finding[] = [];
  for (const key of ["phone", "email", "ip"] as const) {
    const count = history[key];
    if (count >= VELOCITY_LIMITS[key]) {
      found.push({ name: `velocity_${key}`, detail: `${count} earlier leads with this ${key === "ip" ? "IP" : key} in the last ${history.hours} hours` });
    }
  }
  return found;
}
