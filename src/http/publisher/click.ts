/**
 * `GET /v1/click/:publisherId?to=…&sub=…`: the link a publisher puts in its
 * ads. Issues a click id (self-verifying, core/click/clickId.ts), sends the
 * visitor on to the landing page with the id as its `c` parameter and in a
 * cookie, and stores the click with its sub-IDs after the answer has gone.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { setCookie } from "hono/cookie";
import { signClickId } from "../../core/click/clickId";
import { cookieDomain, landingOf, withClickId } from "../../core/click/landing";
import { recordClick, type ClickRecord } from "../../store/clicks";
import type { Db } from "../../store/db";
import { newClickToken } from "../../store/ids";
import { servicesOf } from "../../store/services";
import { clickKeyOf } from "../clickKey";
import { ApiError } from "../errors";
import { errorAnswer, openRoute } from "../operations";
import type { AppEnv } from "../router";

/** Not HttpOnly: where the exchange is served under the landing domain, the landing page's script reads it to fill the form's click id. */
const CLICK_COOKIE = "lt_click";
/** The usual affiliate attribution window: a visitor who comes back within it still brings the click. */
const CLICK_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;

const text = (description: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be given once, as text") }).describe(description);
const subId = (which: string) => text(`${which}, stored with the click (at most 255 characters).`).max(255, "must be at most 255 characters").optional();

const ClickQuerySchema = z.object({
  to: text("The landing page: an absolute http(s) URL on one of the publisher's landingDomains or their subdomains.").min(1, "is required"),
  sub: subId("The publisher's sub-ID (a campaign, an ad…)"),
  sub2: subId("A second sub-ID"),
  sub3: subId("A third sub-ID"),
});

const PublisherIdParam = z.object({ publisherId: z.string().min(1).max(100) });

export function registerClickLinks(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    openRoute("publisher", {
      method: "get",
      path: "/click/{publisherId}",
      operationId: "createClick",
      summary: "Issue a click id and send the visitor to the landing page",
      description: [
        "The link a publisher puts in its ads; no credential. Answers 302 to `to` with the click id added as its `c` query parameter",
        `(the rest of the query kept as written, a \`c\` already there replaced), and sets the cookie \`${CLICK_COOKIE}\` to the same id:`,
        "readable by script (not HttpOnly), Secure, SameSite=Lax, 30 days, on the landing domain when the exchange is served under it",
        "(a tracking subdomain), else on the exchange's own host. Submit the id with the lead as `clickId` (or `c`);",
        "a tree with `intake.requireClickId` takes only ids issued here for the lead's publisher.",
        "Other query parameters (an ad network's own) are ignored.",
      ].join(" "),
      request: { params: PublisherIdParam, query: ClickQuerySchema },
      responses: {
        302: {
          description: "To the landing page, with the click id",
          headers: z.object({
            Location: z.string().describe("`to` with `c=<click id>` in its query"),
            "Set-Cookie": z.string().describe(`\`${CLICK_COOKIE}=<click id>\``),
          }),
        },
        400: errorAnswer("`to` is missing or not on the publisher's landing domains, or a sub-ID is too long"),
        404: errorAnswer("No such publisher, or it is disabled"),
        503: errorAnswer("Click tracking is not configured (no CLICK_SECRET)"),
      },
    }),
    async (c) => {
      const { publisherId } = c.req.valid("param");
      const query = c.req.valid("query");
      const services = servicesOf(c.env);
      const publisher = await services.config.publisherById(services.db, publisherId);
      if (!publisher?.enabled) throw new ApiError("not_found", `No publisher ${publisherId} takes clicks here.`);
      const landing = landingOf(query.to, publisher.landingDomains);
      if ("error" in landing) {
        throw new ApiError("validation_failed", `The landing URL is not allowed: it ${landing.error}.`, [{ path: "to", message: landing.error }]);
      }

      const clickId = await signClickId(await clickKeyOf(c.env), publisher.id, newClickToken());
      const domain = cookieDomain(new URL(c.req.url).hostname, landing.value);
      setCookie(c, CLICK_COOKIE, clickId, { path: "/", maxAge: CLICK_COOKIE_MAX_AGE_SECONDS, secure: true, sameSite: "Lax", ...(domain ? { domain } : {}) });
      // Each answer carries a new click id: a cached one would hand the same id to every visitor.
      c.header("cache-control", "no-store");
      const click = { id: clickId, publisherId: publisher.id, subId: query.sub, subId2: query.sub2, subId3: query.sub3, landingUrl: landing.value.url.href, createdAt: new Date().toISOString() };
      c.executionCtx.waitUntil(storeClick(services.db, click));
      return c.redirect(withClickId(landing.value.url, clickId), 302);
    },
  );
}

/** The click id is valid without its row, so a failed write costs a report line, not the visitor's lead. */
async function storeClick(db: Db, click: ClickRecord): Promise<void> {
  try {
    await recordClick(db, click);
  } catch (error) {
    console.error("click not stored", click.id, error);
  }
}
