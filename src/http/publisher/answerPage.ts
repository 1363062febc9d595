/**
 * The built-in pages of a redirect tree, for a consumer's browser when the
 * tree names no page of its own: one self-contained document each (no
 * scripts, fonts or images), every value in it escaped.
 */
import { escapeHtml } from "../../core/html";
import type { FieldError } from "../../core/lead";

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1f2328}main{max-width:36rem;margin:0 auto}h1{font-size:1.5rem}li{margin:.25rem 0}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** A lead that failed validation: what to correct, field by field. */
export function errorPage(errors: readonly FieldError[]): string {
  const items = errors.map((e) => `<li><strong>${escapeHtml(e.path)}</strong> ${escapeHtml(e.message)}</li>`).join("\n");
  return page("Please check your details", `<p>We could not take your request:</p>\n<ul>\n${items}\n</ul>\n<p>Go back, correct these and send it again.</p>`);
}

/** A lead taken, where the tree has no page for its outcome: the same words whatever the outcome. */
export function receivedPage(leadId: string): string {
  return page("Thank you", `<p>Your request has been received.</p>\n<p>Reference: ${escapeHtml(leadId)}</p>`);
}
