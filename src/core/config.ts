/**
 * The configuration documents of API.md as zod schemas: the one source of the
 * operator API's validation, the OpenAPI document and the domain types.
 * Objects are strict because an unknown key in a configuration document is a
 * typo the operator must hear about, not a field to drop.
 */
import { z } from "zod";
import { hasConsentWord } from "./consentNames";
import { patternProblem } from "./pattern";

const cents = z.number().int().nonnegative();
const hour = z.number().int().min(0).max(24);
/** A page a consumer's browser is sent to: only http(s), never `javascript:` or `data:`. */
const pageUrl = z.url({ protocol: /^https?$/ });
const timezone = z.string().refine(isTimeZone, { message: "not an IANA time zone" });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const filterOps = [
  "eq", "ne", "in", "nin", "gt", "gte", "lt", "lte", "between", "regex", "exists", "missing",
] as const;

export const FilterSchema = z
  .strictObject({
    field: z.string().min(1),
    op: z.enum(filterOps),
    value: z.unknown().optional(),
    action: z.enum(["decline", "error"]).default("decline"),
    message: z.string().optional(),
  })
  .superRefine((filter, ctx) => {
    const problem = filterValueProblem(filter.op, filter.value);
    if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
  });
export type Filter = z.infer<typeof FilterSchema>;

function filterValueProblem(op: Filter["op"], value: unknown): string | undefined {
  switch (op) {
    case "exists":
    case "missing":
      return undefined;
    case "in":
    case "nin":
      return Array.isArray(value) ? undefined : `op ${op} needs an array value`;
    case "between":
      return Array.isArray(value) && value.length === 2 ? undefined : "op between needs [low, high]";
    case "regex":
      return typeof value === "string" ? patternProblem(value) : "op regex needs a string value";
    default:
      return value === undefined ? `op ${op} needs a value` : undefined;
  }
}

function refusePattern(source: string, ctx: z.RefinementCtx): void {
  const problem = patternProblem(source);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}

export const ResponseMappingSchema = z.strictObject({
  accept: z.union([
    z.strictObject({ path: z.string().min(1), equals: z.string().optional() }),
    z.strictObject({ regex: z.string().min(1).superRefine(refusePattern), equals: z.string().optional() }),
  ]),
  price: z.string().optional(),
  redirectUrl: z.string().optional(),
  buyerLeadId: z.string().optional(),
  reason: z.string().optional(),
  pingToken: z.string().optional(),
  priceUnit: z.enum(["dollars", "cents"]).default("dollars"),
});
export type ResponseMapping = z.infer<typeof ResponseMappingSchema>;

export const EndpointSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  format: z.enum(["json", "form", "xml"]).default("json"),
  headers: z.record(z.string(), z.string()).optional().describe('Sent with every request (buyer credentials live here); the values read back as "***".'),
  secret: z.string().min(8).optional().describe('Signs every request (X-Leadtree-Signature); reads back as "***".'),
  template: z.string().max(16_384).optional(),
  response: ResponseMappingSchema.optional(),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

export const CapsSchema = z.strictObject({
  timezone,
  hourly: z.number().int().positive().optional(),
  daily: z.number().int().positive().optional(),
  total: z.number().int().positive().optional(),
});
export type Caps = z.infer<typeof CapsSchema>;

export const ScheduleSchema = z.strictObject({
  timezone,
  days: z.array(z.number().int().min(0).max(6)).min(1),
  fromHour: hour,
  toHour: hour,
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export const BidRuleSchema = z.strictObject({
  /** Shown in the trace when the rule fires (else its index). */
  name: z.string().min(1).max(100).optional(),
  when: z.array(FilterSchema),
  adjustCents: z.number().int().optional(),
  multiplier: z.number().positive().optional(),
});
export type BidRule = z.infer<typeof BidRuleSchema>;

export const PricingSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("fixed"), priceCents: cents }),
  z.strictObject({ type: z.literal("dynamic") }),
]);
export type Pricing = z.infer<typeof PricingSchema>;

/** The fields a buyer may change on its own lead points (API.md, buyer PATCH). */
export const LeadPointTermsSchema = z.strictObject({
  pricing: PricingSchema,
  caps: CapsSchema.optional(),
  filters: z.array(FilterSchema).default([]),
  bidRules: z.array(BidRuleSchema).default([]),
  schedule: ScheduleSchema.optional(),
  enabled: z.boolean().default(true),
});

export const LeadPointInputSchema = LeadPointTermsSchema.extend({
  buyerId: z.string().min(1),
  name: z.string().min(1).max(200),
  kind: z
    .enum(["ping_post", "direct_post", "copy"])
    .describe(
      "ping_post: pinged, then posted if it wins. direct_post: posted without a ping, at its fixed price or, with dynamic pricing, at the price its post answer names. " +
        "copy: gets the post of every lead its trees sell (a CRM or archive copy), after the sale; never pinged, waited for, counted towards quota or billed.",
    ),
  ping: EndpointSchema.optional(),
  post: EndpointSchema,
  minScore: z.number().int().min(0).max(100).optional(),
  consentNames: z
    .array(z.string().max(200).refine(hasConsentWord, { message: "must contain a letter or digit" }))
    .max(20)
    .optional()
    .describe("The buyer's names as a consent text names it (any one will do): under a tree with consent.requireBuyerNamed, the lead point gets a lead only when its consent text names it (case, punctuation and spacing aside, whole words)."),
  dedupeDays: z
    .number()
    .int()
    .min(1)
    .max(400)
    .optional()
    .describe("Never offered (pinged, posted or copied) a consumer whose phone or email its buyer bought in this many days, from any publisher or tree; off when absent."),
}).superRefine((point, ctx) => {
  if (point.kind === "ping_post" && !point.ping) {
    ctx.addIssue({ code: "custom", path: ["ping"], message: "a ping_post lead point needs a ping endpoint" });
  }
});
export type LeadPointInput = z.infer<typeof LeadPointInputSchema>;
export type LeadPoint = LeadPointInput & { id: string };

export const DuplicateRuleSchema = z
  .strictObject({
    fields: z.array(z.enum(["phone", "email", "ip"])).min(1).max(3).default(["phone", "email"]),
    days: z.number().int().min(1).max(400).default(30),
    action: z.enum(["decline", "flag"]).default("decline"),
  })
  .describe(
    "A lead whose normalized phone, email or IP (as `fields` says) came in an earlier lead of this tree in the last `days` days, from any publisher: declined as unsold with cause `duplicate`, or let through with `duplicateOf` naming the earlier lead (`flag`). Off when absent.",
  );
export type DuplicateRule = z.infer<typeof DuplicateRuleSchema>;

export const PayoutSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("revshare"), percent: z.number().min(0).max(100) }),
  z.strictObject({ type: z.literal("fixed"), amountCents: cents }),
]);
export type Payout = z.infer<typeof PayoutSchema>;

/** A host name, without scheme, port or path: its subdomains count too (core/click/landing.ts). */
const landingDomain = z
  .string()
  .max(253)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, "must be a host name such as landing.example.com (no scheme, port, path or wildcard)");

export const PublisherInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  payout: PayoutSchema,
  postbackUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Where the publisher's click links (GET /v1/click) may send a visitor. */
  landingDomains: z.array(landingDomain).max(50).optional(),
});
export type PublisherInput = z.infer<typeof PublisherInputSchema>;

export const BuyerInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  returnWindowHours: z.number().int().min(0).max(24 * 365).default(72),
});
export type BuyerInput = z.infer<typeof BuyerInputSchema>;

/**
 * No call of a run outlives this, counted from the run's start: a Worker
 * request has 30 s, and the last two settle the lead and answer. A position
 * starts only if its whole timeout (and grace) ends by then.
 */
export const RUN_CEILING_MS = 28_000;

export const PositionSchema = z
  .strictObject({
    leadPointId: z.string().min(1),
    weight: z.number().positive().default(1),
    timeoutSeconds: z.number().positive().max(28).default(10).describe("The time the buyer is given, and told (`${lpi.Allowed Response Time}`)."),
    timeoutGraceMs: z.number().int().min(0).max(10_000).default(0).describe("Extra time an answer is waited for on top of timeoutSeconds; never told to the buyer."),
    minReceivableCents: cents.optional(),
    treatMissingPriceAsZero: z.boolean().default(false),
    abortTierIfNotAccepted: z.boolean().default(false),
    abortTreeIfNotAccepted: z.boolean().default(false),
    countTowardsQuota: z.boolean().default(true),
    enabled: z.boolean().default(true),
  })
  .superRefine((position, ctx) => {
    if (position.timeoutSeconds * 1000 + position.timeoutGraceMs > RUN_CEILING_MS) {
      ctx.addIssue({ code: "custom", path: ["timeoutGraceMs"], message: `timeoutSeconds plus timeoutGraceMs must fit in the ${RUN_CEILING_MS / 1000} s a run has` });
    }
  });
export type Position = z.infer<typeof PositionSchema>;

export const tierModes = ["auction", "ordered", "weighted", "round_robin"] as const;
export type TierMode = (typeof tierModes)[number];

export const TierSchema = z.strictObject({
  name: z.string().min(1),
  mode: z.enum(tierModes),
  runWhich: z.enum(["one", "all"]).default("one"),
  rank: z
    .enum(["price", "expected_value"])
    .default("price")
    .describe("How an auction tier orders its bids: by price, or by price × the lead point's post-accept rate × (1 − its return rate) over the last 30 days, smoothed toward the tree's average."),
  maxSeconds: z.number().positive().max(30).optional(),
  exitOnMaxAccepts: z.boolean().default(true),
  enabled: z.boolean().default(true),
  filters: z.array(FilterSchema).default([]),
  positions: z.array(PositionSchema),
});
export type Tier = z.infer<typeof TierSchema>;

export const FieldSpecSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
  type: z.enum(["string", "number", "boolean", "enum"]),
  required: z.boolean().default(false),
  values: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  pii: z.boolean().default(false),
});
export type FieldSpec = z.infer<typeof FieldSpecSchema>;

/** A run's budget when the tree sets none, and the most it may set: a Worker request has 30 s. */
export const MAX_RUNTIME_SECONDS = 25;

/**
 * How long positions may go on starting in one run of the tree. It is
 * checked before a position starts; one that starts gets its whole timeout,
 * so a run's calls end by RUN_CEILING_MS, not by its runtime.
 */
export function runtimeMsOf(tree: Pick<TreeInput, "maxRuntimeSeconds">): number {
  return (tree.maxRuntimeSeconds ?? MAX_RUNTIME_SECONDS) * 1000;
}

const LEASE_SLACK_MS = 5_000;

/**
 * How long a run holds its key (and its cap reservations) before the gate may
 * recover it: every run's calls end by the ceiling, whatever its runtime.
 */
export function leaseMsOf(_tree: Pick<TreeInput, "maxRuntimeSeconds">): number {
  return RUN_CEILING_MS + LEASE_SLACK_MS;
}

/** How long a publisher's ping holds its reserved bids when the tree does not say: a form's last step is seconds away. */
export const DEFAULT_PING_EXPIRES_SECONDS = 60;

export const TreeInputSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    vertical: z.string().min(1).max(100),
    enabled: z.boolean().default(true),
    uniqueLead: z
      .strictObject({
        durationSeconds: z.number().int().min(0).max(90 * 86_400).default(3600),
        pattern: z.array(z.string().min(1)).min(1).default(["clickId", "treeId"]),
      })
      .default({ durationSeconds: 3600, pattern: ["clickId", "treeId"] }),
    maxAcceptsPerLead: z.number().int().min(1).max(20).default(1),
    maxRuntimeSeconds: z.number().positive().max(MAX_RUNTIME_SECONDS).optional(),
    /** Gate objects of this tree; absent, the Worker's GATE_SHARDS when the version is saved. */
    gateShards: z.number().int().min(1).max(1_000_000_000).optional(),
    scoreFloor: z.number().int().min(0).max(100).default(50),
    cycles: z
      .strictObject({ max: z.number().int().min(1).max(10).default(1), delaySeconds: z.number().int().min(1).default(60) })
      .default({ max: 1, delaySeconds: 60 }),
    response: z
      .strictObject({
        mode: z.enum(["json", "xml", "redirect"]).default("json"),
        acceptUrl: pageUrl.optional(),
        declineUrl: pageUrl.optional(),
        errorUrl: pageUrl.optional(),
        errorList: z
          .strictObject({
            type: z.enum(["none", "html", "tab"]).default("none"),
            param: z.string().min(1).default("err"),
            includeFieldNames: z.boolean().default(false),
          })
          .optional()
          .describe("Redirect mode: the validation errors in errorUrl's `param` parameter, URL-encoded twice (TSL compatible)."),
      })
      .default({ mode: "json" })
      .describe(
        "How the publisher is answered (see submitLead): json; xml, the same fields; redirect, a 302 for a browser form to the buyer's page or acceptUrl (accepted), declineUrl (declined or pending), errorUrl (not valid), a built-in page where the URL is missing.",
      ),
    intake: z
      .strictObject({
        requireHttps: z.boolean().default(false),
        ignoreQueryString: z.boolean().default(true),
        tieFirstOrLast: z.enum(["first", "last"]).default("first"),
        tieGetOrPost: z.enum(["get", "post"]).default("post"),
        requireClickId: z.boolean().default(false),
      })
      .default({ requireHttps: false, ignoreQueryString: true, tieFirstOrLast: "first", tieGetOrPost: "post", requireClickId: false }),
    dailyLimits: z
      .strictObject({ timezone, accepts: z.number().int().positive().optional(), submits: z.number().int().positive().optional() })
      .optional()
      .describe(
        "Per local day in timezone: accepts counts sales; submits counts leads that reach the tree, once per lead (a submit, or an inbound post its gate runs; a ping, or a post refused for its ping, counts nothing). Past either, leads are declined.",
      ),
    duplicates: DuplicateRuleSchema.optional(),
    consent: z
      .strictObject({ requireBuyerNamed: z.boolean().default(false) })
      .optional()
      .describe("requireBuyerNamed: one-to-one consent, every lead point (copies too) gets the lead only when the consent text names it (its consentNames); one without consentNames gets none."),
    pingPost: z
      .strictObject({ expiresSeconds: z.number().int().min(5).max(600).default(DEFAULT_PING_EXPIRES_SECONDS) })
      .optional()
      .describe("Inbound ping-post (POST /v1/trees/:treeId/pings, then /posts): how long a ping's reserved bids wait for its post; 60 s when absent."),
    minBidCents: cents.default(1).describe("The reserve: a lower bid is declined. A bid under the publisher's fixed payout is declined too, so no sale pays out more than its price."),
    notes: z.string().max(10_000).optional().describe("Free text for the operators; stored and read back, never used."),
    fields: z.array(FieldSpecSchema).default([]),
    filters: z.array(FilterSchema).default([]),
    tiers: z.array(TierSchema).min(1),
  })
  .superRefine((tree, ctx) => {
    const seen = new Set<string>();
    tree.tiers.forEach((tier, t) =>
      tier.positions.forEach((position, p) => {
        if (seen.has(position.leadPointId)) {
          ctx.addIssue({
            code: "custom",
            path: ["tiers", t, "positions", p, "leadPointId"],
            message: `lead point ${position.leadPointId} appears more than once in the tree`,
          });
        }
        seen.add(position.leadPointId);
      }),
    );
  });
export type TreeInput = z.infer<typeof TreeInputSchema>;
export type Tree = TreeInput & { id: string; version: number };
