/**
 * Inbound ping-post for publishers: `POST /v1/trees/:treeId/pings` runs the
 * tree's auction on the lead minus its PII and reserves the ranked bids;
 * `POST /v1/trees/:treeId/posts` brings the whole lead with the `pingId` and
 * posts it to them (exchange/pingPost.ts, core/pingPost.ts). The post is
 * validated as a submission is (leads.ts) and answered as one.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pingAddress, type PingAddress } from "../../core/gateAddress";
import { parsePing } from "../../core/intake";
import { requireIssuedClick } from "../../core/intake/issuedClick";
import { ownLeadKey, type KeyedLead } from "../../core/uniqueLead";
import { pingFields } from "../../core/pii";
import { scoreLead } from "../../core/score";
import { screenLead } from "../../core/screen";
import { isPingRefusal, pingLead, postPingedLead } from "../../exchange/pingPost";
import { patternKeyOf, type LeadDraft } from "../../exchange/submit";
import type { PingRefusal } from "../../objects/gate";
import type { PingedLead } from "../../objects/gate/pings";
import type { Publisher } from "../../store/config";
import type { TreeSnapshot } from "../../store/configCache";
import { servicesOf } from "../../store/services";
import { TreeIdParam } from "../admin/schemas";
import { authenticatePublisher } from "../auth";
import { issuedClickOf } from "../clickKey";
import { ApiError } from "../errors";
import { errorAnswer, jsonAnswer, publisherRoute } from "../operations";
import type { AppEnv } from "../router";
import { answerPublisher, type IntakeOutcome } from "./answer";
import { idempotent } from "./idempotency";
import { intakeRecord, outcomeOf, prepareLead, readBody, requireOpen } from "./leads";
import { IdempotencyHeader, IntakeBadRequestSchema, LeadAnswerSchema, SubmissionSchema } from "./schemas";

const PingAnswerSchema = z
  .object({
    pingId: z.string().describe("Send it with the post. It names the gate holding the reserved bids: `pg_<token>.<treeId>.<shard>`."),
    status: z.enum(["accepted", "declined"]).describe("accepted: bids are reserved for the post; declined: no buyer bid (or the lead is a duplicate, or the tree's filters or score floor refuse it), nothing is held."),
    payoutCents: z.number().int().min(0).describe("What the publisher is paid if the best reserved bid takes the post (0 when declined). A lower bid may take it when the best refuses."),
    expiresAt: z.string().describe("ISO-8601 UTC: the bids are held until then (the tree's pingPost.expiresSeconds, 60 s by default)."),
  })
  .openapi("PingAnswer");

const PingSchema = z
  .looseObject({
    zip: z.string().optional(),
    state: z.string().optional(),
    clickId: z.string().optional().describe("Alias c. The post must repeat it."),
  })
  .describe("The lead's fields without PII (no firstName, lastName, email, phone, address, dateOfBirth, ip, no consent record, no tree field marked pii), plus clickId and subId…subId3.")
  .openapi("PingSubmission");

const PostSchema = SubmissionSchema.extend({ pingId: z.string().describe("The ping's id, as its answer gave it.") }).openapi("PostSubmission");

/** The consent of a ping: it has none (the consumer's consent text is PII and comes with the post); a record that raises no score signal. */
const NO_CONSENT = { text: "", ip: "", timestamp: "" };

/** The ping's and the post's fields as a ping carries them, with the tracking ids: what the two must agree on. */
function pingedOf(draft: Pick<LeadDraft, "fields" | "clickId" | "subId" | "subId2" | "subId3">, tree: TreeSnapshot["tree"]): PingedLead {
  const meta = Object.fromEntries((["clickId", "subId", "subId2", "subId3"] as const).flatMap((name) => (draft[name] === undefined ? [] : [[name, draft[name]]])));
  return { fields: pingFields(draft.fields, tree.fields), meta };
}

async function publisherAndTree(c: Context<AppEnv>, raw: Record<string, unknown>): Promise<{ publisher: Publisher; snapshot: TreeSnapshot }> {
  const services = servicesOf(c.env);
  const publisher = await authenticatePublisher(c, services, raw);
  const treeId = c.req.param("treeId") ?? "";
  const snapshot = await services.config.tree(services.db, treeId);
  if (!snapshot) throw new ApiError("not_found", `Ping tree ${treeId} does not exist.`);
  return { publisher, snapshot };
}

export function registerPingPost(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(
    publisherRoute({
      method: "post",
      path: "/trees/{treeId}/pings",
      operationId: "submitPing",
      summary: "Ping with a lead minus its PII and get the payout its best bid would pay",
      description: [
        "Inbound ping-post, first half. The tree's auction tiers run on the lead without its PII, as for a submission up to the first post: every eligible buyer is pinged, the bids are ranked, and they are reserved for this ping until `expiresAt`. Tiers of the other modes post between their pings, so a ping passes them by; a buyer priced by its post's answer (a dynamic direct post) cannot be reserved either.",
        "The fields are validated as at /leads (a malformed ZIP is a 400 naming `zip`, `city` and `state` come from the ZIP), except that no PII is required and none may be sent: a ping carrying firstName, lastName, email, phone, address, dateOfBirth, ip, a consent record or a tree field marked `pii` is a 400 naming each. With `intake.requireClickId` the click id is required and proved here.",
        "The answer is JSON whatever the tree's `response.mode` (a ping is a server's call); the post's answer follows the mode.",
        "A ping reserves bids, not caps: caps are reserved when the post is posted, as in any run. Nothing is written to the ledger or to reports by a ping; a ping that is never posted sells and bills nothing. A ping whose unique-lead key already has its answer in the tree's window (a resubmitted click id) is declined without pinging anyone.",
      ].join("\n\n"),
      request: {
        params: TreeIdParam,
        body: { required: true, content: { "application/json": { schema: PingSchema }, "application/x-www-form-urlencoded": { schema: z.record(z.string(), z.string()) } } },
      },
      responses: {
        200: jsonAnswer("The ping's reservation", PingAnswerSchema),
        400: errorAnswer("The ping carries PII, or a field is not valid (each named), or the body cannot be read"),
        404: errorAnswer("No such tree"),
        413: errorAnswer("The body is larger than 64 KiB"),
        415: errorAnswer("Neither JSON nor form-encoded"),
        422: errorAnswer("The tree is disabled"),
        503: errorAnswer("The ping could not be run now; ping again"),
      },
    }),
  );
  app.post("/trees/:treeId/pings", async (c) => {
    const raw = await readBody(c);
    const { publisher, snapshot } = await publisherAndTree(c, raw);
    const { tree } = snapshot;
    requireOpen(c, tree);
    const now = new Date();
    const { api_key: _key, ...body } = raw;
    const parsed = await requireIssuedClick(parsePing(intakeRecord(c, body, tree.intake), tree, now), tree.intake, issuedClickOf(c.env, publisher.id));
    if (!parsed.ok) throw new ApiError("validation_failed", "The ping is not valid.", parsed.errors);
    const services = servicesOf(c.env);
    const weights = await services.scoreWeights.active(services.db);
    const consent = { ...NO_CONSENT, timestamp: now.toISOString() };
    const { score, signals, weightsVersion } = scoreLead({ fields: parsed.fields, meta: parsed.meta, consent, treeFields: tree.fields }, now, weights);
    const draft: LeadDraft = {
      treeId: tree.id,
      treeVersion: tree.version,
      vertical: tree.vertical,
      publisherId: publisher.id,
      ...parsed.meta,
      fields: parsed.fields,
      consent: { ...consent, textSha256: "" },
      score,
      signals,
      scoreWeightsVersion: weightsVersion,
      receivedAt: now.toISOString(),
    };
    const screening = screenLead(tree, draft);
    if (screening.kind === "error") throw new ApiError("validation_failed", screening.errors[0]?.message ?? "The ping is not valid.", screening.errors);
    try {
      return c.json(await pingLead(c.env, { snapshot, publisher, draft, screening, pinged: pingedOf(draft, tree) }), 200);
    } catch (error) {
      console.error("ping failed", tree.id, error instanceof Error ? error.message : "unknown");
      throw new ApiError("unavailable", "The ping could not be run now; ping again.");
    }
  });

  app.openAPIRegistry.registerPath(
    publisherRoute({
      method: "post",
      path: "/trees/{treeId}/posts",
      operationId: "submitPingedLead",
      summary: "Post the whole lead for a ping and get the outcome, as for a submitted lead",
      description: [
        "Inbound ping-post, second half. The body is the whole lead as for /leads, validated by the same rules (consent, `intake.requireClickId`, the tree's filters), plus the `pingId`. The lead is posted to the ping's reserved bids in their order, best first, with each buyer's pingToken; a buyer that refuses, times out, is no longer eligible (disabled, its filters or minScore on the whole lead, one-to-one consent) or whose cap filled since the ping is passed over, and the next bid gets the post. The lead's id is the one the ping foretold, its trace holds the ping's attempts then the posts, and it is settled, billed, reported and posted back as any lead.",
        "The non-PII fields and tracking ids (clickId, subId…) must be the same as in the ping, since the buyers bid on them: any that differs, or that only one of the two has, is a 422 `ping_mismatch` naming each (the ping stays reserved, so a corrected post may follow).",
        "A post whose click id (the tree's unique-lead key) got its answer since the ping, e.g. from the same lead submitted to /leads, gets that answer, as a resubmit would, and sells nothing more.",
        "A ping is posted once. A second post of it, concurrent or later, is a 409 `ping_used` naming the lead the first made (read its outcome at /v1/leads/{leadId}, or send an Idempotency-Key to have a retry replay the first answer). A post after `expiresAt` is a 409 `ping_expired` (told apart from an unknown ping for an hour after it expired); a post of a declined ping, which reserved nothing, is a 409 `conflict`; a ping id that is malformed, of another tree or another publisher, or unknown is a 404.",
      ].join("\n\n"),
      request: {
        params: TreeIdParam,
        headers: IdempotencyHeader,
        body: { required: true, content: { "application/json": { schema: PostSchema }, "application/x-www-form-urlencoded": { schema: z.record(z.string(), z.string()) } } },
      },
      responses: {
        200: { description: "The lead's outcome, as /leads answers it in the tree's mode", content: { "application/json": { schema: LeadAnswerSchema } } },
        400: { description: "The lead is not valid (its fields named), or pingId is missing", content: { "application/json": { schema: IntakeBadRequestSchema } } },
        404: errorAnswer("No such tree, or no such ping of this publisher on this tree"),
        409: errorAnswer("ping_used: the ping was posted already; ping_expired: its reservation ended; conflict: it reserved nothing, or the lead is being run right now"),
        413: errorAnswer("The body is larger than 64 KiB"),
        415: errorAnswer("Neither JSON nor form-encoded"),
        422: errorAnswer("ping_mismatch: a non-PII field or tracking id differs from the ping's (each named); unprocessable: the tree is disabled"),
        503: errorAnswer("The lead is stored but could not be run now; retry for its result"),
      },
    }),
  );
  app.post("/trees/:treeId/posts", async (c) => {
    const raw = await readBody(c);
    const { publisher, snapshot } = await publisherAndTree(c, raw);
    const { pingId, ...lead } = raw;
    if (typeof pingId !== "string" || pingId === "") throw new ApiError("validation_failed", "The post must name its ping.", [{ path: "pingId", message: "is required" }]);
    const found = pingAddress(pingId);
    if (!found || found.address.treeId !== snapshot.tree.id) throw new ApiError("not_found", `No ping ${pingId} of yours on ping tree ${snapshot.tree.id}.`);
    const answer = async () => answerPublisher(c, snapshot.tree.response, await postIntake(c, snapshot, lead, publisher, pingId, found));
    const idempotencyKey = c.req.header("idempotency-key");
    if (idempotencyKey === undefined) return answer();
    return idempotent(c.env, { tree: snapshot.tree, publisherId: publisher.id, key: idempotencyKey, body: raw }, answer);
  });
}

async function postIntake(c: Context<AppEnv>, snapshot: TreeSnapshot, raw: Record<string, unknown>, publisher: Publisher, pingId: string, found: PingAddress): Promise<IntakeOutcome> {
  // The lead takes the id its ping foretold; its key is the ping's (its pattern's, else its own token's).
  const place = async (lead: KeyedLead) => ({ ...found, key: (await patternKeyOf(c.env, snapshot.tree, lead)) ?? ownLeadKey(found.token) });
  const prepared = await prepareLead(c, snapshot, raw, publisher, place);
  if (prepared.kind === "invalid") return prepared;
  const { draft, screening } = prepared;
  const run = await postPingedLead(c.env, { snapshot, publisher, draft, screening, pinged: pingedOf(draft, snapshot.tree), pingId, found });
  if (isPingRefusal(run)) throw refusalError(pingId, run);
  return outcomeOf(run);
}

function refusalError(pingId: string, refusal: PingRefusal): ApiError {
  switch (refusal.kind) {
    case "pingUnknown":
      return new ApiError("not_found", `No ping ${pingId} of yours on this tree.`);
    case "pingUsed":
      return new ApiError("ping_used", `Ping ${pingId} was posted already${refusal.leadId ? ` as lead ${refusal.leadId}: read its outcome at /v1/leads/${refusal.leadId}` : ""}.`);
    case "pingExpired":
      return new ApiError("ping_expired", `Ping ${pingId} expired at ${new Date(refusal.expiredAt).toISOString()}; its bids are no longer held. Ping again, or submit the lead to /leads.`);
    case "pingDeclined":
      return new ApiError("conflict", `Ping ${pingId} was declined and holds no bid; submit the lead to /leads instead.`);
    case "pingMismatch":
      return new ApiError("ping_mismatch", "The post does not match its ping: the buyers bid on the ping's fields.", refusal.errors);
  }
}
