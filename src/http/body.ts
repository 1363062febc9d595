/** Request-body guards shared by every audience. */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./errors";
import type { AppEnv } from "./router";

export const MAX_BODY_BYTES = 64 * 1024;

export const limitBody: MiddlewareHandler<AppEnv> = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", "The request body is larger than 64 KiB.");
  },
});

export function isJson(contentType: string | undefined): boolean {
  return /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(contentType ?? "");
}

export function isForm(contentType: string | undefined): boolean {
  return /^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? "");
}

/**
 * Configuration documents are JSON: another content type is 415 and a body
 * that does not parse is 400 invalid_json, before the schema is consulted.
 * Hono caches the parsed body, so the route's validator does not parse twice.
 */
export const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!["POST", "PUT", "PATCH"].includes(c.req.method)) return next();
  // An action that takes no document (POST …/rotate-key) is sent without a body, and so without a content type.
  const bodiless = c.req.raw.body === null || c.req.header("content-length") === "0";
  if (bodiless && c.req.header("content-type") === undefined) return next();
  if (!isJson(c.req.header("content-type"))) {
    throw new ApiError("unsupported_media_type", "Send the document as application/json.");
  }
  try {
    await c.req.json();
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid JSON.");
  }
  await next();
};
