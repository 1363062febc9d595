/**
 * A tree's history: every version PUT saved, each whole, and what changed
 * between two of them. Restoring is a PUT of an old version's document,
 * which saves it as the newest version.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { diffDocuments } from "../../core/configDiff";
import { getTreeVersion, listTreeVersions } from "../../store/treeVersions";
import type { Db } from "../../store/db";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, jsonAnswer, operatorRoute } from "../operations";
import type { AppEnv } from "../router";
import { listOf, TreeInput } from "./schemas";

const versionNumber = z.string().regex(/^[1-9][0-9]{0,8}$/, "a version is a whole number from 1");
// Any tree id: one that cannot exist is a 404 like any other unknown id.
const TreeParam = z.object({ treeId: z.string() });
const VersionParams = TreeParam.extend({ version: versionNumber });

const TreeVersionSummarySchema = z
  .object({ version: z.number().int(), createdAt: z.string(), gateShards: z.number().int(), name: z.string(), enabled: z.boolean() })
  .openapi("PingTreeVersionSummary");
const TreeVersionSchema = z
  .object({
    treeId: z.string(),
    version: z.number().int(),
    createdAt: z.string(),
    gateShards: z.number().int().describe("How many gate objects the version's keys spread over."),
    document: TreeInput.describe("The tree as this version saved it; PUT it to restore it as a new version."),
  })
  .openapi("PingTreeVersion");
const ChangeSchema = z.object({
  path: z.string().describe("Dotted, as in error fields: tiers.0.positions.1.timeoutSeconds."),
  before: z.unknown().optional().describe("Absent when the path was added."),
  after: z.unknown().optional().describe("Absent when the path was removed."),
});
const TreeVersionDiffSchema = z
  .object({ treeId: z.string(), from: z.number().int(), to: z.number().int(), changes: z.array(ChangeSchema) })
  .openapi("PingTreeVersionDiff");

async function versionOrNotFound(db: Db, treeId: string, version: number) {
  const found = await getTreeVersion(db, treeId, version);
  if (!found) throw new ApiError("not_found", `Ping tree ${treeId} has no version ${version}.`);
  return found;
}

export function registerTreeVersions(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/ping-trees/{treeId}/versions",
      operationId: "listPingTreeVersions",
      summary: "List a ping tree's versions",
      request: { params: TreeParam },
      responses: { 200: jsonAnswer("Every version, newest first", listOf(TreeVersionSummarySchema)), 404: errorAnswer("No such ping tree") },
    }),
    async (c) => {
      const { treeId } = c.req.valid("param");
      const items = await listTreeVersions(servicesOf(c.env).db, treeId);
      if (items.length === 0) throw new ApiError("not_found", `Ping tree ${treeId} does not exist.`);
      return c.json({ items }, 200);
    },
  );
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/ping-trees/{treeId}/versions/{version}",
      operationId: "getPingTreeVersion",
      summary: "Read one version of a ping tree, whole",
      request: { params: VersionParams },
      responses: {
        200: jsonAnswer("The version", TreeVersionSchema),
        400: errorAnswer("The version is not a whole number"),
        404: errorAnswer("No such ping tree or version"),
      },
    }),
    async (c) => {
      const { treeId, version } = c.req.valid("param");
      return c.json(await versionOrNotFound(servicesOf(c.env).db, treeId, Number(version)), 200);
    },
  );
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/ping-trees/{treeId}/versions/{version}/diff",
      operationId: "getPingTreeVersionDiff",
      summary: "What changed between two versions of a ping tree",
      description: "Every changed path of the document, from version `from` (by default the one before) to this one.",
      request: { params: VersionParams, query: z.object({ from: versionNumber.optional() }) },
      responses: {
        200: jsonAnswer("The changes", TreeVersionDiffSchema),
        400: errorAnswer("A version is not a whole number, or version 1 is compared without a from"),
        404: errorAnswer("No such ping tree or version"),
      },
    }),
    async (c) => {
      const { treeId, version } = c.req.valid("param");
      const to = Number(version);
      const from = Number(c.req.valid("query").from ?? to - 1);
      if (from === 0) throw new ApiError("validation_failed", "Version 1 has no version before it: name one to compare with.", [{ path: "from", message: "required for version 1" }]);
      const db = servicesOf(c.env).db;
      const [before, after] = await Promise.all([versionOrNotFound(db, treeId, from), versionOrNotFound(db, treeId, to)]);
      return c.json({ treeId, from, to, changes: diffDocuments(before.document, after.document) }, 200);
    },
  );
}
