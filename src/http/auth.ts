/** Credentials per audience (API.md, Auth): operator bearer token, publisher key, buyer bearer key. */
import type { Context, MiddlewareHandler } from "hono";
import type { Publisher } from "../store/config";
import { presentedKeyHash } from "../store/ids";
import { servicesOf, type Services } from "../store/services";
import { ApiError } from "./errors";
import type { AppEnv, BuyerEnv } from "./router";

const encoder = new TextEncoder();

async function sameSecret(given: string, expected: string): Promise<boolean> {
  // Compare digests so the comparison is constant-time and length-independent.
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(given)), crypto.subtle.digest("SHA-256", encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  const expected = c.env.ADMIN_TOKEN;
  if (!token || !expected || !(await sameSecret(token, expected))) {
    throw new ApiError("unauthorized", "A valid operator token is required: Authorization: Bearer <ADMIN_TOKEN>.");
  }
  await next();
};

/** The publisher of an `X-Api-Key` header, or of an `api_key` field of a form post (`fields`). */
export async function authenticatePublisher(c: Context<AppEnv>, services: Services, fields: Record<string, unknown>): Promise<Publisher> {
  const formKey = fields["api_key"];
  const key = c.req.header("x-api-key") ?? (typeof formKey === "string" ? formKey : Array.isArray(formKey) ? formKey[0] : undefined);
  if (!key) throw new ApiError("unauthorized", "A publisher API key is required: X-Api-Key header or api_key form field.");
  const publisher = await services.config.publisher(services.db, await presentedKeyHash(key));
  if (!publisher || !publisher.enabled) throw new ApiError("unauthorized", "The publisher API key is not valid.");
  return publisher;
}

/** The buyer of an `Authorization: Bearer <buyer key>` header, as `c.var.buyer`; a disabled buyer's key is refused like a wrong one. */
export const requireBuyer: MiddlewareHandler<BuyerEnv> = async (c, next) => {
  const key = bearerToken(c.req.header("authorization"));
  if (!key) throw new ApiError("unauthorized", "A buyer API key is required: Authorization: Bearer <buyer key>.");
  const services = servicesOf(c.env);
  const buyer = await services.config.buyer(services.db, await presentedKeyHash(key));
  if (!buyer || !buyer.enabled) throw new ApiError("unauthorized", "The buyer API key is not valid.");
  c.set("buyer", buyer);
  await next();
};
