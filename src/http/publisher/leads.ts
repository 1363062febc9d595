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
import type { FieldError } from "../../core/lead";
import { scoreLead } from "../../core/score";
import { screenLead } from "../../core/screen";
import type { Publisher } from "../../store/config";
import type { TreeSnapshot } from "../../store/configCache";
import { isForm, isJson } from "../body";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { authenticatePublisher } from "../auth";
import { ApiError } from "../errors";
import { issuedClickOf } from "../clickKey";
import { TreeIdParam } from "../admin/schemas";
import { submitLead, type LeadDraft } from "../../exchange/submit";
import { errorAnswer, publisherRoute } from "../operations";
import { idempotent } from "./idempotency";
import { FormSubmissionSchema, IdempotencyHeader, intakeExamples, IntakeBadRequestSchema, LeadAnswerSchema, SubmissionSchema } from "./schemas";

type RawValue = string | string[];

/** The body as one record; a form's repeated field is kept whole until the tree's tie rule picks one. */
async function readBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
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
function intakeRecord(c: Context<AppEnv>, body: Record<string, unknown>, intake: Tree["intake"]): Record<string, unknown> {
  const pick = (value: unknown) =>
    Array.isArray(value) && value.every((v) => typeof v === "string") ? (intake.tieFirstOrLast === "first" ? value[0] : value[value.length - 1]) : value;
  const flat: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) flat[name] = pick(value);
  if (intake.ignoreQueryString) return flat;
  const query: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(c.req.queries())) query[name] = pick(values);
  return intake.tieGetOrPost === "post" ? { ...query, ...flat } : { ...flat, ...query };
}

function leadError(c: Context<AppEnv>, errors: FieldError[], message: string) {
  return c.json({ status: "error" as const, error: { code: "validation_failed" as const, message, fields: errors } }, 400);
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
      description: "Runs the tree at once and answers with the outcome. Send `Idempotency-Key` to retry safely.",
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
          description: "The lead's outcome",
          content: { "application/json": { schema: LeadAnswerSchema, examples: { accepted: intakeExamples.accepted, declined: intakeExamples.declined, pending: intakeExamples.pending } } },
        },
        400: {
          description: "The lead is not valid (a LeadRejection naming the fields), or the body cannot be read (an Error)",
          content: { "application/json": { schema: IntakeBadRequestSchema, examples: { rejected: intakeExamples.rejected } } },
        },
        404: errorAnswer("No such tree"),
        409: errorAnswer("The same lead is being run right now, or the Idempotency-Key was used with another body"),
        413: errorAnswer("The body is larger than 64 KiB"),
        415: errorAnswer("Neither JSON nor form-encoded"),
        422: errorAnswer("The tree is disabled"),
        503: errorAnswer("The lead is stored but could not be run now; retry for its result"),
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
    const idempotencyKey = c.req.header("idempotency-key");
    if (idempotencyKey === undefined) return intake(c, snapshot, raw, publisher);
    return idempotent(c.env, { tree: snapshot.tree, publisherId: publisher.id, key: idempotencyKey, body: raw }, () => intake(c, snapshot, raw, publisher));
  });
}

async function intake(c: Context<AppEnv>, snapshot: TreeSnapshot, raw: Record<string, unknown>, publisher: Publisher): Promise<Response> {
  const { tree } = snapshot;
  const treeId = tree.id;
  if (!tree.enabled) throw new ApiError("unprocessable", `Ping tree ${treeId} is disabled and takes no leads.`);
  if (tree.intake.requireHttps && new URL(c.req.url).protocol !== "https:") {
    throw new ApiError("bad_request", `Ping tree ${treeId} takes leads over HTTPS only.`);
  }

  const now = new Date();
  const parsed = await requireIssuedClick(parseSubmission(intakeRecord(c, raw, tree.intake), tree, now), tree.intake, issuedClickOf(c.env, publisher.id));
  if (!parsed.ok) return leadError(c, parsed.errors, "The lead is not valid.");
  const { score, signals } = scoreLead(parsed, now);
  const draft: LeadDraft = {
    treeId: tree.id,
    treeVersion: tree.version,
    vertical: tree.vertical,
    publisherId: publisher.id,
    ...parsed.meta,
    fields: parsed.fields,
    consent: parsed.consent,
    score,
    signals,
    receivedAt: now.toISOString(),
  };
  const screening = screenLead(tree, draft);
  if (screening.kind === "error") return leadError(c, screening.errors, screening.errors[0]?.message ?? "The lead is not valid.");

  const run = await submitLead(c.env, { snapshot, publisher, draft, screening });
  if (run.kind === "answered") return c.json(run.answer, 200);
  if (run.kind === "busy") {
    throw new ApiError("conflict", `This lead is being run right now; retry in ${run.retryAfterSeconds} s for its result.`);
  }
  if (run.stored) {
    throw new ApiError("unavailable", `Lead ${run.leadId} could not be run now; it is stored and will be finished: read its status at /v1/leads/${run.leadId}, or resubmit it for its result.`);
  }
  throw new ApiError("unavailable", "The lead could not be run now, and whether it was stored is not known: resubmit it (with the same click id or Idempotency-Key, nothing is sold twice).");
}
