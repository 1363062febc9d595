import { describe, expect, it } from "vitest";
import { nextAttemptAt, POSTBACK_RETRY_WINDOW_MS } from "./backoff";

describe("a failed postback's next attempt", () => {
  const first = 1_000_000;

  it("waits a minute, then doubles each time, capped at an hour", () => {
    expect(nextAttemptAt(first, 1, first)).toBe(first + 60_000);
    expect(nextAttemptAt(first, 2, first)).toBe(first + 120_000);
    expect(nextAttemptAt(first, 3, first)).toBe(first + 240_000);
    expect(nextAttemptAt(first, 10, first)).toBe(first + 3_600_000);
    expect(nextAttemptAt(first, 500, first)).toBe(first + 3_600_000);
  });

  it("lands the last attempt on the 24-hour deadline, and gives up once it has passed", () => {
    const deadline = first + POSTBACK_RETRY_WINDOW_MS;
    expect(nextAttemptAt(first, 20, deadline - 60_000)).toBe(deadline);
    expect(nextAttemptAt(first, 21, deadline)).toBeUndefined();
    expect(nextAttemptAt(first, 21, deadline + 1)).toBeUndefined();
  });
});
