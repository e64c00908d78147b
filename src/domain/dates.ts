// Calendar dates and RFC 3339 instants (pure; the only state is a cache of immutable formatters).

import type { IsoDate } from './types.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time: `T` separator, seconds required, `Z` or a numeric offset (T and Z may be lower case).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const MAX_INSTANT_LENGTH = 40;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Strict `YYYY-MM-DD`, a real calendar date, years 1900–2999. */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  return year >= 1900 && year <= 2999 && isCalendarDate(year, Number(m[2]), Number(m[3]));
}

/**
 * Epoch milliseconds of an RFC 3339 timestamp, or null. Fractions beyond milliseconds are truncated;
 * a leap second (`:60`) is refused because epoch time cannot represent it.
 */
export function parseInstant(s: string): number | null {
  if (s.length > MAX_INSTANT_LENGTH) return null;
  const m = RFC3339.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

// Formatters are immutable and costly to build; one per zone name. Bounded so that a caller
// feeding many spellings of zone names cannot grow it without limit.
const MAX_CACHED_ZONES = 1000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string, withTime = false): Intl.DateTimeFormat {
  const key = withTime ? `${timeZone}\u0000time` : timeZone;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' } : {}),
    });
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** What a clock on the wall in `timeZone` shows at `instant` (to the second). */
export function wallClockInZone(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone, true).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** True when `tz` names a time zone this runtime knows (IANA names and aliases such as `UTC`). */
export function isValidTimeZone(tz: string): boolean {
  if (tz === '') return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

// en-US renders `MM/DD/YYYY`; format() is about twice as fast as formatToParts(), which stays as the fallback.
const US_DATE = /^(\d{2})\/(\d{2})\/(\d{1,4})$/;

/** The calendar date of `instant` in `timeZone` (years 1–9999). Throws RangeError for an unknown zone or an invalid instant. */
export function dateInZone(instant: Date | number, timeZone: string): IsoDate {
  const formatter = formatterFor(timeZone);
  const m = US_DATE.exec(formatter.format(instant));
  if (m) return `${m[3]!.padStart(4, '0')}-${m[1]!}-${m[2]!}`;
  let year = '';
  let month = '';
  let day = '';
  for (const part of formatter.formatToParts(instant)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year.padStart(4, '0')}-${month}-${day}`;
}
