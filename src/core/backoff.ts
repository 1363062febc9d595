/**
 * When a failed postback is tried again: a minute after the first failure,
 * doubling each time up to an hour, for 24 hours from the first attempt; the
 * last try lands on the deadline itself rather than past it.
 */
const FIRST_DELAY_MS = 60_000;
const MAX_DELAY_MS = 3_600_000;
export const POSTBACK_RETRY_WINDOW_MS = 86_400_000;

/** The time of the attempt after failed attempt `attempt` (1-based), or undefined when the window is over. */
export function nextAttemptAt(firstAt: number, attempt: number, now: number): number | undefined {
  const deadline = firstAt + POSTBACK_RETRY_WINDOW_MS;
  if (now >= deadline) return undefined;
  const delay = Math.min(FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 30), MAX_DELAY_MS);
  return Math.min(now + delay, deadline);
}
