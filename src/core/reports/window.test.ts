import { describe, expect, test } from "vitest";
import { reportWindow } from "./window";

const NOW = Date.parse("2026-03-31T12:00:00.000Z");

describe("reportWindow", () => {
  test.each([
    { name: "no bounds is the 30 days up to now", from: undefined, to: undefined, want: { ok: true, from: "2026-03-01T12:00:00.000Z", to: "2026-03-31T12:00:00.000Z" } },
    { name: "only from runs up to now", from: "2026-03-30T00:00:00Z", to: undefined, want: { ok: true, from: "2026-03-30T00:00:00.000Z", to: "2026-03-31T12:00:00.000Z" } },
    { name: "only to starts 30 days before it", from: undefined, to: "2026-02-01T00:00:00Z", want: { ok: true, from: "2026-01-02T00:00:00.000Z", to: "2026-02-01T00:00:00.000Z" } },
    { name: "an offset is turned into UTC", from: "2026-03-01T00:00:00-05:00", to: "2026-03-02T00:00:00+01:00", want: { ok: true, from: "2026-03-01T05:00:00.000Z", to: "2026-03-01T23:00:00.000Z" } },
    { name: "from after to is refused", from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z", want: { ok: false, message: "from must be earlier than to" } },
    { name: "an empty window is refused", from: "2026-03-01T00:00:00Z", to: "2026-03-01T00:00:00Z", want: { ok: false, message: "from must be earlier than to" } },
  ])("$name", ({ from, to, want }) => {
    expect(reportWindow(from, to, NOW)).toEqual(want);
  });
});
