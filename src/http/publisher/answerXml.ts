/**
 * An answer as XML with the same fields as its JSON: each property an
 * element in the JSON's order, each item of a list an element named for the
 * list in the singular (`<fields><field>…</field></fields>`). Built from the
 * JSON body itself, so the two cannot drift apart.
 */
import { escapeXml, xmlDeclaration } from "../../buyers/wire/xml";

function content(name: string, value: unknown): string {
  if (Array.isArray(value)) {
    const item = name.replace(/s$/, "");
    return value.map((v) => element(item, v)).join("");
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).map(([key, v]) => element(key, v)).join("");
  }
  return escapeXml(String(value));
}

function element(name: string, value: unknown): string {
  return value === undefined ? "" : `<${name}>${content(name, value)}</${name}>`;
}

/** `body`'s keys are ours (leadId, status, error…), so they are valid element names as they are. */
export function xmlDocument(root: string, body: object): string {
  return `${xmlDeclaration}${element(root, body)}`;
}
