/**
 * What a publisher sends and gets back at intake, as named components with
 * examples, so an integrator's generated client and a pasted Postman
 * collection both start from a lead that works.
 */
import { z } from "@hono/zod-openapi";
import { errorPageUrl } from "../../core/errorList";
import { ErrorBodySchema } from "../errors";
import { xmlDocument } from "./answerXml";

export const LeadAnswerSchema = z
  .object({
    leadId: z.string(),
    status: z.enum(["accepted", "declined", "pending"]),
    payoutCents: z.number().int().optional(),
    redirectUrl: z.string().optional().describe("The winning buyer's URL as it gave it, else the tree's acceptUrl."),
  })
  // The same fields as XML (response.mode "xml"): elements of a <response> root.
  .openapi("LeadAnswer", { xml: { name: "response" } });

/** The contract's lead validation answer: the error shape, marked `status: "error"`. */
export const LeadRejectionSchema = ErrorBodySchema.extend({ leadId: z.string().optional(), status: z.literal("error") }).openapi("LeadRejection", { xml: { name: "response" } });

/** A built-in page of a redirect tree (a consumer's browser reads it). */
export const AnswerPageSchema = z.string().openapi("AnswerPage", { description: "A self-contained HTML page: no scripts, fonts or images." });

/** A 400 at intake: the lead's fields are to blame, or the body could not be read at all. */
export const IntakeBadRequestSchema = z.union([LeadRejectionSchema, ErrorBodySchema]);

export const IdempotencyHeader = z.object({
  "Idempotency-Key": z.string().min(1).max(255).optional().describe("1–255 characters. The same key and body get the stored answer; the same key with another body is 409."),
});

const consent = { text: "I agree to be contacted by insurance partners.", ip: "203.0.113.7", timestamp: "2026-11-28T13:49:15Z" };

export const SubmissionSchema = z
  .looseObject({
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    zip: z.string().optional(),
    clickId: z
      .string()
      .optional()
      .describe("Alias c. Issued by GET /v1/click/{publisherId}, which a tree with intake.requireClickId insists on. With the tree's unique-lead rule, a resubmitted click id gets the first answer."),
    consent: z
      .object({
        text: z.string(),
        ip: z.string(),
        timestamp: z.string(),
        pageUrl: z.string().optional(),
        userAgent: z.string().optional(),
        certificateUrl: z.string().optional().describe("A consent certificate (TrustedForm, Jornaya): an absolute https URL, at most 2048 characters."),
      })
      .loose()
      .optional()
      .describe("Stored with textSha256, the SHA-256 of its text, and posted to every buyer that gets the lead. A tree with consent.requireBuyerNamed sells only to lead points whose consentNames the text names."),
    fillSeconds: z
      .union([z.number().min(0), z.string()])
      .optional()
      .describe("Seconds the consumer spent on the web form, first display to submit. Under 3 s costs the lead's score (form_fill_too_fast). Not a lead field: buyers never get it."),
    formStartedAt: z
      .string()
      .optional()
      .describe("Instead of fillSeconds: when the form was first shown (ISO-8601 with a zone, or unix seconds); intake counts the seconds to the submit."),
    hp: z
      .unknown()
      .optional()
      .describe("The form's honeypot: an input hidden from people (CSS, not type=hidden), sent empty. Any value costs the score heavily (form_honeypot_filled)."),
  })
  .describe("Lead fields, clickId (alias c), subId…subId3, the consent record and the form's evidence (fillSeconds or formStartedAt, hp); the tree's own fields too.")
  .openapi("LeadSubmission");

export const FormSubmissionSchema = z
  .record(z.string(), z.string())
  .describe("The same fields flat, the consent record as consent_text, consent_ip, consent_timestamp…, the form's fillSeconds or formStartedAt and its honeypot hp; the key may come as api_key.")
  .openapi("LeadFormSubmission");

/** A lead whose email and phone cannot be right; the 400 example below is the Worker's answer to it. */
export const invalidLeadExample = {
  firstName: "Maria",
  lastName: "Lopez",
  email: "maria.lopez@",
  phone: "555",
  zip: "10001",
  consent,
};

const rejectedAnswer = {
  status: "error",
  error: {
    code: "validation_failed",
    message: "The lead is not valid.",
    fields: [
      { path: "email", message: "must be a valid email address" },
      { path: "phone", message: "must be a possible US phone number" },
    ],
  },
};

export const intakeExamples = {
  json: {
    lead: {
      summary: "A lead with its consent record",
      value: { firstName: "Maria", lastName: "Lopez", email: "maria.lopez@gmail.com", phone: "212-736-4100", zip: "10001", clickId: "clk-1001", subId: "spring", consent },
    },
    invalid: { summary: "A lead that fails validation (see the 400 example)", value: invalidLeadExample },
  },
  form: {
    lead: {
      summary: "A browser form post, key in the body",
      value: {
        api_key: "lt_pub_…",
        firstName: "Maria",
        lastName: "Lopez",
        email: "maria.lopez@gmail.com",
        phone: "212-736-4100",
        zip: "10001",
        c: "clk-1001",
        consent_text: consent.text,
        consent_ip: consent.ip,
        consent_timestamp: consent.timestamp,
      },
    },
  },
  accepted: { summary: "Sold", value: { leadId: "ld_3f9c2a7e1b8d4c6a0e5f", status: "accepted", payoutCents: 877, redirectUrl: "https://buyer.example/thank-you" } },
  declined: { summary: "No buyer took it", value: { leadId: "ld_7a1e4c9b2d6f8a3c5e0b", status: "declined" } },
  pending: { summary: "Held to be run again (the tree's cycles); read its status later", value: { leadId: "ld_c4b8e2a6f0d9c3e7a1f5", status: "pending" } },
  rejected: { summary: "Validation failed: the fields to blame", value: rejectedAnswer },
};

/** What a browser gets from a redirect tree; the error page's URL is the tree's own. */
export const redirectExamples = {
  accepted: { summary: "Sold: to the buyer's page, else the tree's acceptUrl", value: "https://buyer.example/thank-you" },
  declined: { summary: "Not sold, or pending: to the tree's declineUrl", value: "https://publisher.example/thanks" },
  rejected: {
    summary: "Not valid: to the tree's errorUrl, the errorList (here tab, with field names) URL-encoded twice",
    value: errorPageUrl("https://publisher.example/form", rejectedAnswer.error.fields, { type: "tab", param: "err", includeFieldNames: true }),
  },
};

/** The JSON examples as the Worker writes them in XML. */
export const xmlExamples = {
  accepted: { summary: intakeExamples.accepted.summary, value: xmlDocument("response", intakeExamples.accepted.value) },
  declined: { summary: intakeExamples.declined.summary, value: xmlDocument("response", intakeExamples.declined.value) },
  rejected: { summary: intakeExamples.rejected.summary, value: xmlDocument("response", rejectedAnswer) },
};
