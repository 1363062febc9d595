/**
 * The keys PII is sealed and opened with: the Worker secret PII_KEY, parsed
 * and imported once per isolate (again only when the secret changes). A
 * missing or malformed PII_KEY throws PiiKeyError, which the API answers
 * 503 with its message: PII is never stored in the clear instead.
 */
import { importPiiKeys, openPii, type LeadPii, type PiiKeyring } from "../core/piiSeal";

let imported: { secret: string | undefined; ring: Promise<PiiKeyring> } | undefined;

export function piiKeysOf(env: Pick<Env, "PII_KEY">): Promise<PiiKeyring> {
  const secret = env.PII_KEY as string | undefined;
  if (!imported || imported.secret !== secret) imported = { secret, ring: importPiiKeys(secret) };
  return imported.ring;
}

/** A stored lead's PII opened, for the few readers allowed to see it: the operator's lead view and the buyer that bought it. */
export async function openStored<T extends LeadPii>(env: Pick<Env, "PII_KEY">, stored: T): Promise<T> {
  return openPii(await piiKeysOf(env), stored);
}
