/**
 * Documents of the operator API: the inputs as core validates them, and the
 * responses derived from them. Each is a named component of the OpenAPI
 * document, so a generated client has a `Tree` or a `LeadPointInput` type
 * rather than an anonymous shape per operation.
 */
import { z } from "@hono/zod-openapi";
import { HIDDEN } from "../../core/credentials";
import { BuyerInputSchema, EndpointSchema, LeadPointInputSchema, PayoutSchema, PublisherInputSchema, TreeInputSchema } from "../../core/config";

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

/**
 * A field of a PATCH body: absent means "unchanged", so no default is filled
 * in; a field the document may leave out may also be null, which removes it.
 */
type PatchField<S> =
  S extends z.ZodDefault<infer Inner> ? z.ZodOptional<Inner> : S extends z.ZodOptional<infer Inner> ? z.ZodOptional<z.ZodNullable<Inner>> : S extends z.ZodType ? z.ZodOptional<S> : never;

function patchField(field: z.core.$ZodType): z.core.$ZodType {
  if (field instanceof z.ZodDefault) return z.optional(field.unwrap());
  if (field instanceof z.ZodOptional) return z.optional(z.nullable(field.unwrap()));
  return z.optional(field);
}

/** The partial, strict twin of a document's schema: the same rules for each field it names, unknown fields refused. */
function patchOf<Shape extends z.ZodRawShape>(shape: Shape) {
  const fields = Object.fromEntries(Object.entries(shape).map(([name, field]) => [name, patchField(field)]));
  return z.strictObject(fields as { [K in keyof Shape]: PatchField<Shape[K]> });
}

const enabled = z.boolean().describe("false disables, as DELETE does; true enables again.");
const keptSecret = z.literal(HIDDEN).describe('Keeps the stored secret, as a read shows it.');
const EndpointPatch = patchOf({
  ...EndpointSchema.shape,
  secret: z.union([keptSecret, EndpointSchema.shape.secret.unwrap()]).optional().describe('A new signing secret; "***" keeps the stored one; null removes it.'),
  headers: EndpointSchema.shape.headers.describe('Every header to send: a value of "***" keeps the stored value of that name; a name left out is removed.'),
}).openapi("EndpointPatch");

export const PublisherPatch = patchOf(PublisherInputSchema.shape).extend({ enabled: enabled.optional() }).openapi("PublisherPatch");
export const BuyerPatch = patchOf(BuyerInputSchema.shape).extend({ enabled: enabled.optional() }).openapi("BuyerPatch");
export const LeadPointPatch = patchOf({ ...LeadPointInputSchema.shape, ping: EndpointPatch.optional(), post: EndpointPatch }).openapi("LeadPointPatch");
export const RotatedKeySchema = z.object({ apiKey }).openapi("RotatedKey");
