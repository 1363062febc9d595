import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Schedule } from "./config";
import { capPeriods, scheduleOpen } from "./schedule";

const everyDay = [0, 1, 2, 3, 4, 5, 6];
const weekdays = [1, 2, 3, 4, 5];
const ny = "America/New_York";

function schedule(fromHour: number, toHour: number, days = everyDay, timezone = ny): Schedule {
  return { timezone, days, fromHour, toHour };
}

describe("scheduleOpen", () => {
  // 2026-11-28 is a Saturday; New York is UTC-5 then.
  test.each([
    { name: "inside a daytime window", s: schedule(8, 17), at: "2026-11-28T16:00:00Z", want: true },
    { name: "fromHour is inclusive", s: schedule(8, 17), at: "2026-11-28T13:00:00Z", want: true },
    { name: "toHour is exclusive", s: schedule(8, 17), at: "2026-11-28T22:00:00Z", want: false },
    { name: "the last minute before toHour", s: schedule(8, 17), at: "2026-11-28T21:59:59Z", want: true },
    { name: "before fromHour", s: schedule(9, 17), at: "2026-11-28T13:59:00Z", want: false },
    { name: "a day not listed", s: schedule(8, 17, weekdays), at: "2026-11-28T15:00:00Z", want: false },
    { name: "local day, not UTC day (Fri 23:30 local)", s: schedule(20, 24, [5]), at: "2026-11-28T04:30:00Z", want: true },
    { name: "a window wrapping past midnight, evening part", s: schedule(22, 6, [5]), at: "2026-11-28T04:30:00Z", want: true },
    { name: "a wrapped window's morning belongs to the day it started (Sat 05:00 of Fri 22→6)", s: schedule(22, 6, [5]), at: "2026-11-28T10:00:00Z", want: true },
    { name: "a wrapped window closes at toHour", s: schedule(22, 6, [5]), at: "2026-11-28T11:00:00Z", want: false },
    { name: "a wrapped window's morning needs the previous day listed", s: schedule(22, 6, [6]), at: "2026-11-28T10:00:00Z", want: false },
    { name: "equal hours mean the whole listed day", s: schedule(9, 9, [6]), at: "2026-11-28T05:00:00Z", want: true },
    { name: "equal hours on a day not listed", s: schedule(9, 9, [5]), at: "2026-11-28T05:00:00Z", want: false },
    { name: "0 to 24 is the whole day", s: schedule(0, 24), at: "2026-11-28T04:59:00Z", want: true },
    { name: "another zone", s: schedule(8, 17, everyDay, "America/Los_Angeles"), at: "2026-11-28T15:00:00Z", want: false },
    { name: "after the spring-forward gap (03:00 local)", s: schedule(3, 4), at: "2026-03-08T07:00:00Z", want: true },
  ])("$name", ({ s, at, want }) => {
    expect(scheduleOpen(s, new Date(at)), JSON.stringify({ s, at })).toBe(want);
  });

  const instant = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-01-01T00:00:00Z"), noInvalidDate: true });
  const zone = fc.constantFrom(ny, "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "UTC");

  test("a wrapping window is the complement of the non-wrapping one (every day listed)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }), zone, instant, (a, b, timezone, now) => {
        fc.pre(a < b);
        return scheduleOpen(schedule(b, a, everyDay, timezone), now) === !scheduleOpen(schedule(a, b, everyDay, timezone), now);
      }),
    );
  });

  test("a one-hour window is open exactly in the local hour capPeriods names", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), zone, instant, (hour, timezone, now) =>
        scheduleOpen(schedule(hour, hour + 1, everyDay, timezone), now) ===
        capPeriods(timezone, now).hour.endsWith(`T${String(hour).padStart(2, "0")}`),
      ),
    );
  });
});

describe("capPeriods", () => {
  test.each([
    { name: "local hour and day", zone: ny, at: "2026-11-28T18:05:00Z", want: { hour: "2026-11-28T13", day: "2026-11-28" } },
    { name: "local midnight, not UTC midnight", zone: ny, at: "2026-11-29T03:00:00Z", want: { hour: "2026-11-28T22", day: "2026-11-28" } },
    { name: "the hour after local midnight", zone: ny, at: "2026-11-29T05:00:00Z", want: { hour: "2026-11-29T00", day: "2026-11-29" } },
    { name: "UTC", zone: "UTC", at: "2026-01-01T00:00:00Z", want: { hour: "2026-01-01T00", day: "2026-01-01" } },
    { name: "a half-hour zone", zone: "Asia/Kolkata", at: "2026-11-28T18:29:00Z", want: { hour: "2026-11-28T23", day: "2026-11-28" } },
  ])("$name", ({ zone, at, want }) => {
    expect(capPeriods(zone, new Date(at))).toEqual(want);
  });
});

describe("local time read once per minute", () => {
  const reference = (timezone: string, at: Date) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit" })
        .formatToParts(at)
        .map((part) => [part.type, part.value]),
    );
    const date = `${parts.year}-${parts.month}-${parts.day}`;
    return { hour: `${date}T${String(Number(parts.hour) % 24).padStart(2, "0")}`, day: date };
  };

  test("a read later in the same UTC minute, or in another, names what a fresh formatter does, DST changes and 45-minute zones included", () => {
    const zones = fc.constantFrom(ny, "UTC", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Adelaide", "Europe/London", "America/St_Johns");
    // Around the 2026 DST changes of New York, London and Adelaide, and anywhere else.
    const around = fc.oneof(
      fc.constantFrom(Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6), Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 3, 4, 16)).chain((edge) => fc.integer({ min: edge - 3_600_000, max: edge + 3_600_000 })),
      fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
    );
    fc.assert(
      fc.property(zones, around, fc.integer({ min: 0, max: 59_999 }), fc.integer({ min: -120_000, max: 120_000 }), (timezone, ms, within, step) => {
        const first = new Date(ms);
        const sameMinute = new Date(Math.floor(ms / 60_000) * 60_000 + within);
        const other = new Date(ms + step);
        return [first, sameMinute, other].every((at) => {
          const got = capPeriods(timezone, at);
          const want = reference(timezone, at);
          return got.hour === want.hour && got.day === want.day;
        });
      }),
      { numRuns: 2_000 },
    );
  });
});
