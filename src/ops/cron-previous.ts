// The previous due time of a node-cron expression in a time zone: when the schedule last fired (or
// should have). node-cron only looks forward, so we walk back day by day over its parsed fields and
// let node-cron's own matcher judge each candidate (same day-of-month/day-of-week rules as it runs).
import cron from 'node-cron';
import { wallClockInZone as wallClock, type WallClock as Wall } from '../domain/dates.js';

/** How far back we look: eight years cover every expression that fires at all (29 February). */
const MAX_DAYS = 366 * 8;
const MAX_CACHED = 200;

interface Schedule {
  match: (d: Date) => boolean;
  months: ReadonlySet<number>;
  /** Candidate times of a day [hour, minute, second], latest first. */
  timesDesc: readonly [number, number, number][];
}

const schedules = new Map<string, Schedule>();
const asUtc = (w: Wall): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The instant a wall-clock time has in the zone (in a DST gap: a nearby instant, which the matcher then refuses). */
function instantOf(w: Wall, timeZone: string): number {
  const guess = asUtc(w);
  const first = guess - (asUtc(wallClock(guess, timeZone)) - guess);
  return guess - (asUtc(wallClock(first, timeZone)) - first);
}

function scheduleOf(expression: string, timeZone: string): Schedule {
  const key = `${timeZone}\u0000${expression}`;
  let s = schedules.get(key);
  if (!s) {
    const fields = cron.parse(expression);
    // A task that is never started: only its matcher is used.
    const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
    const desc = (xs: number[]): number[] => [...xs].sort((a, b) => b - a);
    const timesDesc: [number, number, number][] = [];
    for (const h of desc(fields.hour)) for (const m of desc(fields.minute)) for (const sec of desc(fields.second)) timesDesc.push([h, m, sec]);
    s = { match: (d) => task.match(d), months: new Set(fields.month), timesDesc };
    void task.destroy();
    if (schedules.size >= MAX_CACHED) schedules.clear();
    schedules.set(key, s);
  }
  return s;
}

/**
 * The latest instant ≤ `now` (epoch ms) at which `expression` is due in `timeZone`, or null when it
 * has not been due within eight years. Throws for an expression node-cron does not accept.
 */
export function previousDueAt(expression: string, timeZone: string, now: number): number | null {
  const schedule = scheduleOf(expression, timeZone);
  const today = wallClock(now, timeZone);
  const nowSeconds = today.hour * 3600 + today.minute * 60 + today.second;
  const first = schedule.timesDesc.at(-1)!;
  const last = schedule.timesDesc[0]!;
  for (let i = 0; i < MAX_DAYS; i++) {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day - i));
    const day = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    if (!schedule.months.has(day.month)) continue;
    const at = ([hour, minute, second]: [number, number, number]): number => instantOf({ ...day, hour, minute, second }, timeZone);
    // The day's own fields (day of month, weekday) are judged by the matcher at the day's first or last time.
    if (!schedule.match(new Date(at(first))) && !schedule.match(new Date(at(last)))) continue;
    for (const t of schedule.timesDesc) {
      if (i === 0 && t[0] * 3600 + t[1] * 60 + t[2] > nowSeconds) continue;
      const instant = at(t);
      if (instant <= now && schedule.match(new Date(instant))) return instant;
    }
  }
  return null;
}
