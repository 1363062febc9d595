/** Documents of the buyer API: what a buyer reads of the leads it bought and of their returns. */
import { z } from "@hono/zod-openapi";
import { conversionEvents } from "../../store/schema";

const SaleSchema = z
  .object({
    leadPointId: z.string(),
    priceCents: z.number().int().describe("What the buyer was charged, in cents."),
    soldAt: z.string(),
    buyerLeadId: z.string().optional().describe("The buyer's own id for the lead, when its post answer gave one."),
  })
  .openapi("BuyerSale");

const ReturnNoteSchema = z.object({ returnedAt: z.string(), reason: z.string() }).openapi("BuyerReturnNote");

export const BoughtLeadSchema = z
  .object({
    leadId: z.string(),
    treeId: z.string(),
    vertical: z.string(),
    score: z.number().int(),
    fields: z.record(z.string(), z.unknown()).describe("Every field of the lead, PII included: the buyer bought it."),
    consent: z.looseObject({ text: z.string(), ip: z.string(), timestamp: z.string() }),
    receivedAt: z.string(),
    sale: SaleSchema,
    return: ReturnNoteSchema.optional().describe("Present once the buyer has returned the lead."),
  })
  .openapi("BoughtLead");

export const LeadReturnSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500).describe("Why the lead is returned (a wrong number, a duplicate…).") })
  .openapi("LeadReturn");

export const ReturnedLeadSchema = z
  .object({
    leadId: z.string(),
    returnedAt: z.string(),
    reason: z.string(),
    refundCents: z.number().int().describe("The charge refunded: the sale's price."),
  })
  .openapi("ReturnedLead");

const ConversionEventSchema = z.enum(conversionEvents).describe("How far the buyer got with the lead: contacted it, quoted it, or sold to it.");

export const ConversionInputSchema = z
  .strictObject({
    event: ConversionEventSchema,
    valueCents: z.number().int().nonnegative().optional().describe("What the event was worth to the buyer, in cents (a quote's or a sale's value)."),
  })
  .openapi("ConversionInput");

export const ConversionSchema = z
  .object({
    id: z.string().describe("`<saleId>:<event>`: one record per sale and event kind."),
    leadId: z.string(),
    saleId: z.string(),
    buyerId: z.string(),
    leadPointId: z.string().describe("The buyer's lead point that bought the lead."),
    event: ConversionEventSchema,
    valueCents: z.number().int().optional(),
    at: z.string().describe("When the exchange recorded the event (the latest report of it)."),
  })
  .openapi("Conversion");
