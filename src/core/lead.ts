/**
 * The lead as the exchange holds it once intake has validated it. Every later
 * step (scoring, filters, pings, posts, the ledger) reads this shape.
 */
import type { ConsumerFacts, DuplicateOf } from "./consumers";

/** A normalized field value: text, a number, or a yes/no. */
export type FieldValue = string | number | boolean;
export type LeadFields = Record<string, FieldValue>;

/** The consent record as the publisher sent it (normalized by intake). */
export interface ConsentRecord {
  text: string;
  ip: string;
  /** ISO-8601 UTC. */
  timestamp: string;
  pageUrl?: string;
  /** A consent certificate (TrustedForm, Jornaya…): an https URL. */
  certificateUrl?: string;
  userAgent?: string;
}

/** The record as stored and posted to buyers. */
export interface Consent extends ConsentRecord {
  /** Hex SHA-256 of `text`, taken at intake: lets a buyer or an auditor show which exact text the consumer agreed to. */
  textSha256: string;
}

/** What the publisher sent besides the lead's own fields. */
export interface SubmissionMeta {
  clickId?: string;
  subId?: string;
  subId2?: string;
  subId3?: string;
}

/**
 * What the exchange saw of this lead's consumer before it, across every tree
 * and publisher: the earlier leads of the last `hours` hours with the same
 * normalized phone, email or IP. The consumer objects count them; the score
 * reads them as velocity.
 */
export interface ConsumerHistory {
  hours: number;
  phone: number;
  email: number;
  ip: number;
}

export interface ScoreSignal {
  /** A stable machine name, e.g. `email_disposable`. */
  name: string;
  /** Points taken off (negative) or added. */
  points: number;
  detail: string;
}

export interface LeadScore {
  score: number;
  signals: ScoreSignal[];
  /** The version of the score weights that priced the signals: 0 is the hand-set table. */
  weightsVersion: number;
}

export interface Lead extends SubmissionMeta {
  id: string;
  treeId: string;
  treeVersion: number;
  vertical: string;
  publisherId: string;
  /** All fields, PII included: standard names plus the tree's own qualifiers. */
  fields: LeadFields;
  consent: Consent;
  score: number;
  signals: ScoreSignal[];
  /** The score weights version the lead was scored with (LeadScore.weightsVersion); absent on leads scored before versions existed, read as 0. */
  scoreWeightsVersion?: number;
  /** ISO-8601 UTC. */
  receivedAt: string;
  /** The consumer's keys and purchases when the lead arrived; absent when it had no phone, email or IP, or its objects could not be asked. */
  consumer?: ConsumerFacts;
  /** The earlier lead of the tree this one duplicates, under the tree's duplicate rule. */
  duplicateOf?: DuplicateOf;
}

/** A problem with one field of a submission, named by its path. */
export interface FieldError {
  path: string;
  message: string;
}
