/**
 * `intake.requireClickId`: the tree takes only leads whose click id this
 * exchange issued to their publisher (GET /v1/click). Proving a click id is
 * asynchronous (an HMAC, core/click/clickId.ts), so it runs after
 * parseSubmission and adds its error to the others: the publisher still
 * hears of every problem at once.
 */
import type { Tree } from "../config";
import type { FieldError, SubmissionMeta } from "../lead";

/** A parsed submission or ping: what the check reads and adds its error to. */
type Parsed = { ok: true; meta: SubmissionMeta } | Refused;
type Refused = { ok: false; errors: FieldError[]; meta: SubmissionMeta };

export const notIssuedMessage = "is not a click id this exchange issued to this publisher (GET /v1/click/{publisherId})";

export async function requireIssuedClick<P extends Parsed>(
  parsed: P,
  intake: Pick<Tree["intake"], "requireClickId">,
  isIssued: (clickId: string) => Promise<boolean>,
): Promise<P | Refused> {
  const { clickId } = parsed.meta;
  // A missing click id is already reported by parseSubmission (or parsePing) as required.
  if (!intake.requireClickId || clickId === undefined || (await isIssued(clickId))) return parsed;
  const error = { path: "clickId", message: notIssuedMessage };
  return { ok: false, errors: parsed.ok ? [error] : [...parsed.errors, error], meta: parsed.meta };
}
