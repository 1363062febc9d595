/**
 * Lead intake: turns what a publisher posted (a JSON object or a flat form
 * record) into normalized lead fields, the consent record and the
 * submission's tracking ids, or into every problem found at once so the
 * publisher can fix them in one round trip.
 */
import type { Tree } from "../config";
import type { ConsentRecord, FieldError, LeadFields, SubmissionMeta } from "../lead";
import { isPiiField } from "../pii";
import type { FormEvidence } from "../score/form";
import { lookupZip } from "../zip";
import { parseConsent } from "./consent";
import { checkCustom } from "./custom";
import { formEvidenceNames, parseFormEvidence } from "./form";
import { requiredByDefault, standardFields } from "./standard";
import { maxLength, notText, own, pick, textOf } from "./values";

export type Submission = { fields: LeadFields; consent: ConsentRecord; meta: SubmissionMeta; form?: FormEvidence };
/** A refused submission keeps the tracking ids it could read, so later checks of them (issuedClick.ts) can add their errors to the list. */
export type ParsedSubmission = ({ ok: true } & Submission) | { ok: false; errors: FieldError[]; meta: SubmissionMeta };

const metaAliases: Record<keyof SubmissionMeta, readonly string[]> = {
  clickId: ["clickId", "c"],
  subId: ["subId"],
  subId2: ["subId2"],
  subId3: ["subId3"],
};

/** Names with a meaning of their own: a tree cannot declare them as qualifiers. */
const reserved: ReadonlySet<string> = new Set(["consent", "api_key", ...Object.values(metaAliases).flat(), ...formEvidenceNames]);

/** Fields the ZIP can supply, so their absence is judged after the lookup. */
const fromZip = ["city", "state"] as const;

export function parseSubmission(
  raw: Record<string, unknown>,
  tree: Pick<Tree, "fields" | "intake">,
  now: Date,
): ParsedSubmission {
  const errors: FieldError[] = [];
  const specs = new Map(tree.fields.map((spec) => [spec.name, spec]));
  const fields = parseFields(raw, tree, now, errors, (name) => specs.get(name)?.required ?? requiredByDefault.has(name));
  const consent = parseConsent(raw, now, errors);
  const meta = parseTracking(raw, tree, errors);
  const form = parseFormEvidence(raw, now, errors);
  if (errors.length > 0 || consent === undefined) return { ok: false, errors, meta };
  return { ok: true, fields, consent, meta, ...(form ? { form } : {}) };
}

export type ParsedPing = { ok: true; fields: LeadFields; meta: SubmissionMeta } | { ok: false; errors: FieldError[]; meta: SubmissionMeta };

/** The names a ping's body may not carry: the consent record (JSON or form) and every PII field, the tree's own included. */
export function piiInPing(raw: Record<string, unknown>, tree: Pick<Tree, "fields">): string[] {
  return Object.keys(raw).filter((name) => name === "consent" || name.startsWith("consent_") || isPiiField(name, tree.fields));
}

/**
 * A publisher's ping (inbound ping-post): the lead without its PII, checked
 * as a submission is, except that no PII field is required (none may be
 * sent) and it has no consent record (that comes with the post). A ping
 * carrying PII is refused naming each such field, before anything else.
 */
export function parsePing(raw: Record<string, unknown>, tree: Pick<Tree, "fields" | "intake">, now: Date): ParsedPing {
  const pii = piiInPing(raw, tree);
  if (pii.length) {
    const meta = parseTracking(raw, tree, []);
    return { ok: false, meta, errors: pii.map((path) => ({ path, message: "is personal data, which a ping never carries: send it with the post" })) };
  }
  const errors: FieldError[] = [];
  const specs = new Map(tree.fields.map((spec) => [spec.name, spec]));
  const fields = parseFields(raw, tree, now, errors, (name) => !isPiiField(name, tree.fields) && (specs.get(name)?.required ?? requiredByDefault.has(name)));
  const meta = parseTracking(raw, tree, errors);
  return errors.length > 0 ? { ok: false, errors, meta } : { ok: true, fields, meta };
}

/** The standard and the tree's own fields, normalized; each problem goes to `errors`. */
function parseFields(raw: Record<string, unknown>, tree: Pick<Tree, "fields">, now: Date, errors: FieldError[], isRequired: (name: string) => boolean): LeadFields {
  const fields: LeadFields = {};
  const missing: string[] = [];
  for (const [name, check] of Object.entries(standardFields)) {
    const text = textOf(own(raw, name));
    if (text === notText) errors.push({ path: name, message: "must be text" });
    else if (text === undefined) missing.push(name);
    else {
      const checked = check(text, now);
      if ("error" in checked) errors.push({ path: name, message: checked.error });
      else fields[name] = checked.value;
    }
  }

  const place = typeof fields.zip === "string" ? lookupZip(fields.zip) : undefined;
  for (const name of fromZip) {
    if (place && missing.includes(name)) {
      fields[name] = place[name];
      missing.splice(missing.indexOf(name), 1);
    }
  }
  for (const name of missing) {
    if (isRequired(name)) errors.push({ path: name, message: "is required" });
  }

  for (const spec of tree.fields) {
    if (Object.hasOwn(standardFields, spec.name) || reserved.has(spec.name)) continue;
    const checked = checkCustom(spec, own(raw, spec.name));
    if (checked === undefined) {
      if (spec.required) errors.push({ path: spec.name, message: "is required" });
    } else if ("error" in checked) errors.push({ path: spec.name, message: checked.error });
    else fields[spec.name] = checked.value;
  }
  return fields;
}

/** The click and sub ids; a tree that requires a click id refuses a submission without one. */
function parseTracking(raw: Record<string, unknown>, tree: Pick<Tree, "intake">, errors: FieldError[]): SubmissionMeta {
  const meta = parseMeta(raw, errors);
  if (tree.intake.requireClickId && meta.clickId === undefined && !errors.some((e) => e.path === "clickId")) {
    errors.push({ path: "clickId", message: "is required" });
  }
  return meta;
}

const checkId = maxLength(255);

function parseMeta(raw: Record<string, unknown>, errors: FieldError[]): SubmissionMeta {
  const meta: SubmissionMeta = {};
  for (const key of Object.keys(metaAliases) as (keyof SubmissionMeta)[]) {
    const text = textOf(pick(raw, metaAliases[key]));
    if (text === undefined) continue;
    if (text === notText) {
      errors.push({ path: key, message: "must be text" });
      continue;
    }
    const checked = checkId(text);
    if ("error" in checked) errors.push({ path: key, message: checked.error });
    else meta[key] = checked.value;
  }
  return meta;
}
