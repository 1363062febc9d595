/**
 * The answer to a submitted lead, in the tree's `response.mode`: JSON, XML
 * with the same fields, or a 302 that sends the consumer's browser on (TSL's
 * "redirect mode", for forms that post straight to us). Only the lead's own
 * answer follows the mode: its outcome and its validation errors. Anything
 * refused before or around the run (a bad key, an unknown or disabled tree, a
 * body that cannot be read, a lead in flight, 503) is the contract's JSON
 * error in every mode, since the tree may not even be known then.
 */
import type { Context } from "hono";
import type { Tree } from "../../core/config";
import { errorPageUrl } from "../../core/errorList";
import type { FieldError } from "../../core/lead";
import type { LeadAnswer } from "../../exchange/settlement";
import type { AppEnv } from "../router";
import { errorPage, receivedPage } from "./answerPage";
import { xmlDocument } from "./answerXml";

export type IntakeOutcome = { kind: "answered"; answer: LeadAnswer } | { kind: "invalid"; message: string; errors: FieldError[] };

type TreeResponse = Tree["response"];

/** The built-in pages load nothing, so they can forbid everything but their own inline style. */
const pageHeaders = { "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" };

/** The JSON body and status of an outcome; XML carries the same body. */
function bodyOf(outcome: IntakeOutcome) {
  if (outcome.kind === "answered") return { status: 200 as const, body: outcome.answer };
  return { status: 400 as const, body: { status: "error" as const, error: { code: "validation_failed" as const, message: outcome.message, fields: outcome.errors } } };
}

/**
 * Where the browser goes: an accepted lead to the winning buyer's page (the
 * answer already falls back to the tree's acceptUrl); a declined one to
 * declineUrl, and so does a pending one: no buyer has it yet, and an accept
 * page usually fires the publisher's conversion pixel.
 */
function destinationOf(response: TreeResponse, answer: LeadAnswer): string | undefined {
  return answer.status === "accepted" ? answer.redirectUrl : response.declineUrl;
}

function redirectTo(c: Context<AppEnv>, url: string): Response {
  // The URL parser drops tabs and line breaks a buyer's URL may carry, which a Location header cannot.
  return c.redirect(new URL(url).href, 302);
}

function redirectAnswer(c: Context<AppEnv>, response: TreeResponse, outcome: IntakeOutcome): Response {
  if (outcome.kind === "invalid") {
    if (response.errorUrl) return redirectTo(c, errorPageUrl(response.errorUrl, outcome.errors, response.errorList));
    return c.html(errorPage(outcome.errors), 400, pageHeaders);
  }
  const destination = destinationOf(response, outcome.answer);
  // No page to send the consumer to: a neutral thank-you, never the JSON, whose payout is not the consumer's business.
  return destination ? redirectTo(c, destination) : c.html(receivedPage(outcome.answer.leadId), 200, pageHeaders);
}

export function answerPublisher(c: Context<AppEnv>, response: TreeResponse, outcome: IntakeOutcome): Response {
  switch (response.mode) {
    case "json": {
      const { status, body } = bodyOf(outcome);
      return c.json(body, status);
    }
    case "xml": {
      const { status, body } = bodyOf(outcome);
      return c.body(xmlDocument("response", body), status, { "content-type": "application/xml; charset=UTF-8" });
    }
    case "redirect":
      return redirectAnswer(c, response, outcome);
  }
}
