/**
 * PII at rest: every personal value of a lead is stored as an envelope,
 * `enc:v1:<keyId>:<base64 iv>:<base64 ciphertext>`, AES-256-GCM over the
 * value's JSON (so a number or a yes/no comes back as one). The keys are a
 * comma-separated list `<keyId>:<base64 32 bytes>`: the first seals new
 * values, every one opens, so a key is rotated by putting the new one first
 * and keeping the old ones until what they sealed is re-sealed (resealPii)
 * or erased. WebCrypto is the platform's, as for click ids: no I/O here.
 *
 * Personal values are the standard PII fields, the tree's `pii: true` fields,
 * the consent record's text, IP and user agent, and the details of the score
 * signals (they quote the phone, the IPs, the birth date). A value that
 * merely looks like an envelope is sealed too, so every envelope at rest is
 * one of ours.
 */
import type { PostAttempt } from "./attempt";
import { fromBase64, toBase64 } from "./bytes";
import type { Consent, FieldValue, Lead, LeadFields, ScoreSignal } from "./lead";
import { isPiiField } from "./pii";
import type { FieldSpec } from "./config";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How every envelope starts. */
export const ENVELOPE_PREFIX = "enc:v1:";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;

/** PII_KEY is missing, malformed, or lacks the key a stored value names: a configuration fault, not bad input. */
export class PiiKeyError extends Error {
  override readonly name = "PiiKeyError";
}

/** A stored value that does not open under its key (altered, or not one of ours). */
export class PiiSealError extends Error {
  override readonly name = "PiiSealError";
}

export interface PiiKeyring {
  /** The id new values are sealed under. */
  current: string;
  keys: ReadonlyMap<string, CryptoKey>;
  /**
   * HMAC-SHA-256 key for what must be compared rather than read (a unique-lead
   * key made of PII), derived by HKDF from the LAST key: putting a new key
   * first leaves it as it was, so such keys still match across a rotation.
   */
  blind: CryptoKey;
}

/** Parses and imports PII_KEY; throws PiiKeyError naming what is wrong. */
export async function importPiiKeys(secret: string | undefined): Promise<PiiKeyring> {
  if (!secret?.trim()) throw new PiiKeyError("PII encryption is not configured on this deployment: its PII_KEY secret is not set.");
  const parsed = secret.split(",").map((entry, i) => {
    const [id = "", base64 = "", ...rest] = entry.trim().split(":");
    if (!KEY_ID.test(id) || rest.length) throw new PiiKeyError(`PII_KEY entry ${i + 1} is not <keyId>:<base64 32-byte key> (a key id is 1–32 of A–Z a–z 0–9 _ -).`);
    const raw = fromBase64(base64);
    if (raw?.length !== 32) throw new PiiKeyError(`PII_KEY key ${id} is not 32 bytes of base64.`);
    return { id, raw };
  });
  const ids = parsed.map((key) => key.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new PiiKeyError(`PII_KEY names key ${repeated} twice.`);
  const imported = await Promise.all(parsed.map(async ({ id, raw }) => [id, await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"])] as const));
  const last = await crypto.subtle.importKey("raw", (parsed.at(-1) as { raw: Uint8Array }).raw, "HKDF", false, ["deriveKey"]);
  const blind = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: encoder.encode("leadtree-blind-v1") },
    last,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
  return { current: ids[0] as string, keys: new Map(imported), blind };
}

/** A keyed digest of `text`: equal texts give equal digests, and the digest shows nothing of the text. */
export async function blindText(ring: PiiKeyring, text: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", ring.blind, encoder.encode(text));
  return toBase64(new Uint8Array(mac)).replace(/=+$/, "");
}

export function isSealed(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(ENVELOPE_PREFIX);
}

export async function sealValue(ring: PiiKeyring, value: FieldValue): Promise<string> {
  const key = ring.keys.get(ring.current) as CryptoKey;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(JSON.stringify(value)));
  return `${ENVELOPE_PREFIX}${ring.current}:${toBase64(iv)}:${toBase64(new Uint8Array(ciphertext))}`;
}

export async function openValue(ring: PiiKeyring, envelope: string): Promise<FieldValue> {
  const [keyId = "", ivText = "", ciphertextText = "", ...rest] = envelope.slice(ENVELOPE_PREFIX.length).split(":");
  const iv = fromBase64(ivText);
  const ciphertext = fromBase64(ciphertextText);
  if (!isSealed(envelope) || rest.length || iv?.length !== IV_BYTES || !ciphertext) throw new PiiSealError("a stored PII value is not a well-formed envelope");
  const key = ring.keys.get(keyId);
  if (!key) throw new PiiKeyError(`A stored PII value is sealed under key ${keyId}, which PII_KEY no longer has: add it back (after the current key) to read it.`);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ciphertext);
  } catch {
    throw new PiiSealError(`a stored PII value does not open under key ${keyId}: it was altered`);
  }
  return JSON.parse(decoder.decode(plain)) as FieldValue;
}

/** A text sealed as sealValue keeps it, opened; a text that is no envelope (the exchange's own, or stored before sealing) passes as it is. */
export async function openText(ring: PiiKeyring, text: string): Promise<string> {
  return isSealed(text) ? String(await openValue(ring, text)) : text;
}

/**
 * What a buyer answers to a post rests sealed as well: its redirect URL is
 * often a prefilled page whose query carries the consumer's name, email or
 * phone, and its reason for refusing the lead may quote them. A ping carries
 * no PII, so what a buyer says to one is kept as it is.
 */
export async function sealPostAnswer(ring: PiiKeyring, attempt: PostAttempt): Promise<PostAttempt> {
  if (attempt.kind === "accepted" && attempt.redirectUrl) return { ...attempt, redirectUrl: await sealValue(ring, attempt.redirectUrl) };
  if (attempt.kind === "rejected" && attempt.reason) return { ...attempt, reason: await sealValue(ring, attempt.reason) };
  return attempt;
}

/**
 * Where a view of a lead holds a buyer's words, sealed (sealPostAnswer, and
 * a return's reason): the publisher's answer, the operator's lead with its
 * sales and trace, a buyer's bought lead with its return.
 */
export interface BuyerAnswers {
  redirectUrl?: string;
  sales?: { redirectUrl?: string }[];
  trace?: { reason?: string }[];
  return?: { reason?: string };
}

/** `view` with the buyers' redirect URLs and reasons opened, wherever it holds them. */
export async function openBuyerAnswers<T extends BuyerAnswers>(ring: PiiKeyring, view: T): Promise<T> {
  const opened = async <P extends Partial<Record<K, string>>, K extends "redirectUrl" | "reason">(part: P, key: K): Promise<P> => {
    const value = part[key];
    return value === undefined ? part : { ...part, [key]: await openText(ring, value) };
  };
  const [top, sales, trace, returned] = await Promise.all([
    opened(view, "redirectUrl"),
    view.sales && Promise.all(view.sales.map((sale) => opened(sale, "redirectUrl"))),
    view.trace && Promise.all(view.trace.map((entry) => opened(entry, "reason"))),
    view.return && opened(view.return, "reason"),
  ]);
  return { ...top, ...(sales ? { sales } : {}), ...(trace ? { trace } : {}), ...(returned ? { return: returned } : {}) };
}

/** The parts of a lead that hold personal values, as they are stored and read (a buyer's read has no signals). */
export interface LeadPii {
  fields: LeadFields;
  consent: Consent;
  signals?: ScoreSignal[];
}

declare const sealedBrand: unique symbol;
/** A lead whose personal values are envelopes: the only shape the gate's log and D1 take. */
export type SealedLead = Lead & { readonly [sealedBrand]: true };

const consentPii = ["text", "ip", "userAgent"] as const;

/** Seals a lead's PII: a few AES-GCM operations, done once per lead; the log and D1 both store the result. */
export async function sealLead(ring: PiiKeyring, lead: Lead, specs: readonly Pick<FieldSpec, "name" | "pii">[]): Promise<SealedLead> {
  const seal = (value: FieldValue) => sealValue(ring, value);
  const sealed = await mapPii(lead, (name, value) => isPiiField(name, specs) || isSealed(value), () => true, seal);
  return { ...lead, ...sealed } as SealedLead;
}

/** Opens whatever of `pii` is sealed; a value stored before sealing existed passes as it is. */
export async function openPii<T extends LeadPii>(ring: PiiKeyring, pii: T): Promise<T> {
  const opened = await mapPii(pii, (_name, value) => isSealed(value), isSealed, (value) => openValue(ring, value as string));
  return { ...pii, ...opened };
}

/**
 * Brings stored PII to the current key: what an older key sealed is sealed
 * again (a rotation's catch-up), and what was stored in the clear before
 * sealing existed is sealed; what the current key sealed stays as it is.
 */
export async function resealPii<T extends LeadPii>(ring: PiiKeyring, pii: T, specs: readonly Pick<FieldSpec, "name" | "pii">[]): Promise<T> {
  const current = `${ENVELOPE_PREFIX}${ring.current}:`;
  const due = (value: FieldValue) => !(typeof value === "string" && value.startsWith(current));
  const reseal = async (value: FieldValue) => sealValue(ring, isSealed(value) ? await openValue(ring, value) : value);
  const resealed = await mapPii(pii, (name, value) => (isSealed(value) || isPiiField(name, specs)) && due(value), due, reseal);
  return { ...pii, ...resealed };
}

/** How a stored value sealed under key `keyId` starts: what a query looks for to find them. */
export function sealedPrefix(keyId: string): string {
  return `${ENVELOPE_PREFIX}${keyId}:`;
}

/** The lead a run works with: its PII in the clear, in memory only. */
export function openLead(ring: PiiKeyring, lead: SealedLead): Promise<Lead> {
  return openPii<Lead>(ring, lead);
}

/** Changes the fields `field` picks, and the consent's text, IP and user agent and the signals' details that `text` picks. */
async function mapPii(
  pii: LeadPii,
  field: (name: string, value: FieldValue) => boolean,
  text: (value: string) => boolean,
  change: (value: FieldValue) => Promise<FieldValue>,
): Promise<LeadPii> {
  const changeText = async (value: string) => (text(value) ? String(await change(value)) : value);
  const consentEntries = consentPii.flatMap((name) => {
    const value = pii.consent[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  const [fields, consentValues, signals] = await Promise.all([
    Promise.all(Object.entries(pii.fields).map(async ([name, value]) => [name, field(name, value) ? await change(value) : value] as const)),
    Promise.all(consentEntries.map(async ([name, value]) => [name, await changeText(value)] as const)),
    pii.signals && Promise.all(pii.signals.map(async (signal) => ({ ...signal, detail: await changeText(signal.detail) }))),
  ]);
  return { fields: Object.fromEntries(fields), consent: { ...pii.consent, ...Object.fromEntries(consentValues) }, ...(signals ? { signals } : {}) };
}

