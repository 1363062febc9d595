/**
 * The keys PII is sealed and opened with: the Worker secret PII_KEY, parsed
 * and imported once per isolate (again only when the secret changes). A
 * missing or malformed PII_KEY throws PiiKeyError, which the API answers
 * 503 with its message: PII is never stored in the clear instead.
 */
import { importPiiKeys, openBuyerAnswers, openPii, type BuyerAnswers, type LeadPii, type PiiKeyring } from "../core/piiSeal";

let imported: { secret: string | undefined; ring: Promise<PiiKeyring> } | undefined;

export function piiKeysOf(env: Pick<Env, "PII_KEY">): Promise<PiiKeyring> {
  const secret = env.PII_KEY as string | undefined;
  if (!imported || imported.secret !== secret) imported = { secret, ring: importPiiKeys(secret) };
  return imported.ring;
}

/** A stored lead's PII opened, for the few readers allowed to see it: the operator's lead view and the buyer that bought it. */
export async function openStored<T extends LeadPii & BuyerAnswers>(env: Pick<Env, "PII_KEY">, stored: T): Promise<T> {
  const ring = await piiKeysOf(env);
  return openPii(ring, await openBuyerAnswers(ring, stored));
}

/** A lead's answer (or its publisher's view of it) with the winning buyer's redirect URL opened, which the gate keeps sealed (sealPostAnswer). */
export async function openAnswer<T extends Pick<BuyerAnswers, "redirectUrl">>(env: Pick<Env, "PII_KEY">, answer: T): Promise<T> {
  return answer.redirectUrl === undefined ? answer : openBuyerAnswers(await piiKeysOf(env), answer);
}
