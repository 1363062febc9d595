/** The buyer's leads: those it bought, with their whole payload, the return of one within its window, and its conversion feedback. */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { sealValue } from "../../core/piiSeal";
import { sendReturnPostback } from "../../exchange/postback";
import { openStored, piiKeysOf } from "../../exchange/piiKeys";
import { returnLead } from "../../exchange/returnLead";
import { listBoughtLeads } from "../../store/boughtLeads";
import { recordConversion } from "../../store/conversions";
import { servicesOf } from "../../store/services";
import { ApiError, PII_UNAVAILABLE } from "../errors";
import { buyerRoute, errorAnswer, jsonAnswer, jsonBody } from "../operations";
import { pagePosition, pageQuery } from "../paging";
import type { BuyerEnv } from "../router";
import { BoughtLeadSchema, ConversionInputSchema, ConversionSchema, LeadReturnSchema, ReturnedLeadSchema } from "./schemas";

const LeadIdParam = z.object({ leadId: z.string().min(1).max(100) });

/** A lead the calling buyer did not buy, whether it exists or another buyer bought it: the same 404 either way. */
function notBought(leadId: string): ApiError {
  return new ApiError("not_found", `Lead ${leadId} is not one this buyer bought.`);
}

export function registerBoughtLeads(app: OpenAPIHono<BuyerEnv>): void {
  app.openapi(
    buyerRoute({
      method: "get",
      path: "/leads",
      operationId: "listBoughtLeads",
      summary: "List the leads this buyer bought, newest sale first, with their whole payload",
      description: "`from` and `to` bound when the lead was sold. A sale appears here within a second of its answer.",
      request: { query: z.object(pageQuery) },
      responses: {
        200: jsonAnswer("A page; `nextCursor` fetches the next", z.object({ items: z.array(BoughtLeadSchema), nextCursor: z.string().optional() })),
        400: errorAnswer("A query parameter is not valid"),
        503: errorAnswer(PII_UNAVAILABLE),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const page = await listBoughtLeads(servicesOf(c.env).db, c.var.buyer.id, query, pagePosition(query.cursor));
      // The buyer bought these leads: it reads them whole, PII opened.
      return c.json({ ...page, items: await Promise.all(page.items.map((lead) => openStored(c.env, lead))) }, 200);
    },
  );

  app.openapi(
    buyerRoute({
      method: "post",
      path: "/leads/{leadId}/return",
      operationId: "returnLead",
      summary: "Return a lead this buyer bought, within its return window",
      description:
        "Refunds the charge and reverses the publisher's payout and the exchange's margin (new ledger lines, each the negative of the line it reverses), once: " +
        "a second return of the lead, or one after `returnWindowHours` from the sale, is 409. The publisher gets a signed postback of type `return`.",
      request: { params: LeadIdParam, body: jsonBody(LeadReturnSchema) },
      responses: {
        200: jsonAnswer("The lead as returned", ReturnedLeadSchema),
        400: errorAnswer("The body is not valid"),
        404: errorAnswer("This buyer did not buy the lead"),
        409: errorAnswer("The lead was returned already, or its return window has closed"),
        503: errorAnswer(PII_UNAVAILABLE),
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const services = servicesOf(c.env);
      const outcome = await returnLead(services, c.var.buyer, leadId, await sealValue(await piiKeysOf(c.env), reason), Date.now());
      switch (outcome.kind) {
        case "notBought":
          throw notBought(leadId);
        case "alreadyReturned":
          throw new ApiError("conflict", `Lead ${leadId} was returned already.`);
        case "windowClosed":
          throw new ApiError("conflict", `The return window of lead ${leadId} closed at ${outcome.closedAt}.`);
        case "returned": {
          const { sale, returnedAt } = outcome;
          const publisher = await services.config.publisherById(services.db, sale.publisherId);
          if (publisher) c.executionCtx.waitUntil(sendReturnPostback(c.env, publisher, { ...sale, reason, returnedAt }));
          return c.json({ leadId, returnedAt, reason, refundCents: sale.priceCents }, 200);
        }
      }
    },
  );

  app.openapi(
    buyerRoute({
      method: "post",
      path: "/leads/{leadId}/conversion",
      operationId: "createConversion",
      summary: "Report what became of a lead this buyer bought: contacted, quoted or sold",
      description:
        "One record per lead and event kind; a lead may have all three. A repeat of an event kind replaces the earlier record (its value and time), " +
        "so a retried call or a corrected value never counts twice: 201 when the event is new for the lead, 200 when it replaced one.",
      request: { params: LeadIdParam, body: jsonBody(ConversionInputSchema) },
      responses: {
        201: jsonAnswer("The event, recorded", ConversionSchema),
        200: jsonAnswer("The event, replacing the earlier record of it", ConversionSchema),
        400: errorAnswer("The body is not valid"),
        404: errorAnswer("This buyer did not buy the lead"),
        409: errorAnswer("This buyer returned the lead: a returned lead takes no conversion"),
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid("param");
      const outcome = await recordConversion(servicesOf(c.env).db, c.var.buyer.id, leadId, c.req.valid("json"), new Date().toISOString());
      if (outcome.kind === "notBought") throw notBought(leadId);
      if (outcome.kind === "returned") throw new ApiError("conflict", `Lead ${leadId} was returned at ${outcome.returnedAt}: a returned lead was refunded as not what was paid for, so it takes no conversion.`);
      return outcome.replaced ? c.json(outcome.conversion, 200) : c.json(outcome.conversion, 201);
    },
  );
}
