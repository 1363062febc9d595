/**
 * `Idempotency-Key` on intake: the first request with a key runs; a repeat
 * with the same body gets the stored response (status, headers and body:
 * keptAnswer.ts); the same key with another body is 409. Keys are scoped to
 * the publisher and kept for a day in a gate object of the tree, so a retry
 * from any edge location meets the same record.
 */
import { leaseMsOf } from "../../core/config";
import { blindText, openText, sealValue } from "../../core/piiSeal";
import { gateAt, gateOfKey } from "../../exchange/gates";
import { piiKeysOf } from "../../exchange/piiKeys";
import type { TreeRecord } from "../../store/config";
import { ApiError } from "../errors";
import { keepAnswer, keepErrorBody, replayAnswer } from "./keptAnswer";

const MAX_KEY_LENGTH = 255;
/** Beyond the run's lease: the time to answer the publisher and end the record. */
const IDEMPOTENCY_LEASE_SLACK_MS = 5_000;

export interface IdempotentRequest {
  tree: TreeRecord;
  publisherId: string;
  key: string;
  body: Record<string, unknown>;
}

export async function idempotent(env: Env, request: IdempotentRequest, run: () => Promise<Response>): Promise<Response> {
  if (request.key.length === 0 || request.key.length > MAX_KEY_LENGTH) {
    throw new ApiError("bad_request", `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`);
  }
  const scope = `idempotency|${request.publisherId}|${request.key}`;
  const { tree } = request;
  const gate = gateAt(env, await gateOfKey(env, tree, scope));
  // The body is the consumer's PII, so the record keeps a keyed digest of it: a plain SHA-256 would let
  // anyone who reads the gate's storage confirm a guessed lead. The blinding key outlives PII_KEY rotations.
  const keys = await piiKeysOf(env);
  const bodyDigest = await blindText(keys, `${tree.id}\n${JSON.stringify(request.body)}`);
  // The record is held as long as the lead's run may take; past that, a retry runs again.
  const check = await gate.idempotencyBegin(scope, bodyDigest, leaseMsOf(tree) + IDEMPOTENCY_LEASE_SLACK_MS);
  if (check.kind === "conflict") throw new ApiError("conflict", `${check.reason[0]?.toUpperCase()}${check.reason.slice(1)}.`);
  // The kept answer rests sealed: a winning buyer's redirect URL, in its body or its Location, may carry the consumer's details.
  if (check.kind === "replay") {
    return replayAnswer(check.status, await openText(keys, check.body));
  }
  let response: Response;
  try {
    response = await run();
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      await gate.idempotencyEnd(scope, error.status, await sealValue(keys, keepErrorBody(error.body())));
    } else {
      // A failure on our side is not an answer to keep: a retry with the key runs again.
      await gate.idempotencyEnd(scope, 0, null);
    }
    throw error;
  }
  await gate.idempotencyEnd(scope, response.status, response.status < 500 ? await sealValue(keys, await keepAnswer(response)) : null);
  return response;
}
