/** Credentials per audience (API.md, Auth): operator bearer token, publisher key. */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors";
import type { AppEnv } from "./router";

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
