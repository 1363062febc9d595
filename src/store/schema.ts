/**
 * The D1 schema. Configuration documents are kept whole as JSON (they are
 * validated by the zod schemas of core/config before they are written);
 * what reports and the ledger query is in columns. Every hot table carries
 * the tree id so a database per tenant or per month stays a routing change.
 * Money is integer cents everywhere.
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { FiredBidRule } from "../core/attempt";
import type { CapacityDeclaration } from "../core/capacity";
import type { RankFigures } from "../core/ranking";
import type { LeadPointInput, Payout, TreeInput } from "../core/config";
import type { Consent, LeadFields, ScoreSignal } from "../core/lead";
import type { DuplicateOf } from "../core/consumers";
import type { FitStats, SignalFit } from "../core/score/fit";
import { unsoldCauses } from "../core/unsoldCause";

/** What a stored fit says of itself: its statistics and each signal's weight and support. */
export interface ScoreWeightsFit {
  stats: FitStats;
  signals: SignalFit[];
}

/** review: a post's answer was lost when a run stopped; the lead may be sold and waits for a person. */
export const leadStatuses = ["accepted", "declined", "pending", "unsold", "rejected", "error", "review"] as const;
export const traceOutcomes = ["accepted", "declined", "timeout", "error", "skipped"] as const;
/**
 * A sale writes a charge, a payout and the margin; a return writes their
 * reversals as new lines (never an edit), each the negative of the line it
 * reverses, so every sum over the ledger is the net.
 */
export const ledgerKinds = ["buyer_charge", "publisher_payout", "margin", "buyer_refund", "payout_reversal", "margin_reversal"] as const;

/** A gate count a tree used before, and until when a key admitted under it may still be in its window (epoch ms). */
export interface GateShardEpoch {
  shards: number;
  until: number;
}

const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

export const publishers = sqliteTable("publishers", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  apiKeyHash: text("api_key_hash").notNull().unique(),
  payout: text("payout", { mode: "json" }).$type<Payout>().notNull(),
  postbackUrl: text("postback_url"),
  /** Hosts the publisher's click links may redirect to (lower case); their subdomains count too. */
  landingDomains: text("landing_domains", { mode: "json" }).$type<string[]>().notNull().default([]),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  createdAt: createdAt(),
  updatedAt: text("updated_at").notNull(),
});

export const buyers = sqliteTable("buyers", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  apiKeyHash: text("api_key_hash").notNull().unique(),
  returnWindowHours: integer("return_window_hours").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  createdAt: createdAt(),
  updatedAt: text("updated_at").notNull(),
});

export const leadPoints = sqliteTable(
  "lead_points",
  {
    id: text("id").primaryKey(),
    buyerId: text("buyer_id").notNull().references(() => buyers.id),
    name: text("name").notNull(),
    document: text("document", { mode: "json" }).$type<LeadPointInput>().notNull(),
    /** The buyer's capacity declaration (PUT …/capacity), apart from the document the operator and buyer patch. */
    capacity: text("capacity", { mode: "json" }).$type<CapacityDeclaration>(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("lead_points_buyer").on(t.buyerId)],
);

export const pingTrees = sqliteTable("ping_trees", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  vertical: text("vertical").notNull(),
  version: integer("version").notNull(),
  /** The whole document of the current version. */
  document: text("document", { mode: "json" }).$type<TreeInput>().notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  /** How many gate objects this version's keys spread over (the document's gateShards, else GATE_SHARDS then). */
  gateShards: integer("gate_shards").notNull().default(1),
  /** Earlier gate counts whose unique-lead windows are still open: keys admitted then are found under them. */
  gateShardHistory: text("gate_shard_history", { mode: "json" }).$type<GateShardEpoch[]>().notNull().default([]),
  createdAt: createdAt(),
  updatedAt: text("updated_at").notNull(),
});

/** Every version of every tree, so a lead's trace can name the tree it ran. */
export const pingTreeVersions = sqliteTable(
  "ping_tree_versions",
  {
    treeId: text("tree_id").notNull(),
    version: integer("version").notNull(),
    document: text("document", { mode: "json" }).$type<TreeInput>().notNull(),
    gateShards: integer("gate_shards").notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("ping_tree_versions_pk").on(t.treeId, t.version)],
);

/**
 * One row, bumped by every configuration write: an isolate's cached
 * configuration is valid while the generation it was built from is current.
 */
export const configGeneration = sqliteTable("config_generation", {
  id: integer("id").primaryKey(),
  generation: integer("generation").notNull(),
});

export const leads = sqliteTable(
  "leads",
  {
    id: text("id").primaryKey(),
    treeId: text("tree_id").notNull(),
    treeVersion: integer("tree_version").notNull(),
    publisherId: text("publisher_id").notNull(),
    vertical: text("vertical").notNull(),
    clickId: text("click_id"),
    subId: text("sub_id"),
    subId2: text("sub_id2"),
    subId3: text("sub_id3"),
    /** accepted: sold; unsold: no buyer took it; rejected: screened out before any buyer; pending: held for another cycle. */
    status: text("status", { enum: leadStatuses }).notNull(),
    score: integer("score").notNull(),
    signals: text("signals", { mode: "json" }).$type<ScoreSignal[]>().notNull(),
    /** The score weights version that priced the signals (score_weight_versions); 0 is the hand-set table. */
    scoreWeightsVersion: integer("score_weights_version").notNull().default(0),
    fields: text("fields", { mode: "json" }).$type<LeadFields>().notNull(),
    consent: text("consent", { mode: "json" }).$type<Consent>().notNull(),
    reason: text("reason"),
    /** Why a lead that ended unsold or rejected was not sold, in the vocabulary reports share. */
    cause: text("cause", { enum: unsoldCauses }),
    /** The earlier lead this one duplicates under its tree's duplicate rule (declined or flagged). */
    duplicateOf: text("duplicate_of", { mode: "json" }).$type<DuplicateOf>(),
    redirectUrl: text("redirect_url"),
    priceCents: integer("price_cents").notNull().default(0),
    payoutCents: integer("payout_cents").notNull().default(0),
    ms: integer("ms"),
    receivedAt: text("received_at").notNull(),
    completedAt: text("completed_at"),
  },
  (t) => [
    index("leads_tree_received").on(t.treeId, t.receivedAt),
    // Reports by day or hour read every lead received in a window.
    index("leads_received").on(t.receivedAt),
    index("leads_publisher_received").on(t.publisherId, t.receivedAt),
    index("leads_click").on(t.clickId),
  ],
);

/**
 * Every click a publisher's link sent (GET /v1/click), with its sub-IDs, so
 * reports can follow click → lead → sale: a lead carries its click id. No
 * IP address or user agent: the click id proves itself and needs neither.
 */
export const clicks = sqliteTable(
  "clicks",
  {
    id: text("id").primaryKey(),
    publisherId: text("publisher_id").notNull(),
    subId: text("sub_id"),
    subId2: text("sub_id2"),
    subId3: text("sub_id3"),
    /** The landing URL the visitor was sent to, without the click id added to it. */
    landingUrl: text("landing_url").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("clicks_publisher_created").on(t.publisherId, t.createdAt)],
);

export const leadAttempts = sqliteTable(
  "lead_attempts",
  {
    leadId: text("lead_id").notNull(),
    seq: integer("seq").notNull(),
    treeId: text("tree_id").notNull(),
    leadPointId: text("lead_point_id").notNull(),
    cycle: integer("cycle").notNull().default(1),
    phase: text("phase", { enum: ["ping", "post"] }).notNull(),
    outcome: text("outcome", { enum: traceOutcomes }).notNull(),
    startedAt: text("started_at").notNull(),
    ms: integer("ms").notNull(),
    bidCents: integer("bid_cents"),
    httpStatus: integer("http_status"),
    reason: text("reason"),
    /** The bid rules that fired on this attempt's price (TraceEntry.bidRules); null when none did. */
    bidRules: text("bid_rules", { mode: "json" }).$type<FiredBidRule[]>(),
    /** What an expected-value rank made of this bid (TraceEntry.ranking); null when the tier ranked by price. */
    ranking: text("ranking", { mode: "json" }).$type<RankFigures>(),
  },
  // Reports reach attempts through their leads (by received_at, then lead_id): an index by lead point only cost each trace row's insert.
  (t) => [uniqueIndex("lead_attempts_pk").on(t.leadId, t.seq)],
);

export const sales = sqliteTable(
  "sales",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    treeId: text("tree_id").notNull(),
    leadPointId: text("lead_point_id").notNull(),
    buyerId: text("buyer_id").notNull(),
    publisherId: text("publisher_id").notNull(),
    priceCents: integer("price_cents").notNull(),
    payoutCents: integer("payout_cents").notNull(),
    marginCents: integer("margin_cents").notNull(),
    buyerLeadId: text("buyer_lead_id"),
    redirectUrl: text("redirect_url"),
    soldAt: text("sold_at").notNull(),
  },
  (t) => [
    uniqueIndex("sales_lead_point").on(t.leadId, t.leadPointId),
    index("sales_buyer_sold").on(t.buyerId, t.soldAt),
    index("sales_tree_sold").on(t.treeId, t.soldAt),
  ],
);

/**
 * Double-entry style ledger: a sale writes a buyer charge, a publisher payout
 * and the exchange margin; charge = payout + margin always.
 */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    id: text("id").primaryKey(),
    saleId: text("sale_id").notNull(),
    leadId: text("lead_id").notNull(),
    treeId: text("tree_id").notNull(),
    kind: text("kind", { enum: ledgerKinds }).notNull(),
    /** buyer id, publisher id, or "exchange" */
    partyId: text("party_id").notNull(),
    amountCents: integer("amount_cents").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("ledger_sale").on(t.saleId), index("ledger_party").on(t.partyId, t.createdAt)],
);

/**
 * A buyer's return of a sale, at most one per sale (its key): the row and the
 * sale's reversal ledger lines are written in one batch, and a second return
 * of the same sale finds the row and writes nothing.
 */
export const saleReturns = sqliteTable(
  "returns",
  {
    saleId: text("sale_id").primaryKey(),
    leadId: text("lead_id").notNull(),
    buyerId: text("buyer_id").notNull(),
    reason: text("reason").notNull(),
    returnedAt: text("returned_at").notNull(),
  },
  (t) => [index("returns_buyer_returned").on(t.buyerId, t.returnedAt)],
);

export const postbackTypes = ["sale", "return"] as const;
/** retry: a later attempt is scheduled; delivered: the publisher answered 2xx; gave_up: 24 hours passed without one. */
export const postbackOutcomes = ["retry", "delivered", "gave_up"] as const;

/**
 * Every attempt at a publisher's postback, written by its PostbackSender
 * object after the attempt (the object holds the postback itself); keyed by
 * `<postbackId>:<attempt>`, so a repeated write of an attempt is a no-op.
 */
export const postbackAttempts = sqliteTable(
  "postback_attempts",
  {
    id: text("id").primaryKey(),
    postbackId: text("postback_id").notNull(),
    publisherId: text("publisher_id").notNull(),
    leadId: text("lead_id").notNull(),
    type: text("type", { enum: postbackTypes }).notNull(),
    attempt: integer("attempt").notNull(),
    at: text("at").notNull(),
    /** The publisher's HTTP status; null when no answer came (then `error` says why). */
    httpStatus: integer("http_status"),
    error: text("error"),
    ms: integer("ms").notNull(),
    outcome: text("outcome", { enum: postbackOutcomes }).notNull(),
  },
  (t) => [index("postback_attempts_publisher_at").on(t.publisherId, t.at), index("postback_attempts_at").on(t.at)],
);

export const conversionEvents = ["contacted", "quoted", "sold"] as const;

/**
 * A buyer's feedback on a lead it bought: one row per sale and event kind,
 * keyed `<saleId>:<event>`, so a repeat of an event (a CRM's retry, or a
 * corrected value) replaces the row rather than counting twice. Scorecards
 * and expected-value ranking read these per buyer and per lead point.
 */
export const conversions = sqliteTable(
  "conversions",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    saleId: text("sale_id").notNull(),
    buyerId: text("buyer_id").notNull(),
    leadPointId: text("lead_point_id").notNull(),
    event: text("event", { enum: conversionEvents }).notNull(),
    valueCents: integer("value_cents"),
    at: text("at").notNull(),
  },
  (t) => [index("conversions_buyer_at").on(t.buyerId, t.at), index("conversions_point_at").on(t.leadPointId, t.at)],
);

/**
 * Versions of the score's weights fitted to outcomes (core/score/fit.ts), each
 * whole and never changed: the points per signal and the statistics of its
 * fit. Version 0, the hand-set table, lives in the code, not here.
 */
export const scoreWeightVersions = sqliteTable("score_weight_versions", {
  version: integer("version").primaryKey(),
  createdAt: text("created_at").notNull(),
  /** The window of received leads it was fitted on, [from, to). */
  trainedFrom: text("trained_from").notNull(),
  trainedTo: text("trained_to").notNull(),
  points: text("points", { mode: "json" }).$type<Record<string, number>>().notNull(),
  fit: text("fit", { mode: "json" }).$type<ScoreWeightsFit>().notNull(),
});

/**
 * Every activation of a weights version, appended: the active version is the
 * latest row, so a rollback is one more activation of an older version and
 * the history of what scored leads when stays readable.
 */
export const scoreWeightActivations = sqliteTable(
  "score_weight_activations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    version: integer("version").notNull(),
    activatedAt: text("activated_at").notNull(),
  },
  (t) => [index("score_weight_activations_version").on(t.version)],
);
