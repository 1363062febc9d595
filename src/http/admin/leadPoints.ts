import type { OpenAPIHono } from "@hono/zod-openapi";
import { LeadPointInputSchema, type LeadPointInput as LeadPointDocument } from "../../core/config";
import { patchLeadPoint, type LeadPointPatch as LeadPointChanges } from "../../core/configPatch";
import { maskEndpoint } from "../../core/credentials";
import { leadPointWireProblems } from "../../buyers/wire";
import { createLeadPoint, disableLeadPoint, getBuyer, getLeadPoint, listLeadPoints, type LeadPointRecord } from "../../store/config";
import { updateLeadPoint } from "../../store/configEdits";
import type { Db } from "../../store/db";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, jsonBody, jsonAnswer, operatorRoute } from "../operations";
import { patchRecord, registerPatch, registerReadAndDisable, validDocument, type ResourceSpec } from "./resource";
import { LeadPointInput, LeadPointPatch, LeadPointSchema } from "./schemas";

/**
 * An endpoint's signing secret and header values (where buyers put their
 * API keys) are write-only: every response shows that they are set, never
 * what they are.
 */
export function presentLeadPoint(point: LeadPointRecord): LeadPointRecord {
  return { ...point, ...(point.ping ? { ping: maskEndpoint(point.ping) } : {}), post: maskEndpoint(point.post) };
}

/**
 * A lead point whose buyer mapping cannot work is refused when it is saved,
 * not met by its first lead; an edit checks the merged document the same way.
 */
export function refuseBrokenWire(point: Pick<LeadPointDocument, "ping" | "post">): void {
  const problems = leadPointWireProblems(point);
  if (problems.length) throw new ApiError("validation_failed", "The lead point's buyer mapping cannot work; the fields say why.", problems);
}

export function registerLeadPoints(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "post",
      path: "/lead-points",
      operationId: "createLeadPoint",
      summary: "Create a lead point: where and how a buyer is pinged and posted",
      request: { body: jsonBody(LeadPointInput) },
      responses: {
        201: jsonAnswer("Created", LeadPointSchema),
        400: errorAnswer("The document is not valid, or names a buyer that does not exist"),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      refuseBrokenWire(input);
      const services = servicesOf(c.env);
      if (!(await getBuyer(services.db, input.buyerId))) {
        throw new ApiError("validation_failed", "The lead point names a buyer that does not exist.", [{ path: "buyerId", message: `buyer ${input.buyerId} does not exist` }]);
      }
      const point = await createLeadPoint(services.db, input);
      services.config.invalidate();
      return c.json(presentLeadPoint(point), 201);
    },
  );
  const spec: ResourceSpec<LeadPointRecord> = {
    path: "/lead-points",
    param: "id",
    noun: "lead point",
    schema: LeadPointSchema,
    get: getLeadPoint,
    list: listLeadPoints,
    disable: disableLeadPoint,
    present: presentLeadPoint,
  };
  registerReadAndDisable(app, spec);
  registerPatch(app, spec, {
    body: LeadPointPatch,
    description:
      "An endpoint (ping, post) is patched member by member: a new url keeps its format, mapping and credentials. " +
      'Credentials are write-only: a secret or header value sent as "***" (as reads show it) keeps the stored value; a headers object lists every header, ' +
      "so a name it leaves out is removed. The lead point keeps its id, its buyer, its cap counts and its history; trees that list it use the new settings from their next lead.",
    apply: applyPatch,
  });
}

function applyPatch(db: Db, id: string, patch: LeadPointChanges): Promise<LeadPointRecord | undefined> {
  return patchRecord(
    () => getLeadPoint(db, id),
    (stored) => patchStoredLeadPoint(db, stored, patch),
  );
}

/**
 * A lead point's stored document with a patch applied, validated whole as at
 * creation and saved over that stored version (undefined when another write
 * replaced it: patchRecord applies the patch again); the operator's PATCH
 * and the buyer's share it.
 */
export async function patchStoredLeadPoint(db: Db, stored: LeadPointRecord, patch: LeadPointChanges): Promise<LeadPointRecord | undefined> {
  const { id, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = stored;
  if (patch.buyerId !== undefined && patch.buyerId !== document.buyerId) {
    // Its sales, caps and scorecards are the buyer's: another buyer gets a lead point of its own.
    throw new ApiError("validation_failed", "A lead point stays with its buyer.", [{ path: "buyerId", message: `the lead point belongs to ${document.buyerId}; create a lead point for another buyer` }]);
  }
  const patched = patchLeadPoint(document, patch);
  if (!patched.ok) throw new ApiError("validation_failed", "The patch keeps credentials that are not stored.", patched.problems);
  const merged = validDocument(LeadPointInputSchema, patched.document);
  refuseBrokenWire(merged);
  return updateLeadPoint(db, id, merged, stored.updatedAt);
}
