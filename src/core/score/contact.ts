/** Signals of the email address and the phone number. */
import { blacklist } from "mailchecker";
import roleLocalParts from "role-based-email-addresses";
import { parseUsPhone, stateOfPhone } from "../phone";
import type { Finding } from "./catalog";

/** Reserved for documentation and testing (RFC 2606), never a consumer's inbox. */
const reservedDomains = /(^|\.)(example\.(com|net|org)|test\.com|test|invalid|localhost)$/;
/** Role mailboxes come from the package's list; these are the test and placeholder boxes it does not hold. */
const testLocalParts = /^(test|testing|fake|asdf|qwerty|sample|example|user|nobody|null|none)\d*$/;
const roles: ReadonlySet<string> = new Set(roleLocalParts.map((role) => role.toLowerCase()));
/** The territories have their own region codes in libphonenumber. */
const usRegions: ReadonlySet<string> = new Set(["US", "PR", "VI", "GU", "AS", "MP"]);

/** The domain or one of its parents is a disposable service (the list names a service's domain, not every subdomain). */
function isDisposable(domain: string): boolean {
  const listed = blacklist();
  const labels = domain.split(".");
  for (let from = 0; from < labels.length - 1; from += 1) {
    if (listed.has(labels.slice(from).join("."))) return true;
  }
  return false;
}

export function emailSignals(email: string): Finding[] {
  const at = email.lastIndexOf("@");
  if (at < 0) return [];
  const local = email.slice(0, at).toLowerCase();
  const domain = email.slice(at + 1).toLowerCase();
  const found: Finding[] = [];
  if (reservedDomains.test(domain)) found.push({ name: "email_reserved_domain", detail: `${domain} is reserved for examples and tests` });
  else if (isDisposable(domain)) found.push({ name: "email_disposable", detail: `${domain} is a disposable email service` });
  const box = local.replace(/\d+$/, "");
  if (roles.has(local) || roles.has(box) || testLocalParts.test(local)) {
    found.push({ name: "email_role_or_test", detail: `"${local}" is a role or test mailbox` });
  }
  return found;
}

export function phoneSignals(phone: string, declaredState: string): Finding[] {
  if (phone === "") return [];
  const parsed = parseUsPhone(phone);
  if (!parsed) return [];
  if (!parsed.isValid()) return [{ name: "phone_invalid", detail: `${parsed.number} has no valid US area code and exchange` }];
  const found: Finding[] = [];
  // 555-0100…0199 is set aside for fiction: valid on paper, never a line.
  if (/^\d{3}55501\d{2}$/.test(parsed.nationalNumber)) {
    found.push({ name: "phone_fictional", detail: `${parsed.number} is in the 555-01xx range reserved for fiction` });
  }
  if (parsed.country !== undefined && !usRegions.has(parsed.country)) {
    found.push({ name: "phone_outside_us", detail: `${parsed.number} is a ${parsed.country} number` });
  }
  const phoneState = stateOfPhone(parsed);
  if (phoneState !== undefined && declaredState !== "" && phoneState !== declaredState) {
    found.push({ name: "phone_state_mismatch", detail: `area code ${parsed.nationalNumber.slice(0, 3)} is in ${phoneState}, not ${declaredState}` });
  }
  return found;
}
