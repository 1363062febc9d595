/** The composition root: every audience's router, the shared guards and the one error handler. */
import { limitBody, requireJsonBody } from "./body";
import { requireAdmin } from "./auth";
import { newRouter } from "./router";
import { ApiError, errorResponse, onError } from "./errors";
import { registerBuyers } from "./admin/buyers";
import { registerClickReads } from "./admin/clicks";
import { registerLeadPoints } from "./admin/leadPoints";
import { registerLeads } from "./admin/leads";
import { registerPublishers } from "./admin/publishers";
import { registerReports } from "./admin/reports";
import { registerStatements } from "./admin/statements";
import { registerTrees } from "./admin/trees";
import { registerDocs } from "./docs";
import { registerHealth } from "./health";
import { registerOpenApi } from "./openapi";
import { registerClickLinks } from "./publisher/click";
import { registerLeadIntake } from "./publisher/leads";
import { registerLeadStatus } from "./publisher/status";

export function createApp() {
  const app = newRouter();
  app.onError(onError);
  app.notFound((c) => errorResponse(c, new ApiError("not_found", "No such route.")));
  app.use("*", limitBody);
  registerHealth(app);

  const admin = newRouter();
  admin.use("*", requireAdmin, requireJsonBody);
  registerPublishers(admin);
  registerBuyers(admin);
  registerLeadPoints(admin);
  registerTrees(admin);
  registerLeads(admin);
  registerClickReads(admin);
  registerReports(admin);
  registerStatements(admin);
  app.route("/v1/admin", admin);

  const publisher = newRouter();
  registerLeadIntake(publisher);
  registerLeadStatus(publisher);
  registerClickLinks(publisher);
  app.route("/v1", publisher);

  registerOpenApi(app);
  registerDocs(app);
  return app;
}
