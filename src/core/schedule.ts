/**
 * Local time in a zone: whether a lead point's schedule is open, the keys of
 * the hour and day its caps count in (caps reset at local midnight, not UTC
 * midnight), and the hour and weekday filters read.
 */
import type { Schedule } from "./config";

/** Shared by every read in its minute (lastRead), so never changed. */
interface LocalTime {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: number;
  /** 0 = Sunday … 6. */
  readonly weekday: number;
}

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Building a formatter costs far more than using one; zones are few. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/**
 * The last local time read per zone, by the UTC minute it was read in:
 * every zone's offset is a whole number of minutes, so the local date, hour
 * and weekday cannot change inside a UTC minute, and a lead's bid rules,
 * filters and schedules (a dozen reads) format the time once.
 */
const lastRead = new Map<string, { minute: number; time: LocalTime }>();

function localTime(timeZone: string, now: Date): LocalTime {
  const minute = Math.floor(now.getTime() / 60_000);
  const last = lastRead.get(timeZone);
  if (last?.minute === minute) return last.time;
  const time = formatLocalTime(timeZone, now);
  lastRead.set(timeZone, { minute, time });
  return time;
}

function formatLocalTime(timeZone: string, now: Date): LocalTime {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatter(timeZone).formatToParts(now)) parts[part.type] = part.value;
  return {
    year: parts.year ?? "",
    month: parts.month ?? "",
    day: parts.day ?? "",
    // Some ICU versions write midnight as "24" even with h23.
    hour: Number(parts.hour) % 24,
    weekday: weekdays.indexOf(parts.weekday ?? ""),
  };
}

/**
 * `fromHour` inclusive, `toHour` exclusive. When `fromHour > toHour` the
 * window runs past midnight and belongs to the day it starts on: Friday
 * 22→6 is open until Saturday 06:00. Equal hours mean the whole day.
 */
export function scheduleOpen(schedule: Schedule, now: Date): boolean {
  const { hour, weekday } = localTime(schedule.timezone, now);
  const { fromHour, toHour, days } = schedule;
  if (fromHour === toHour) return days.includes(weekday);
  if (fromHour < toHour) return days.includes(weekday) && hour >= fromHour && hour < toHour;
  const yesterday = (weekday + 6) % 7;
  return (days.includes(weekday) && hour >= fromHour) || (days.includes(yesterday) && hour < toHour);
}

/** The local hour (0–23) and weekday (0 = Sunday) that `hour` and `weekday` filters compare. */
export function localClock(timezone: string, now: Date): { hour: number; weekday: number } {
  const { hour, weekday } = localTime(timezone, now);
  return { hour, weekday };
}

/** Local period keys, e.g. `{hour: "2026-11-28T13", day: "2026-11-28"}`. */
export function capPeriods(timezone: string, now: Date): { hour: string; day: string } {
  const { year, month, day, hour } = localTime(timezone, now);
  const date = `${year}-${month}-${day}`;
  return { hour: `${date}T${String(hour).padStart(2, "0")}`, day: date };
}
