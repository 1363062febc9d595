/**
 * The contract's one error shape. Handlers and middleware throw ApiError;
 * one onError answers every failure, so no route can leak a stack.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
// zod as @hono/zod-openapi extends it, so the error shape can be named as a component here, where it is defined.
import { z } from "@hono/zod-openapi";
import { PiiKeyError } from "../core/piiSeal";

export const errorCodes = [
  "bad_request",
  "invalid_json",
  "validation_failed",
  "unauthorized",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "unprocessable",
  "rate_limited",
  "ping_used",
  "ping_expired",
  "ping_mismatch",
  "unavailable",
  "internal_error",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case "bad_request":
    case "invalid_json":
    case "validation_failed":
      return 400;
    case "unauthorized":
      return 401;
    case "not_found":
      return 404;
    case "conflict":
    case "ping_used":
    case "ping_expired":
      return 409;
    case "payload_too_large":
      return 413;
    case "unsupported_media_type":
      return 415;
    case "unprocessable":
    case "ping_mismatch":
      return 422;
    case "rate_limited":
      return 429;
    case "unavailable":
      return 503;
    case "internal_error":
      return 500;
  }
}

export interface ErrorField {
  path: string;
  message: string;
}

/** Every error answer of the API; the OpenAPI document has it once, as the `Error` component, and refers to it. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      // In XML (a tree's lead answers): <fields><field><path/><message/></field>…</fields>.
      fields: z
        .array(z.object({ path: z.string(), message: z.string() }).openapi({ xml: { name: "field" } }))
        .openapi({ xml: { wrapped: true } })
        .optional()
        .describe("Present when particular fields are to blame."),
      requestId: z.string().optional(),
    }),
  })
  .openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: ErrorField[],
  ) {
    super(message);
  }

  get status(): ContentfulStatusCode {
    return statusOf(this.code);
  }

  body(requestId?: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields?.length ? { fields: this.fields } : {}),
        ...(requestId ? { requestId } : {}),
      },
    };
  }
}

/** zod issues as the contract's field list: `tiers.0.positions.1.leadPointId`. */
export function fieldsOf(error: z.ZodError): ErrorField[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
}

export function validationError(error: z.ZodError, message = "The request is not valid."): ApiError {
  return new ApiError("validation_failed", message, fieldsOf(error));
}

export function errorResponse(c: Context, error: ApiError): Response {
  return c.json(error.body(c.req.header("cf-ray") ?? undefined), error.status);
}

function fromFramework(error: HTTPException): ApiError {
  switch (error.status) {
    case 401:
      return new ApiError("unauthorized", "Missing or invalid credentials.");
    case 404:
      return new ApiError("not_found", "Not found.");
    case 413:
      return new ApiError("payload_too_large", "The request body is larger than 64 KiB.");
    case 415:
      return new ApiError("unsupported_media_type", "Unsupported content type.");
    default:
      return error.status < 500
        ? new ApiError("bad_request", "The request could not be read.")
        : new ApiError("internal_error", "Something went wrong on our side.");
  }
}

/** The 503 of a route that seals or opens PII, as the OpenAPI document describes it. */
export const PII_UNAVAILABLE = "PII cannot be sealed or opened: the PII_KEY secret is not set, is malformed, or lacks the key a lead was sealed under";

/** Our error → its code; a framework error → mapped; anything else → logged, generic answer. */
export function onError(error: Error, c: Context): Response {
  if (error instanceof ApiError) return errorResponse(c, error);
  if (error instanceof HTTPException) return errorResponse(c, fromFramework(error));
  // A deployment without a usable PII_KEY stores and shows no PII: the operator is told what to fix.
  if (error instanceof PiiKeyError) return errorResponse(c, new ApiError("unavailable", error.message));
  console.error("unhandled error", c.req.method, c.req.path, error);
  return errorResponse(c, new ApiError("internal_error", "Something went wrong on our side."));
}
