/**
 * Consumers across trees and publishers (DESIGN.md, "Consumers across
 * trees"): the normalized phone, email and IP a lead's consumer is known by,
 * the objects they live in (`consumers:<hash mod M>`), and what the exchange
 * decides from what those objects remember: the tree's duplicate rule, a
 * lead point's `dedupeDays`, and the velocity the score reads. The values are
 * keyed into hashes at the edge (exchange/consumers.ts); nothing here or in
 * the objects holds a phone, an email or an IP in the clear.
 */
import { RUN_CEILING_MS, type DuplicateRule, type LeadPoint } from "./config";
import { fnv1a } from "./gateAddress";
import type { ConsumerHistory, LeadFields } from "./lead";
import type { Screening } from "./screen";
import { parseUsPhone } from "./phone";
import { numberSetting } from "./settings";

export const consumerFields = ["phone", "email", "ip"] as const;
export type ConsumerField = (typeof consumerFields)[number];

/** The fields a buyer's purchase is remembered under: an IP is shared by a household or an office, so it never stands for a consumer a buyer bought. */
export const purchaseFields: readonly ConsumerField[] = ["phone", "email"];

/** Velocity counts the earlier leads of the last this many hours (ConsumerHistory.hours). */
export const VELOCITY_HOURS = 24;

/**
 * Velocity counts stop here: past it the signal says the same, and an IP
 * shared by thousands of consumers (a carrier's NAT) costs a visit no more
 * than this many rows.
 */
export const VELOCITY_COUNT_CAP = 100;

/**
 * An earlier lead of the consumer that arrived this recently may still be
 * running (no run outlives RUN_CEILING_MS): what it sells is not known to
 * the objects yet, so a later lead asks its gate (exchange/consumers.ts, withEarlierSales).
 */
export const RECENT_LEAD_MS = RUN_CEILING_MS + 2_000;
/** The longest window a consumer object keeps an arrival or a purchase for: the most `duplicates.days` and `dedupeDays` may say. */
export const MAX_CONSUMER_DAYS = 400;

const DAY_MS = 86_400_000;

/**
 * Consumer objects when CONSUMER_SHARDS does not say: one, warm, which takes
 * all of a lead's keys in one call; a lead makes one call to each object its
 * keys land on, and one object takes several hundred calls a second.
 */
export const DEFAULT_CONSUMER_SHARDS = 1;

export function consumerShards(setting: string | undefined): number {
  return numberSetting(setting, DEFAULT_CONSUMER_SHARDS);
}

export type ConsumerValues = Partial<Record<ConsumerField, string>>;

/**
 * The consumer's normalized phone (E.164, read as a US number unless it says
 * otherwise), email (trimmed, lowercased) and IP (the lead's own, else its
 * consent's; trimmed, lowercased). A phone that is not a possible number is
 * left out rather than keyed as typed.
 */
export function consumerValues(fields: LeadFields, consentIp: string | undefined): ConsumerValues {
  const values: ConsumerValues = {};
  const phone = text(fields.phone);
  const parsed = phone === "" ? undefined : parseUsPhone(phone);
  if (parsed?.isPossible()) values.phone = parsed.number;
  const email = text(fields.email).toLowerCase();
  if (email !== "") values.email = email;
  const ip = (text(fields.ip) || (consentIp ?? "").trim()).toLowerCase();
  if (ip !== "") values.ip = ip;
  return values;
}

function text(value: LeadFields[string] | undefined): string {
  return value === undefined ? "" : String(value).trim();
}

/** One of a consumer's keys: the field, and the keyed hash of its normalized value. */
export interface ConsumerKey {
  field: ConsumerField;
  hash: string;
}

export function consumerIndex(hash: string, shards: number): number {
  return fnv1a(hash) % Math.max(1, Math.floor(shards));
}

export function consumerObjectName(index: number): string {
  return `consumers:${index}`;
}

/** A lead's arrival as one consumer object records it, with the questions that object answers. */
export interface ConsumerVisit {
  /** This object's share of the lead's keys. */
  keys: ConsumerKey[];
  treeId: string;
  leadId: string;
  /** The keyed hash of the lead's unique-lead key: a resubmit of the same lead is not an earlier lead of its consumer. */
  leadKey: string;
  /** Epoch ms: the lead's arrival. */
  at: number;
  /** The tree's duplicate rule, when it has one. */
  duplicates?: Pick<DuplicateRule, "fields" | "days">;
  /** How long these arrivals are kept: the longest window that may ask for them. */
  keepDays: number;
}

/** An earlier lead of the same tree with the same consumer key. */
export interface EarlierLead {
  field: ConsumerField;
  leadId: string;
  /** Epoch ms. */
  at: number;
}

/** An earlier lead of the consumer's phone or email, from any tree, recent enough to be still running (RECENT_LEAD_MS). */
export interface RecentLead {
  leadId: string;
  /** Epoch ms: its arrival. */
  at: number;
}

/** A buyer that bought this consumer, and when it last did (epoch ms). */
export interface Purchase {
  buyerId: string;
  at: number;
}

/** What one object answers for its share of a lead's keys. */
export interface ConsumerSeen {
  /** Earlier leads (other unique-lead keys) of the last VELOCITY_HOURS, up to VELOCITY_COUNT_CAP, per field of this object's share. */
  counts: Partial<Record<ConsumerField, number>>;
  /** The newest earlier lead of the tree inside its duplicate window, per field found. */
  earlier: EarlierLead[];
  purchases: Purchase[];
  /** Earlier leads of the phone or email (other unique-lead keys, any tree) that may still be running, newest first. */
  recent: RecentLead[];
}

/** An earlier arrival of one of a visit's keys, as its object read or holds it. */
export interface Sighting {
  hash: string;
  leadId: string;
  treeId: string;
  /** Epoch ms. */
  at: number;
}

/** The times a visit looks back to (epoch ms, exclusive). */
export interface VisitWindows {
  /** Velocity: VELOCITY_HOURS before the lead. */
  since: number;
  /** The tree's duplicate window, for each field its rule names. */
  duplicateSince: Partial<Record<ConsumerField, number>>;
  /** The earliest of them: an object reads no arrival older. */
  from: number;
}

export function visitWindows(visit: Pick<ConsumerVisit, "keys" | "at" | "duplicates">): VisitWindows {
  const since = visit.at - VELOCITY_HOURS * 3_600_000;
  const duplicateSince: VisitWindows["duplicateSince"] = {};
  for (const { field } of visit.keys) {
    if (visit.duplicates?.fields.includes(field)) duplicateSince[field] = visit.at - visit.duplicates.days * DAY_MS;
  }
  return { since, duplicateSince, from: Math.min(since, ...Object.values(duplicateSince)) };
}

/** The visit's keys a buyer's purchase is remembered under. */
export function purchasableHashes(visit: Pick<ConsumerVisit, "keys">): string[] {
  return visit.keys.filter((key) => purchaseFields.includes(key.field)).map((key) => key.hash);
}

/**
 * What an object answers a visit from the earlier arrivals of its keys
 * (other unique-lead keys, oldest to newest or in any order: a later one in
 * the list wins a tie) and the purchases it found: per key, the velocity
 * count and the tree's newest earlier lead inside its duplicate window, and
 * each buyer's latest purchase.
 */
export function seenFrom(visit: Pick<ConsumerVisit, "keys" | "treeId" | "at">, windows: VisitWindows, sightings: readonly Sighting[], purchases: readonly Purchase[]): ConsumerSeen {
  const purchasable = new Set(purchasableHashes(visit));
  const recent = sightings.filter((sighting) => purchasable.has(sighting.hash) && sighting.at > visit.at - RECENT_LEAD_MS);
  const seen: ConsumerSeen = { counts: {}, earlier: [], purchases: newestPerBuyer(purchases), recent: distinctRecent(recent) };
  for (const { field, hash } of visit.keys) {
    const mine = sightings.filter((sighting) => sighting.hash === hash);
    seen.counts[field] = Math.min(VELOCITY_COUNT_CAP, mine.filter((sighting) => sighting.at > windows.since).length);
    const duplicateSince = windows.duplicateSince[field];
    if (duplicateSince === undefined) continue;
    let newest: Sighting | undefined;
    for (const sighting of mine) {
      if (sighting.treeId === visit.treeId && sighting.at > duplicateSince && (!newest || sighting.at >= newest.at)) newest = sighting;
    }
    if (newest) seen.earlier.push({ field, leadId: newest.leadId, at: newest.at });
  }
  return seen;
}

/** One entry per lead (its keys may share it), newest first. */
function distinctRecent(leads: readonly RecentLead[]): RecentLead[] {
  const byLead = new Map<string, RecentLead>();
  for (const { leadId, at } of leads) if (!byLead.has(leadId)) byLead.set(leadId, { leadId, at });
  return [...byLead.values()].sort((a, b) => b.at - a.at);
}

function newestPerBuyer(purchases: readonly Purchase[]): Purchase[] {
  const newest = new Map<string, Purchase>();
  for (const purchase of purchases) {
    const known = newest.get(purchase.buyerId);
    if (!known || known.at < purchase.at) newest.set(purchase.buyerId, purchase);
  }
  return [...newest.values()];
}

/** The answers of every object a lead's keys landed on, as one. */
export function mergeSeen(answers: ConsumerSeen[]): ConsumerSeen {
  return {
    counts: Object.assign({}, ...answers.map((answer) => answer.counts)) as ConsumerSeen["counts"],
    earlier: answers.flatMap((answer) => answer.earlier),
    purchases: newestPerBuyer(answers.flatMap((answer) => answer.purchases)),
    recent: distinctRecent(answers.flatMap((answer) => answer.recent)),
  };
}

/** The score's velocity input: absent when the lead had no key to look up. */
export function historyOf(keys: readonly ConsumerKey[], seen: ConsumerSeen): ConsumerHistory | undefined {
  if (keys.length === 0) return undefined;
  return { hours: VELOCITY_HOURS, phone: seen.counts.phone ?? 0, email: seen.counts.email ?? 0, ip: seen.counts.ip ?? 0 };
}

/** Which earlier lead this one duplicates, as the lead records it. */
export interface DuplicateOf {
  leadId: string;
  /** ISO-8601 UTC: when the earlier lead arrived. */
  receivedAt: string;
  /** The field the two leads share. */
  field: ConsumerField;
  action: DuplicateRule["action"];
}

/** The newest of the earlier leads the tree's rule matches, if any. */
export function duplicateOf(rule: DuplicateRule | undefined, earlier: readonly EarlierLead[]): DuplicateOf | undefined {
  if (!rule) return undefined;
  const match = earlier.filter((lead) => rule.fields.includes(lead.field)).reduce<EarlierLead | undefined>((newest, lead) => (newest && newest.at >= lead.at ? newest : lead), undefined);
  return match ? { leadId: match.leadId, receivedAt: new Date(match.at).toISOString(), field: match.field, action: rule.action } : undefined;
}

/** The tree's screening with its duplicate rule applied: a lead the tree already refused keeps that refusal; a flagged duplicate passes. */
export function screenDuplicate(screening: Screening, duplicate: DuplicateOf | undefined): Screening {
  if (screening.kind !== "pass" || duplicate?.action !== "decline") return screening;
  return { kind: "decline", rule: "duplicate", reason: `duplicate of lead ${duplicate.leadId} received ${duplicate.receivedAt} (same ${duplicate.field})` };
}

/** Why a lead point with `dedupeDays` may not have this consumer: its buyer bought it inside that window. */
export function dedupeRefusal(point: Pick<LeadPoint, "buyerId" | "dedupeDays">, purchases: readonly Purchase[], now: number): string | undefined {
  const days = point.dedupeDays;
  if (days === undefined) return undefined;
  const bought = purchases.find((purchase) => purchase.buyerId === point.buyerId && purchase.at > now - days * DAY_MS);
  if (!bought) return undefined;
  return `the buyer bought this consumer on ${new Date(bought.at).toISOString()}, inside its dedupeDays (${days})`;
}

/** How long a lead's arrivals are kept: the velocity window, or the tree's duplicate window when longer. */
export function arrivalKeepDays(rule: Pick<DuplicateRule, "days"> | undefined): number {
  return Math.min(MAX_CONSUMER_DAYS, Math.max(VELOCITY_HOURS / 24, rule?.days ?? 0));
}

/** What the consumer objects knew of a lead's consumer when it arrived: its keys to record a sale under, and who bought it before. */
export interface ConsumerFacts {
  keys: ConsumerKey[];
  purchases: Purchase[];
}
