/**
 * The US state of a North American phone number: a territory has its own
 * region in libphonenumber (PR, GU…), a number of the US region its area
 * code's state, from the table scripts/build-area-codes.mjs generates out of
 * Google libphonenumber's geocoding data. Decoded on first use, once per isolate.
 */
import type { PhoneNumber } from "libphonenumber-js/max";
import { AREA_CODE_STATES } from "./areaCodes.generated";

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
