/**
 * One-to-one consent: a lead may go to a buyer only when the consent text the
 * consumer agreed to names that buyer. Names and text are compared as
 * sequences of words, so the comparison ignores everything a publisher's form
 * varies without changing who is named:
 * - case and diacritics ("ACME" = "Acme", "Café" = "Cafe");
 * - whitespace, and punctuation between words, which only separates them
 *   ("Acme, Inc." = "Acme Inc", "Blue-Cross" = "Blue Cross", "AT&T" = "AT & T");
 * - apostrophes, which join rather than separate ("Macy's" = "Macys").
 * A name must appear as whole words: "Acme" is not found in "Acmeville", nor
 * "Acme Inc" in "Acme Incorporated".
 */

/** Marks (accents) split off by NFD, dropped so "é" compares as "e". */
const marks = /\p{M}/gu;
const apostrophes = /['\u2019\u02BC]/g;
const word = /[\p{L}\p{N}]+/gu;

/**
 * The words of `text` in a form names are looked up in: lower case, one space
 * between words and one at each end, so a name is found only on word
 * boundaries. Computed once per lead (the consent text can be long).
 */
export function consentWords(text: string): string {
  const words = text.normalize("NFKD").replace(marks, "").replace(apostrophes, "").toLowerCase().match(word);
  return words ? ` ${words.join(" ")} ` : " ";
}

/** Whether a name has a word to look for: a name of only punctuation would match nothing. */
export function hasConsentWord(name: string): boolean {
  return consentWords(name) !== " ";
}

/** Whether the consent (its `consentWords`) names any of `names`. */
export function namedInConsent(words: string, names: readonly string[]): boolean {
  return names.some((name) => {
    const needle = consentWords(name);
    return needle !== " " && words.includes(needle);
  });
}

/**
 * Why a lead point may not get a lead under one-to-one consent, for the
 * trace; undefined when the consent names it. A point that declares no names
 * can never be shown to be named, so it is refused too.
 */
export function consentRefusal(words: string, names: readonly string[] | undefined): string | undefined {
  if (!names || names.length === 0) return "declares no consentNames, which one-to-one consent needs";
  return namedInConsent(words, names) ? undefined : "not named in the consent (one-to-one consent)";
}
