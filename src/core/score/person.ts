/** Signals of the consumer's name and age. */
import type { Finding } from "./catalog";

const dayMs = 86_400_000;
/** Words people type where they will not give their name. */
const placeholderWords = /^(test|testing|asdf|qwerty|fake|sample|none|null|na|n\/a|xxx|abc|anonymous|nobody)$/;

export function nameSignals(first: string, last: string): Finding[] {
  const found: Finding[] = [];
  const names = [first, last].filter((name) => name !== "");
  if (first !== "" && first.toLowerCase() === last.toLowerCase()) {
    found.push({ name: "name_same", detail: "first and last name are the same" });
  }
  if (names.some((name) => placeholderWords.test(name.toLowerCase()))) {
    found.push({ name: "name_placeholder", detail: "a name is a placeholder such as \"test\"" });
  }
  if (names.some((name) => /\d/.test(name))) found.push({ name: "name_digits", detail: "a name contains digits" });
  if (names.some((name) => /(\p{L})\1\1/iu.test(name))) {
    found.push({ name: "name_repeated_letters", detail: "a name repeats one letter three times or more" });
  }
  return found;
}

export function ageSignals(dateOfBirth: string, now: Date): Finding[] {
  const born = Date.parse(dateOfBirth);
  if (dateOfBirth === "" || Number.isNaN(born)) return [];
  const years = (now.getTime() - born) / (365.2425 * dayMs);
  if (years < 18) return [{ name: "age_minor", detail: `born ${dateOfBirth}: under 18` }];
  if (years > 110) return [{ name: "age_implausible", detail: `born ${dateOfBirth}: over 110` }];
  return [];
}
