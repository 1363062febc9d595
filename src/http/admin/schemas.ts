/**
 * Documents of the operator API: the inputs as core validates them, and the
 * responses derived from them. Each is a named component of the OpenAPI
 * document, so a generated client has a `Tree` or a `LeadPointInput` type
 * rather than an anonymous shape per operation.
 */
import { z } from "@hono/zod-openapi";
import { BuyerInputSchema, LeadPointInputSchema, PayoutSchema, PublisherInputSchema, TreeInputSchema } from "../../core/config";

const record = { id: z.string(), enabled: z.boolean(), createdAt: z.string(), updatedAt: z.string() };

export const PublisherInput = PublisherInputSchema.openapi("PublisherInput");
export const BuyerInput = BuyerInputSchema.openapi("BuyerInput");
export const LeadPointInput = LeadPointInputSchema.openapi("LeadPointInput");
export const TreeInput = TreeInputSchema.openapi("TreeInput");

export const PublisherSchema = z.object({ ...record, name: z.string(), payout: PayoutSchema, postbackUrl: z.string().optional(), landingDomains: z.array(z.string()) }).openapi("Publisher");
export const BuyerSchema = z.object({ ...record, name: z.string(), returnWindowHours: z.number().int() }).openapi("Buyer");
const apiKey = z.string().describe("Shown once; only its hash is stored.");
export const CreatedPublisherSchema = PublisherSchema.extend({ apiKey }).openapi("CreatedPublisher");
export const CreatedBuyerSchema = BuyerSchema.extend({ apiKey }).openapi("CreatedBuyer");
export const LeadPointSchema = z.looseObject({ ...record, ...LeadPointInputSchema.shape }).openapi("LeadPoint");
export const TreeSchema = z.looseObject({ ...record, ...TreeInputSchema.shape, version: z.number().int() }).openapi("Tree");

export const TreeIdParam = z.object({
  treeId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a tree id is 1–64 letters, digits, '-' or '_'"),
});

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
