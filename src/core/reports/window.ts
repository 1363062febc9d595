/** The window a report covers when its caller names no bound: the 30 days up to now. */
export const DEFAULT_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

export type WindowBounds = { ok: true; from: string; to: string } | { ok: false; message: string };

/**
 * A report's half-open window [from, to) in UTC ISO-8601 (as D1 stores
 * times, so comparing text compares time). A missing `to` is now; a missing
 * `from` is 30 days before `to`.
 */
export function reportWindow(from: string | undefined, to: string | undefined, nowMs: number): WindowBounds {
  const toMs = to === undefined ? nowMs : Date.parse(to);
  const fromMs = from === undefined ? toMs - DEFAULT_WINDOW_DAYS * DAY_MS : Date.parse(from);
  if (!(fromMs < toMs)) return { ok: false, message: "from must be earlier than to" };
  return { ok: true, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}
