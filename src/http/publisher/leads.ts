/**
 * Publisher intake: `POST /v1/trees/:treeId/leads`, JSON or form-encoded.
 * Authenticates the publisher, validates the lead under the tree's rules,
 * then submits it (exchange/submit.ts) and answers with the outcome.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Tree } from "../../core/config";
import { parseSubmission } from "../../core/intake";
import { requireIssuedClick } from "../../core/intake/issuedClick";
import { scoreLead } from "../../core/score";
import { screenLead } from "../../core/screen";
import type { Publisher } from "../../store/config";
import type { TreeSnapshot } from "../../store/configCache";
import { isForm, isJson } from "../body";
import type { AppEnv } from "../router";
import { sha256Hex } from "../../store/ids";
import { servicesOf } from "../../store/services";
import { authenticatePublisher } from "../auth";
import { ApiError } from "../errors";
import { issuedClickOf } from "../clickKey";
import { TreeIdParam } from "../admin/schemas";
import { placeLead, submitLead, type LeadDraft, type LeadPlace, type SubmitResult } from "../../exchange/submit";
import { checkConsumer, dedupesAny, forgetArrival, withEarlierSales } from "../../exchange/consumers";
import { duplicateOf, screenDuplicate } from "../../core/consumers";
import type { KeyedLead } from "../../core/uniqueLead";
import type { Screening } from "../../core/screen";
import { errorAnswer, publisherRoute } from "../operations";
import { answerPublisher, type IntakeOutcome } from "./answer";
import { idempotent } from "./idempotency";
import {
  AnswerPageSchema,
  FormSubmissionSchema,
  IdempotencyHeader,
  intakeExamples,
  IntakeBadRequestSchema,
  LeadAnswerSchema,
  LeadRejectionSchema,
  redirectExamples,
  SubmissionSchema,
  xmlExamples,
} from "./schemas";

type RawValue = string | string[];

/** The body as one record; a form's repeated field is kept whole until the tree's tie rule picks one. */
export async function readBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const contentType = c.req.header("content-type");
  if (isJson(contentType)) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError("invalid_json", "The request body is not valid JSON.");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ApiError("bad_request", "The lead must be a JSON object.");
    }
    return body as Record<string, unknown>;
  }
  if (isForm(contentType)) {
    const form = await c.req.parseBody({ all: true });
    const record: Record<string, RawValue> = {};
    for (const [name, value] of Object.entries(form)) {
      const texts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
      if (texts.length) record[name] = texts.length === 1 ? (texts[0] as string) : texts;
    }
    return record;
  }
  throw new ApiError("unsupported_media_type", "Send the lead as application/json or application/x-www-form-urlencoded.");
}

/**
 * The record intake validates, under the tree's intake rules: a repeated
 * form field keeps its first or last value, and the query string joins the
 * body unless the tree ignores it, the tie going to GET or POST as it says.
 */
export function intakeRecord(c: Context<AppEnv>, body: Record<string, unknown>, intake: Tree["intake"]): Record<string, unknown> {
  const pick = (value: unknown) =>
    Array.isArray(value) && value.every((v) => typeof v === "string") ? (intake.tieFirstOrLast === "first" ? value[0] : value[value.length - 1]) : value;
  const flat: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) flat[name] = pick(value);
  if (intake.ignoreQueryString) return flat;
  const query: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(c.req.queries())) query[name] = pick(values);
  return intake.tieGetOrPost === "post" ? { ...query, ...flat } : { ...flat, ...query };
}

/**
 * The route is documented in the OpenAPI registry but validated by intake
 * itself: what a lead must carry depends on its tree, so a generic body
 * validator would answer before the tree's rules (and the contract's lead
 * error shape) could.
 */
export function registerLeadIntake(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(
    publisherRoute({
      method: "post",
      path: "/trees/{treeId}/leads",
      operationId: "submitLead",
      summary: "Submit a lead and get the outcome of its run",
      description: [
        "Runs the tree at once and answers with the outcome. Send `Idempotency-Key` to retry safely: a replay is the first answer byte for byte, with its status, Content-Type and Location.",
        "",
        "The lead's answer (its outcome, or its validation errors) takes the form of the tree's `response.mode`:",
        "- `json`: the bodies below.",
        "- `xml`: the same fields as elements of a `<response>` root, as `application/xml`.",
        "- `redirect`, for a web form that posts here (`api_key` and `consent_*` in the form): a 302 to the winning buyer's page, else the tree's `acceptUrl`, when accepted;",
        "  to `declineUrl` when declined, and when pending (no buyer has the lead yet: an accept page would fire the conversion pixel of a lead not sold);",
        "  to `errorUrl` when not valid, with the tree's `errorList` in its `param` parameter, URL-encoded twice (`tab` or `html`, TSL compatible; `none` adds nothing).",
        "  A tree without the URL an outcome needs answers with a built-in page instead: 200 \"Thank you\" with the lead id for an outcome, 400 listing the errors for a lead not valid.",
        "",
        "Every other answer is the JSON `Error` whatever the mode: a missing or wrong key (401) and an unknown tree (404) come before the tree is known, and a body that cannot be read (400, 413, 415), a disabled tree (422), a lead being run (409) or a run that failed (503) are not the lead's answer.",
      ].join("\n"),
      request: {
        params: TreeIdParam,
        headers: IdempotencyHeader,
        body: {
          required: true,
          content: {
            "application/json": { schema: SubmissionSchema, examples: intakeExamples.json },
            "application/x-www-form-urlencoded": { schema: FormSubmissionSchema, examples: intakeExamples.form },
          },
        },
      },
      responses: {
        200: {
          description: "The lead's outcome (JSON or XML as the tree says; a redirect tree's built-in page when it has no URL for the outcome)",
          content: {
            "application/json": { schema: LeadAnswerSchema, examples: { accepted: intakeExamples.accepted, declined: intakeExamples.declined, pending: intakeExamples.pending } },
            "application/xml": { schema: LeadAnswerSchema, examples: { accepted: xmlExamples.accepted, declined: xmlExamples.declined } },
            "text/html": { schema: AnswerPageSchema },
          },
        },
        302: {
          description: "A redirect tree's answer: the page the consumer's browser goes to next",
          headers: { Location: { description: "The buyer's page, acceptUrl, declineUrl, or errorUrl with the error list", schema: { type: "string", format: "uri" }, examples: redirectExamples } },
        },
        400: {
          description: "The lead is not valid (a LeadRejection naming the fields, in the tree's mode), or the body cannot be read (an Error, always JSON)",
          content: {
            "application/json": { schema: IntakeBadRequestSchema, examples: { rejected: intakeExamples.rejected } },
            "application/xml": { schema: LeadRejectionSchema, examples: { rejected: xmlExamples.rejected } },
            "text/html": { schema: AnswerPageSchema },
          },
        },
        404: errorAnswer("No such tree"),
        409: errorAnswer("The same lead is being run right now, or the Idempotency-Key was used with another body"),
        413: errorAnswer("The body is larger than 64 KiB"),
        415: errorAnswer("Neither JSON nor form-encoded"),
        422: errorAnswer("The tree is disabled"),
        503: errorAnswer("The lead is stored but could not be run now; retry for its result. Or PII_KEY is not configured: nothing was stored"),
      },
    }),
  );
  app.post("/trees/:treeId/leads", async (c) => {
    const treeId = c.req.param("treeId");
    const services = servicesOf(c.env);
    const raw = await readBody(c);
    const publisher = await authenticatePublisher(c, services, raw);
    const snapshot = await services.config.tree(services.db, treeId);
    if (!snapshot) throw new ApiError("not_found", `Ping tree ${treeId} does not exist.`);
    const answer = async () => answerPublisher(c, snapshot.tree.response, await intake(c, snapshot, raw, publisher));
    const idempotencyKey = c.req.header("idempotency-key");
    if (idempotencyKey === undefined) return answer();
    return idempotent(c.env, { tree: snapshot.tree, publisherId: publisher.id, key: idempotencyKey, body: raw }, answer);
  });
}

/** The lead's outcome, or its validation errors; every other refusal is thrown as the contract's error. */
async function intake(c: Context<AppEnv>, snapshot: TreeSnapshot, raw: Record<string, unknown>, publisher: Publisher): Promise<IntakeOutcome> {
  const prepared = await prepareLead(c, snapshot, raw, publisher, (lead) => placeLead(c.env, snapshot.tree, lead));
  if (prepared.kind === "invalid") return prepared;
  const { draft, screening, place } = prepared;
  return outcomeOf(await submitLead(c.env, { snapshot, publisher, place, draft, screening }));
}

/** The tree takes submissions now, over the scheme it asks for; otherwise the contract's error is thrown. */
export function requireOpen(c: Context<AppEnv>, tree: Tree): void {
  if (!tree.enabled) throw new ApiError("unprocessable", `Ping tree ${tree.id} is disabled and takes no leads.`);
  if (tree.intake.requireHttps && new URL(c.req.url).protocol !== "https:") {
    throw new ApiError("bad_request", `Ping tree ${tree.id} takes leads over HTTPS only.`);
  }
}

export type PreparedLead = { kind: "ready"; draft: LeadDraft; screening: Exclude<Screening, { kind: "error" }>; place: LeadPlace } | Extract<IntakeOutcome, { kind: "invalid" }>;

/**
 * A whole lead under the tree's intake rules (a submission, or an inbound
 * post): parsed, its click id proved where the tree requires it, placed
 * (`placeOf`: its key, gate and id), seen by its consumer objects, scored,
 * and screened by the tree's filters and duplicate rule.
 */
export async function prepareLead(
  c: Context<AppEnv>,
  snapshot: TreeSnapshot,
  raw: Record<string, unknown>,
  publisher: Publisher,
  placeOf: (lead: KeyedLead) => Promise<LeadPlace>,
): Promise<PreparedLead> {
  const { tree } = snapshot;
  requireOpen(c, tree);
  const now = new Date();
  const parsed = await requireIssuedClick(parseSubmission(intakeRecord(c, raw, tree.intake), tree, now), tree.intake, issuedClickOf(c.env, publisher.id));
  if (!parsed.ok) return { kind: "invalid", message: "The lead is not valid.", errors: parsed.errors };
  const place = await placeOf({ treeId: tree.id, publisherId: publisher.id, ...parsed.meta, fields: parsed.fields });
  const services = servicesOf(c.env);
  const [arrival, textSha256, weights] = await Promise.all([
    checkConsumer(c.env, { tree, leadId: place.leadId, uniqueKey: place.key, fields: parsed.fields, consentIp: parsed.consent.ip, at: now.getTime() }),
    sha256Hex(parsed.consent.text),
    services.scoreWeights.active(services.db),
  ]);
  const duplicate = duplicateOf(tree.duplicates, arrival.earlier);
  // Who bought the consumer matters only to lead points with dedupeDays, and not to a lead declined as a duplicate.
  const consumer =
    arrival.consumer && arrival.recent.length && duplicate?.action !== "decline" && dedupesAny(snapshot.points) ? await withEarlierSales(c.env, arrival.consumer, arrival.recent) : arrival.consumer;
  const { score, signals, weightsVersion } = scoreLead({ ...parsed, treeFields: tree.fields, ...(arrival.history ? { history: arrival.history } : {}) }, now, weights);
  const draft: LeadDraft = {
    treeId: tree.id,
    treeVersion: tree.version,
    vertical: tree.vertical,
    publisherId: publisher.id,
    ...parsed.meta,
    fields: parsed.fields,
    consent: { ...parsed.consent, textSha256 },
    score,
    signals,
    scoreWeightsVersion: weightsVersion,
    receivedAt: now.toISOString(),
    ...(consumer ? { consumer } : {}),
    ...(duplicate ? { duplicateOf: duplicate } : {}),
  };
  const screening = screenDuplicate(screenLead(tree, draft), duplicate);
  if (screening.kind === "error") {
    await forgetArrival(c.env, place.leadId, arrival);
    return { kind: "invalid", message: screening.errors[0]?.message ?? "The lead is not valid.", errors: screening.errors };
  }
  return { kind: "ready", draft, screening, place };
}

/** A run's result as the publisher's outcome; a run in flight or one that failed is thrown as the contract's error. */
export function outcomeOf(run: SubmitResult): IntakeOutcome {
  if (run.kind === "answered") return { kind: "answered", answer: run.answer };
  if (run.kind === "busy") {
    throw new ApiError("conflict", `This lead is being run right now; retry in ${run.retryAfterSeconds} s for its result.`);
  }
  if (run.stored) {
    throw new ApiError("unavailable", `Lead ${run.leadId} could not be run now; it is stored and will be finished: read its status at /v1/leads/${run.leadId}, or resubmit it for its result.`);
  }
  throw new ApiError("unavailable", "The lead could not be run now, and whether it was stored is not known: resubmit it (with the same click id or Idempotency-Key, nothing is sold twice).");
}
