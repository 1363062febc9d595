/**
 * Publisher intake: `POST /v1/trees/:treeId/leads`, JSON or form-encoded.
 * Authenticates the publisher, validates the lead under the tree's rules,
 * then runs it (run.ts) and answers with the outcome.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import type { Tree } from "../../core/config";
import { parseSubmission } from "../../core/intake";
import type { FieldError } from "../../core/lead";
import { scoreLead } from "../../core/score";
import { screenLead } from "../../core/screen";
import type { Publisher } from "../../store/config";
import type { TreeSnapshot } from "../../store/configCache";
import { isForm, isJson } from "../body";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { authenticatePublisher } from "../auth";
import { ApiError, ErrorBodySchema } from "../errors";
import { TreeIdParam } from "../admin/schemas";
import { submitLead, type LeadDraft } from "../../exchange/submit";
import { idempotent } from "./idempotency";

export const LeadAnswerSchema = z.object({
  leadId: z.string(),
  status: z.enum(["accepted", "declined", "pending"]),
  payoutCents: z.number().int().optional(),
  redirectUrl: z.string().optional(),
});

const LeadErrorSchema = z.object({ leadId: z.string().optional(), status: z.literal("error"), error: ErrorBodySchema.shape.error });

const SubmissionSchema = z
  .looseObject({
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    zip: z.string().optional(),
    clickId: z.string().optional(),
    consent: z.object({ text: z.string(), ip: z.string(), timestamp: z.string() }).loose().optional(),
  })
  .describe("Lead fields, clickId (alias c), subId…subId3 and the consent record; the tree's own fields too.");

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
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/trees/{treeId}/leads",
    tags: ["Publisher"],
    summary: "Submit a lead and get the outcome of its run",
    security: [{ publisherKey: [] }],
    request: {
      params: TreeIdParam,
      body: {
        content: {
          "application/json": { schema: SubmissionSchema },
          "application/x-www-form-urlencoded": { schema: z.record(z.string(), z.string()) },
        },
      },
    },
    responses: {
      200: { description: "The lead's outcome", content: { "application/json": { schema: LeadAnswerSchema } } },
      400: { description: "The lead is not valid", content: { "application/json": { schema: LeadErrorSchema } } },
      401: { description: "Missing or wrong publisher key", content: { "application/json": { schema: ErrorBodySchema } } },
      404: { description: "No such tree", content: { "application/json": { schema: ErrorBodySchema } } },
      409: { description: "The same lead is being run right now", content: { "application/json": { schema: ErrorBodySchema } } },
      415: { description: "Neither JSON nor form-encoded", content: { "application/json": { schema: ErrorBodySchema } } },
      422: { description: "The tree is disabled", content: { "application/json": { schema: ErrorBodySchema } } },
    },
  });
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
  const parsed = parseSubmission(intakeRecord(c, raw, tree.intake), tree, now);
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
