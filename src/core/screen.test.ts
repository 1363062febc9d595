import { describe, expect, test } from "vitest";
import type { Filter } from "./config";
import { screenLead } from "./screen";
import { lead } from "./testing/fixtures";

describe("screenLead on the lead's arrival time", () => {
  // The fixture lead arrived Wednesday 2026-01-07 15:00 UTC: 10:00 in New York, Thursday 00:00 in Tokyo.
  const screen = (filters: Filter[], timezone?: string) =>
    screenLead({ filters, scoreFloor: 0, ...(timezone ? { dailyLimits: { timezone } } : {}) }, lead()).kind;
  const at = (field: string, value: number): Filter => ({ field, op: "eq", value, action: "decline" });

  test.each([
    { name: "hour in New York without dailyLimits", filters: [at("hour", 10)], timezone: undefined, want: "pass" },
    { name: "hour in the dailyLimits zone", filters: [at("hour", 0)], timezone: "Asia/Tokyo", want: "pass" },
    { name: "weekday in the dailyLimits zone", filters: [at("weekday", 4)], timezone: "Asia/Tokyo", want: "pass" },
    { name: "weekday in New York (Wednesday is 3)", filters: [at("weekday", 4)], timezone: undefined, want: "decline" },
    { name: "publisherId", filters: [{ field: "publisherId", op: "eq", value: "PUB-1", action: "decline" } as Filter], timezone: undefined, want: "pass" },
    { name: "an error filter on the hour refuses the lead", filters: [{ ...at("hour", 3), action: "error", message: "only at 3 AM" } as Filter], timezone: undefined, want: "error" },
  ])("$name", ({ filters, timezone, want }) => {
    expect(screen(filters, timezone)).toBe(want);
  });
});
