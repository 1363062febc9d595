/** The composition root: every audience's router, the shared guards and the one error handler. */
import { limitBody, requireJsonBody } from "./body";
import { requireAdmin, requireBuyer } from "./auth";
import { newRouter, type BuyerEnv } from "./router";
import { ApiError, errorResponse, onError } from "./errors";
import { registerBuyers } from "./admin/buyers";
import { registerCapacityView } from "./admin/capacity";
import { registerClickReads } from "./admin/clicks";
import { registerLeadPoints } from "./admin/leadPoints";
import { registerLeads } from "./admin/leads";
import { registerPostbacks } from "./admin/postbacks";
import { registerPublishers } from "./admin/publishers";
import { registerReports } from "./admin/reports";
import { registerScorecards } from "./admin/scorecards";
import { registerScoreWeights } from "./admin/scoreWeights";
import { registerStatements } from "./admin/statements";
import { registerTrees } from "./admin/trees";
import { registerOwnCapacity } from "./buyer/capacity";
import { registerOwnLeadPoints } from "./buyer/leadPoints";
import { registerBoughtLeads } from "./buyer/leads";
import { registerScorecard } from "./buyer/scorecard";
import { registerStatement } from "./buyer/statement";
import { registerDocs } from "./docs";
import { registerHealth } from "./health";
import { registerOpenApi } from "./openapi";
import { registerClickLinks } from "./publisher/click";
import { registerLeadIntake } from "./publisher/leads";
import { registerPingPost } from "./publisher/pingPost";
import { registerPublisherStatement } from "./publisher/statement";
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
  registerCapacityView(admin);
  registerTrees(admin);
  registerLeads(admin);
  registerClickReads(admin);
  registerReports(admin);
  registerScorecards(admin);
  registerStatements(admin);
  registerPostbacks(admin);
  registerScoreWeights(admin);
  app.route("/v1/admin", admin);

  const buyer = newRouter<BuyerEnv>();
  buyer.use("*", requireBuyer, requireJsonBody);
  registerBoughtLeads(buyer);
  registerOwnLeadPoints(buyer);
  registerOwnCapacity(buyer);
  registerStatement(buyer);
  registerScorecard(buyer);
  app.route("/v1/buyer", buyer);

  const publisher = newRouter();
  registerLeadIntake(publisher);
  registerPingPost(publisher);
  registerLeadStatus(publisher);
  registerClickLinks(publisher);
  registerPublisherStatement(publisher);
  app.route("/v1", publisher);

  registerOpenApi(app);
  registerDocs(app);
  return app;
}
