/** The key click ids are signed and checked with: the Worker secret CLICK_SECRET, imported once per isolate. */
import { clickKey, isIssuedClickId } from "../core/click/clickId";
import { ApiError } from "./errors";

let imported: { secret: string; key: Promise<CryptoKey> } | undefined;

export function clickKeyOf(env: Pick<Env, "CLICK_SECRET">): Promise<CryptoKey> {
  const secret = env.CLICK_SECRET;
  if (!secret) throw new ApiError("unavailable", "Click tracking is not configured on this deployment: its CLICK_SECRET secret is not set.");
  if (imported?.secret !== secret) imported = { secret, key: clickKey(secret) };
  return imported.key;
}

/** For intake: whether a click id was issued here to this publisher. */
export function issuedClickOf(env: Pick<Env, "CLICK_SECRET">, publisherId: string): (clickId: string) => Promise<boolean> {
  return async (clickId) => isIssuedClickId(await clickKeyOf(env), publisherId, clickId);
}
