/**
 * A numeric `[vars]` setting: its value when it is a finite number of at
 * least `min`, otherwise the default (unset, empty, misspelled or out of range).
 */
export function numberSetting(raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= min ? value : fallback;
}
