/**
 * The Worker's side of the consumer objects: a lead's phone, email and IP
 * keyed into HMAC-SHA256 hashes under the secret CONSUMER_KEY (so no object
 * holds them in the clear), one call to each object those keys land on at
 * admission (in parallel), and its sales noted there as soon as its gate
 * answers and remembered for good once the gate writes them to D1.
 */
import { toHex } from "../core/bytes";
import type { Tree } from "../core/config";
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
} from "../core/consumers";
import type { ConsumerHistory, LeadFields } from "../core/lead";
import type { ConsumerSale } from "../objects/consumers";
import type { LeadLogEntry } from "../store/leadLog";

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
  /** The objects that recorded the lead's arrival. */
  objects: number[];
}

/**
 * Records the lead's arrival with its consumer objects and answers what
 * they knew: one call per object, all at once. When the objects cannot be
 * asked, the lead goes on without (no velocity, no duplicate or dedupe
 * check): a consumer check never costs a lead its run.
 */
export async function checkConsumer(env: Env, arrival: ConsumerArrival): Promise<ConsumerCheck> {
  const values = consumerValues(arrival.fields, arrival.consentIp);
  const present = Object.entries(values) as [ConsumerField, string][];
  if (present.length === 0) return { earlier: [], objects: [] };
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
      objects: [...groups.keys()],
    };
  } catch (error) {
    console.error("consumer check failed; the lead goes on without it", arrival.leadId, error instanceof Error ? error.message : "unknown");
    return { earlier: [], objects: [] };
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
