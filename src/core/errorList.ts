/**
 * TSL-compatible error lists (API.md, "Error lists in redirects"): a redirect
 * tree sends a lead's validation errors to its error page in one query
 * parameter, so the page can show them beside its form. TSL pages decode the
 * value twice, so it is URL-encoded twice; a page that does not expect a list
 * (`type: "none"`) gets the error URL untouched.
 */
import type { Tree } from "./config";
import { escapeHtml } from "./html";
import type { FieldError } from "./lead";

export type ErrorListSettings = NonNullable<Tree["response"]["errorList"]>;

/** A tab or line break inside a message would split it into two entries of a `tab` list. */
function oneLine(text: string): string {
  return text.replace(/[\t\r\n]+/g, " ");
}

/** Encoding throws on a lone surrogate half, which an operator's filter message may hold. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/**
 * The list as the error page reads it once decoded, or undefined when the
 * tree wants none. The page pastes an `html` list into its own markup, so
 * its messages and field names are escaped.
 */
export function errorListText(errors: readonly FieldError[], settings: ErrorListSettings): string | undefined {
  switch (settings.type) {
    case "none":
      return undefined;
    case "tab":
      return errors.map((e) => oneLine(settings.includeFieldNames ? `${e.path}=${e.message}` : e.message)).join("\t");
    case "html":
      return errors.map((e) => (settings.includeFieldNames ? `<LI title='${escapeHtml(e.path)}'>` : "<LI>") + `${escapeHtml(e.message)}</LI>`).join("");
  }
}

/**
 * encodeURIComponent, and `!'()*` too: a URL parser percent-encodes `'` in a
 * query itself, so a Location would otherwise differ from the URL made here.
 */
function encodeStrictly(text: string): string {
  return encodeURIComponent(wellFormed(text)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `name=value` added to a URL's query, before its fragment, whatever query it
 * already has: `?` when none, nothing when it ends in `?` or `&`, else `&`.
 * `value` must already be encoded.
 */
function withQueryParam(url: string, name: string, value: string): string {
  const hashAt = url.indexOf("#");
  const [base, fragment] = hashAt === -1 ? [url, ""] : [url.slice(0, hashAt), url.slice(hashAt)];
  const separator = !base.includes("?") ? "?" : /[?&]$/.test(base) ? "" : "&";
  return `${base}${separator}${encodeStrictly(name)}=${value}${fragment}`;
}

/** Where a redirect tree sends a lead that failed validation: its error URL, with the error list when it asks for one. */
export function errorPageUrl(errorUrl: string, errors: readonly FieldError[], settings: ErrorListSettings | undefined): string {
  if (!settings) return errorUrl;
  const text = errorListText(errors, settings);
  if (text === undefined) return errorUrl;
  return withQueryParam(errorUrl, settings.param, encodeStrictly(encodeStrictly(text)));
}
