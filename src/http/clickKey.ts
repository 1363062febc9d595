/**
 * The keys click ids are signed and checked with: the Worker secret
 * CLICK_SECRET (clickSecrets: the first signs, any of them checks), imported
 * once per isolate.
 */
import { clickKey, clickSecrets, isIssuedUnderAny } from "../core/click/clickId";
import { ApiError } from "./errors";

let imported: { setting: string; keys: Promise<CryptoKey[]> } | undefined;

function clickKeysOf(env: Pick<Env, "CLICK_SECRET">): Promise<CryptoKey[]> {
  const setting = env.CLICK_SECRET;
  const secrets = clickSecrets(setting);
  if (secrets.length === 0) throw new ApiError("unavailable", "Click tracking is not configured on this deployment: its CLICK_SECRET secret is not set.");
  if (imported?.setting !== setting) imported = { setting, keys: Promise.all(secrets.map(clickKey)) };
  return imported.keys;
}

/** The key new click ids are signed with: the first of CLICK_SECRET's. */
export async function clickKeyOf(env: Pick<Env, "CLICK_SECRET">): Promise<CryptoKey> {
  const [signing] = await clickKeysOf(env);
  return signing as CryptoKey;
}

/** For intake: whether a click id was issued here to this publisher, under any of CLICK_SECRET's secrets. */
export function issuedClickOf(env: Pick<Env, "CLICK_SECRET">, publisherId: string): (clickId: string) => Promise<boolean> {
  return async (clickId) => isIssuedUnderAny(await clickKeysOf(env), publisherId, clickId);
}
