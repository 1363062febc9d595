/**
 * The Worker's side of the consumer objects: a lead's phone, email and IP
 * keyed into HMAC-SHA256 hashes under the secret CONSUMER_KEY (so no object
 * holds them in the clear), one call to each object those keys land on at
 * admission (in parallel), and its sales noted there as soon as its gate
 * answers and remembered for good once the gate writes them to D1.
 */
import { toHex } from "../core/bytes";
import type { Tree } from "../core/config";
import { gateAddressOfLead } from "../core/gateAddress";
import {
  arrivalKeepDays,
  consumerIndex,
  consumerObjectName,
  consumerShards,
  consumerValues,
  historyOf,
  mergeSeen,
  purchaseFields,
  type ConsumerField,
  type ConsumerFacts,
  type ConsumerKey,
  type ConsumerSeen,
  type EarlierLead,
  type Purchase,
  type RecentLead,
} from "../core/consumers";
import type { ConsumerHistory, Lead, LeadFields } from "../core/lead";
import type { TreePoint } from "../core/tree";
import type { ConsumerSale } from "../objects/consumers";
import type { LeadLogEntry } from "../store/leadLog";
import { gateAt } from "./gates";

const encoder = new TextEncoder();
let imported: { secret: string; key: Promise<CryptoKey> } | undefined;

function consumerKeyOf(env: Pick<Env, "CONSUMER_KEY">): Promise<CryptoKey> {
  const secret = env.CONSUMER_KEY;
  if (!secret) throw new Error("the CONSUMER_KEY secret is not set");
  if (imported?.secret !== secret) {
    imported = { secret, key: crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]) };
  }
  return imported.key;
}

/** The keyed hash of `value` as `kind` (the kind keeps a phone and an email from ever sharing a hash). */
async function keyedHash(key: CryptoKey, kind: string, value: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${kind}:${value}`));
  return toHex(mac);
}

export interface ConsumerArrival {
  tree: Pick<Tree, "id" | "duplicates">;
  leadId: string;
  /** The lead's unique-lead key (which may hold PII: it is hashed too). */
  uniqueKey: string;
  fields: LeadFields;
  consentIp: string;
  at: number;
}

export interface ConsumerCheck {
  history?: ConsumerHistory;
  consumer?: ConsumerFacts;
  earlier: EarlierLead[];
  /** Earlier leads of the phone or email that may still be running, newest first (ConsumerSeen.recent). */
  recent: RecentLead[];
  /** The objects that recorded the lead's arrival. */
  objects: number[];
}

/**
 * How long a lead waits for a running earlier lead of its consumer (a
 * typical auction ends within a second or two); past it the lead goes on
 * with what is known, so a slow tree delays no other tree's lead for long.
 */
export const EARLIER_LEAD_WAIT_MS = 5_000;
/**
 * The newest earlier leads asked of their gates: older ones have ended and
 * their sales reached the objects. Each call is a subrequest of the intake's
 * invocation, so the asking stays well inside its budget.
 */
const EARLIER_LEADS_ASKED = 4;
/** A lead not in its gate this long after its arrival never reached it (intake refused it, or its gate call failed). */
const ADMISSION_GRACE_MS = 2_000;
/** The first wait before a lead not yet in its gate is asked for again; each next wait doubles (at most seven calls in all). */
const ADMISSION_FIRST_WAIT_MS = 25;

/**
 * Records the lead's arrival with its consumer objects and answers what
 * they knew: one call per object, all at once. When the objects cannot be
 * asked, the lead goes on without (no velocity, no duplicate or dedupe
 * check): a consumer check never costs a lead its run.
 */
export async function checkConsumer(env: Env, arrival: ConsumerArrival): Promise<ConsumerCheck> {
  const values = consumerValues(arrival.fields, arrival.consentIp);
  const present = Object.entries(values) as [ConsumerField, string][];
  if (present.length === 0) return { earlier: [], recent: [], objects: [] };
  try {
    const key = await consumerKeyOf(env);
    const [leadKey, ...hashes] = await Promise.all([keyedHash(key, "lead", arrival.uniqueKey), ...present.map(([field, value]) => keyedHash(key, field, value))]);
    const keys: ConsumerKey[] = present.map(([field], i) => ({ field, hash: hashes[i] as string }));
    const shards = consumerShards(env.CONSUMER_SHARDS);
    const groups = groupByObject(keys, shards);
    const answers = await Promise.all(
      [...groups].map(([index, share]): Promise<ConsumerSeen> =>
        env.CONSUMERS.getByName(consumerObjectName(index)).visit({
          keys: share,
          treeId: arrival.tree.id,
          leadId: arrival.leadId,
          leadKey: leadKey as string,
          at: arrival.at,
          ...(arrival.tree.duplicates ? { duplicates: arrival.tree.duplicates } : {}),
          keepDays: arrivalKeepDays(arrival.tree.duplicates),
        }),
      ),
    );
    const seen = mergeSeen(answers);
    const history = historyOf(keys, seen);
    return {
      ...(history ? { history } : {}),
      consumer: { keys: keys.filter((k) => purchaseFields.includes(k.field)), purchases: seen.purchases },
      earlier: seen.earlier,
      recent: seen.recent,
      objects: [...groups.keys()],
    };
  } catch (error) {
    console.error("consumer check failed; the lead goes on without it", arrival.leadId, error instanceof Error ? error.message : "unknown");
    return { earlier: [], recent: [], objects: [] };
  }
}

/** Whether any of a tree's lead points keeps dedupeDays: only then does who bought the consumer matter to a run. */
export function dedupesAny(points: ReadonlyMap<string, Pick<TreePoint, "dedupeDays">>): boolean {
  for (const point of points.values()) if (point.dedupeDays !== undefined) return true;
  return false;
}

/**
 * A logged lead's consumer as it is now, for its later run (a held lead's
 * next cycle, a recovered run): the purchases made since it arrived, and the
 * sales of the consumer's other leads running at this moment
 * (withEarlierSales). When the objects cannot be asked, the lead runs with
 * what it knew.
 */
export async function currentConsumer(env: Env, lead: Lead): Promise<Lead> {
  const facts = lead.consumer;
  if (!facts?.keys.length) return lead;
  try {
    const groups = groupByObject(facts.keys, consumerShards(env.CONSUMER_SHARDS));
    const at = Date.now();
    const answers = await Promise.all([...groups].map(([index, keys]) => env.CONSUMERS.getByName(consumerObjectName(index)).recheck({ keys, treeId: lead.treeId, leadId: lead.id, at })));
    const seen = mergeSeen(answers);
    return { ...lead, consumer: await withEarlierSales(env, { keys: facts.keys, purchases: [...facts.purchases, ...seen.purchases] }, seen.recent) };
  } catch (error) {
    console.error("consumer recheck failed; the run uses what the lead knew", lead.id, error instanceof Error ? error.message : "unknown");
    return lead;
  }
}

/**
 * The consumer's facts with the sales of its recent earlier leads added to
 * its purchases, as their gates know them: an earlier lead still being sold
 * (its auction overlaps this one) is waited for, and a sale whose note is
 * still on its way to the objects is known there first. So two leads of one
 * consumer from two trees are sold one after the other, and a buyer that
 * bought the first is not offered the second. Only a lead whose tree has a
 * lead point with dedupeDays needs it (the caller decides).
 */
export async function withEarlierSales(env: Env, facts: ConsumerFacts, recent: readonly RecentLead[], waitMs = EARLIER_LEAD_WAIT_MS): Promise<ConsumerFacts> {
  const sales = await Promise.all(recent.slice(0, EARLIER_LEADS_ASKED).map((lead) => salesOfLead(env, lead, waitMs)));
  return { ...facts, purchases: [...facts.purchases, ...sales.flat()] };
}

/**
 * The buyers an earlier lead sold to, from its gate (its id names it);
 * nothing when it is still open or the gate cannot be asked. A lead that
 * arrived a moment ago may not be in its gate yet (it is scored and sealed
 * between its visit and its admission), so its gate is asked again for a
 * short while before the lead counts as one that never reached it.
 */
async function salesOfLead(env: Env, { leadId, at }: RecentLead, waitMs: number): Promise<Purchase[]> {
  const address = gateAddressOfLead(leadId);
  if (!address) return [];
  try {
    const gate = gateAt(env, address);
    let sales = await gate.leadSales(leadId, waitMs);
    for (let wait = ADMISSION_FIRST_WAIT_MS; sales.kind === "unknown" && Date.now() + wait < at + ADMISSION_GRACE_MS; wait *= 2) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      sales = await gate.leadSales(leadId, waitMs);
    }
    return sales.kind === "settled" ? sales.buyerIds.map((buyerId) => ({ buyerId, at: sales.at })) : [];
  } catch (error) {
    console.error("earlier lead's sales not known; the lead goes on without them", leadId, error instanceof Error ? error.message : "unknown");
    return [];
  }
}

/** Takes back the arrival of a lead intake refused after its check, so no later lead is called its duplicate. */
export async function forgetArrival(env: Env, leadId: string, check: Pick<ConsumerCheck, "objects">): Promise<void> {
  try {
    await Promise.all(check.objects.map((index) => env.CONSUMERS.getByName(consumerObjectName(index)).forget(leadId)));
  } catch (error) {
    console.error("consumer arrival not forgotten", leadId, error instanceof Error ? error.message : "unknown");
  }
}

function groupByObject(keys: readonly ConsumerKey[], shards: number): Map<number, ConsumerKey[]> {
  const groups = new Map<number, ConsumerKey[]>();
  for (const key of keys) {
    const index = consumerIndex(key.hash, shards);
    groups.set(index, [...(groups.get(index) ?? []), key]);
  }
  return groups;
}

type SoldEntry = Pick<LeadLogEntry, "lead" | "sales" | "completedAt">;

/**
 * Remembers the buyers of every sold lead in `entries` under its
 * consumer's phone and email, in the objects those keys live in: one call
 * per object for the whole batch. Idempotent, so the gate's outbox calls it with every batch it
 * writes (retries included) and a sale is remembered at least once.
 */
export async function recordConsumerSales(env: Env, entries: readonly SoldEntry[]): Promise<void> {
  await Promise.all([...salesByObject(env, entries)].map(([index, sales]) => env.CONSUMERS.getByName(consumerObjectName(index)).recordSales(sales)));
}

/** Tells the objects of sold leads' consumers of the sales at once, ahead of recordConsumerSales (ConsumerLedger.noteSales). */
export async function noteConsumerSales(env: Env, entries: readonly SoldEntry[]): Promise<void> {
  await Promise.all([...salesByObject(env, entries)].map(([index, sales]) => env.CONSUMERS.getByName(consumerObjectName(index)).noteSales(sales)));
}

function salesByObject(env: Env, entries: readonly SoldEntry[]): Map<number, ConsumerSale[]> {
  const shards = consumerShards(env.CONSUMER_SHARDS);
  const byObject = new Map<number, ConsumerSale[]>();
  for (const { lead, sales, completedAt } of entries) {
    if (sales.length === 0 || !lead.consumer?.keys.length) continue;
    const buyerIds = [...new Set(sales.map((sale) => sale.buyerId))];
    for (const [index, share] of groupByObject(lead.consumer.keys, shards)) {
      byObject.set(index, [...(byObject.get(index) ?? []), { hashes: share.map((k) => k.hash), leadId: lead.id, buyerIds, at: Date.parse(completedAt) }]);
    }
  }
  return byObject;
}
