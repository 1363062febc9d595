/**
 * Round robin's memory: which position starts a run. The rotation goes
 * round the tier's listed positions by identity (lead point id), so a
 * position that is ineligible for one run (a full cap, a closed schedule)
 * is passed over without shifting whose turn comes next.
 */

/**
 * The first position eligible now, going round `listed` from the one after
 * `last` (the position that started the previous run); from the top when
 * there was none or it is no longer listed. Undefined when none is eligible.
 */
export function rotationStart(listed: readonly string[], eligible: ReadonlySet<string>, last: string | undefined): string | undefined {
  const from = last === undefined ? 0 : listed.indexOf(last) + 1;
  for (let step = 0; step < listed.length; step++) {
    const id = listed[(from + step) % listed.length];
    if (id !== undefined && eligible.has(id)) return id;
  }
  return undefined;
}
