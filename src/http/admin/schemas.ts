/** Response documents of the operator API, derived from the input schemas. */
import { z } from "zod";
import { LeadPointInputSchema, PayoutSchema, TreeInputSchema } from "../../core/config";

const record = { id: z.string(), enabled: z.boolean(), createdAt: z.string(), updatedAt: z.string() };

export const PublisherSchema = z.object({ ...record, name: z.string(), payout: PayoutSchema, postbackUrl: z.string().optional() });
export const BuyerSchema = z.object({ ...record, name: z.string(), returnWindowHours: z.number().int() });
export const CreatedPublisherSchema = PublisherSchema.extend({ apiKey: z.string().describe("Shown once; only its hash is stored.") });
export const CreatedBuyerSchema = BuyerSchema.extend({ apiKey: z.string().describe("Shown once; only its hash is stored.") });
export const LeadPointSchema = z.looseObject({ ...record, ...LeadPointInputSchema.shape });
export const TreeSchema = z.looseObject({ ...record, ...TreeInputSchema.shape, version: z.number().int() });

export const IdParam = z.object({ id: z.string().min(1).max(100) });
export const TreeIdParam = z.object({
  treeId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a tree id is 1–64 letters, digits, '-' or '_'"),
});

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
