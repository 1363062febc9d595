/**
 * A PATCH of a configuration document: each field it names replaces the
 * stored one, `null` removes an optional field, and what it leaves out
 * stays. A lead point's endpoints (ping, post) are patched member by member,
 * so changing a URL keeps the endpoint's format, mapping and credentials.
 * The result is a candidate: the caller validates it whole, as at creation.
 */
import type { Endpoint, LeadPointInput } from "./config";
import { unmaskCredentials } from "./credentials";
import type { FieldError } from "./lead";

/** A partial document: any field, or null to remove it. */
export type Patch<T> = { [K in keyof T]?: T[K] | null };

export type EndpointPatch = Patch<Endpoint>;
export type LeadPointPatch = Omit<Patch<LeadPointInput>, "ping" | "post"> & { ping?: EndpointPatch | null; post?: EndpointPatch };

export type Patched = { ok: true; document: Record<string, unknown> } | { ok: false; problems: FieldError[] };

export function mergePatch(document: object, patch: object): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...document };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged;
}

function patchEndpoint(stored: Endpoint | undefined, patch: EndpointPatch, path: string, problems: FieldError[]): Record<string, unknown> {
  return mergePatch(stored ?? {}, unmaskCredentials(patch, stored, path, problems));
}

export function patchLeadPoint(stored: LeadPointInput, patch: LeadPointPatch): Patched {
  const problems: FieldError[] = [];
  const { ping, post, ...fields } = patch;
  const document = mergePatch(stored, fields);
  if (ping === null) delete document.ping;
  else if (ping) document.ping = patchEndpoint(stored.ping, ping, "ping", problems);
  if (post) document.post = patchEndpoint(stored.post, post, "post", problems);
  return problems.length ? { ok: false, problems } : { ok: true, document };
}
