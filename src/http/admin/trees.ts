import type { OpenAPIHono } from "@hono/zod-openapi";
import { disableTree, getTree, leadPointsByIds, listTrees, putTree } from "../../store/config";
import { gateShards } from "../../core/gateAddress";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError, type ErrorField } from "../errors";
import { errorAnswer, jsonBody, jsonAnswer, operatorRoute } from "../operations";
import { registerReadAndDisable } from "./resource";
import { registerTreeVersions } from "./treeVersions";
import { TreeIdParam, TreeInput, TreeSchema } from "./schemas";

/**
 * A lead's run must fit the bundled plan's 50 subrequests per invocation.
 * Pings past the first six leave from PingShard objects, each its own
 * invocation, so the run itself makes at most 6 pings + one shard call per
 * further 6 + its gate and counter calls: 100 positions is 6 + 16 + a few.
 */
const MAX_POSITIONS = 100;

export function registerTrees(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "put",
      path: "/ping-trees/{treeId}",
      operationId: "putPingTree",
      summary: "Create or replace a ping tree",
      description:
        "Creates the tree or replaces it as a new version. The whole document is validated; every lead point it names must exist. " +
        "A lead already running finishes on the version it started with; the next lead runs on this one. " +
        "To restore an older version, PUT its document (GET …/versions/{version}): it is saved again as the newest version.",
      request: { params: TreeIdParam, body: jsonBody(TreeInput) },
      responses: {
        200: jsonAnswer("Replaced (new version)", TreeSchema),
        201: jsonAnswer("Created", TreeSchema),
        400: errorAnswer("The document is not valid, or names lead points that do not exist"),
      },
    }),
    async (c) => {
      const { treeId } = c.req.valid("param");
      const input = c.req.valid("json");
      const services = servicesOf(c.env);
      const positions = input.tiers.flatMap((tier, t) => tier.positions.map((position, p) => ({ id: position.leadPointId, path: `tiers.${t}.positions.${p}.leadPointId` })));
      if (positions.length > MAX_POSITIONS) {
        throw new ApiError("validation_failed", `A tree may list at most ${MAX_POSITIONS} positions: every position is a subrequest of one lead's run.`, [{ path: "tiers", message: `${positions.length} positions` }]);
      }
      const known = new Set((await leadPointsByIds(services.db, positions.map((p) => p.id))).map((p) => p.id));
      const missing: ErrorField[] = positions.filter((p) => !known.has(p.id)).map((p) => ({ path: p.path, message: `lead point ${p.id} does not exist` }));
      if (missing.length) throw new ApiError("validation_failed", "The tree names lead points that do not exist.", missing);
      const { tree, created } = await putTree(services.db, treeId, input, gateShards(c.env.GATE_SHARDS));
      services.config.invalidate();
      return created ? c.json(tree, 201) : c.json(tree, 200);
    },
  );
  registerReadAndDisable(app, { path: "/ping-trees", param: "treeId", noun: "ping tree", schema: TreeSchema, get: getTree, list: listTrees, disable: disableTree });
  registerTreeVersions(app);
}
