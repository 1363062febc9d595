/**
 * The US state of a North American phone number: a territory has its own
 * region in libphonenumber (PR, GU…), a number of the US region its area
 * code's state, from the table scripts/build-area-codes.mjs generates out of
 * Google libphonenumber's geocoding data. Decoded on first use, once per isolate.
 */
import { parsePhoneNumberFromString, type PhoneNumber } from "libphonenumber-js/max";
import { AREA_CODE_STATES } from "./areaCodes.generated";

/** The numbers parsed last, by the text given and by their E.164 form; a handful, since one lead asks for its own phone several times. */
const recentlyParsed = new Map<string, PhoneNumber | undefined>();
const RECENT_PHONES = 64;

/**
 * A phone number as typed, read as a US number unless it says otherwise.
 * A lead's phone is read by intake, by the score and by the consumer
 * check, the later ones in its E.164 form: each parse costs tens of
 * microseconds of metadata work, so the last few are remembered. A
 * PhoneNumber is never changed by its readers.
 */
export function parseUsPhone(text: string): PhoneNumber | undefined {
  if (recentlyParsed.has(text)) return recentlyParsed.get(text);
  const parsed = parsePhoneNumberFromString(text, "US");
  if (recentlyParsed.size >= RECENT_PHONES) recentlyParsed.clear();
  recentlyParsed.set(text, parsed);
  if (parsed) recentlyParsed.set(parsed.number, parsed);
  return parsed;
}

let table: Map<string, string> | undefined;

export function areaCodeState(areaCode: string): string | undefined {
  if (table === undefined) {
    table = new Map();
    for (let at = 0; at + 5 <= AREA_CODE_STATES.length; at += 5) {
      table.set(AREA_CODE_STATES.slice(at, at + 3), AREA_CODE_STATES.slice(at + 3, at + 5));
    }
  }
  return table.get(areaCode);
}

/** Undefined for a number outside the US and its territories, or an area code the data does not place. */
export function stateOfPhone(phone: PhoneNumber): string | undefined {
  if (phone.countryCallingCode !== "1") return undefined;
  if (phone.country !== undefined && phone.country !== "US") return territories.has(phone.country) ? phone.country : undefined;
  return areaCodeState(phone.nationalNumber.slice(0, 3));
}

const territories: ReadonlySet<string> = new Set(["PR", "VI", "GU", "AS", "MP"]);
