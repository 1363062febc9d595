/** Signals of the consent record against the lead. */
import type { ConsentRecord, LeadFields } from "../lead";
import type { Finding } from "./catalog";
import { text } from "./text";

const dayMs = 86_400_000;

export function consentSignals(fields: LeadFields, consent: ConsentRecord, now: Date): Finding[] {
  const found: Finding[] = [];
  const leadIp = text(fields.ip).toLowerCase();
  if (leadIp !== "" && leadIp !== consent.ip.trim().toLowerCase()) {
    found.push({ name: "consent_ip_mismatch", detail: `consent came from ${consent.ip}, the lead from ${leadIp}` });
  }
  const age = now.getTime() - Date.parse(consent.timestamp);
  if (age > dayMs) {
    found.push({ name: "consent_stale", detail: `consent was given ${Math.floor(age / 3_600_000)} hours before the lead` });
  }
  return found;
}
