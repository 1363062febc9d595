/** Signals of the address: ZIP against state and city, a street given. */
import type { LeadFields } from "../lead";
import { isCityOfZip, lookupZip } from "../zip";
import type { Finding } from "./catalog";
import { text } from "./text";

export function placeSignals(fields: LeadFields): Finding[] {
  const found: Finding[] = [];
  const zip = text(fields.zip);
  const state = text(fields.state).toUpperCase();
  const city = text(fields.city);
  const place = zip === "" ? undefined : lookupZip(zip);
  if (place && state !== "" && place.state !== state) {
    found.push({ name: "state_zip_mismatch", detail: `ZIP ${zip} is in ${place.state}, not ${state}` });
  }
  if (place && city !== "" && !isCityOfZip(city, zip)) {
    found.push({ name: "city_zip_mismatch", detail: `ZIP ${zip} is ${place.city}'s area, not ${city}` });
  }
  if (text(fields.address) === "") found.push({ name: "address_missing", detail: "no street address given" });
  return found;
}
