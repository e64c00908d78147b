import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { previousDueAt } from './cron-previous.js';

const at = (iso: string): number => Date.parse(iso);

describe('previousDueAt', () => {
  it('finds the nightly 02:00 of Asia/Shanghai (18:00 UTC the day before)', () => {
    expect(previousDueAt('0 2 * * *', 'Asia/Shanghai', at('2026-11-20T01:00:00Z'))).toBe(at('2026-11-19T18:00:00Z'));
    // Exactly due: that instant; one second before: the day before.
    expect(previousDueAt('0 2 * * *', 'Asia/Shanghai', at('2026-11-19T18:00:00Z'))).toBe(at('2026-11-19T18:00:00Z'));
    expect(previousDueAt('0 2 * * *', 'Asia/Shanghai', at('2026-11-19T17:59:59Z'))).toBe(at('2026-11-18T18:00:00Z'));
  });

  it('honours weekdays, lists, ranges, steps and names', () => {
    // 2026-11-20 is a Friday; Mondays at 02:30 Shanghai → Monday 16 November.
    expect(previousDueAt('30 2 * * 1', 'Asia/Shanghai', at('2026-11-20T01:00:00Z'))).toBe(at('2026-11-15T18:30:00Z'));
    expect(previousDueAt('*/15 9-17 * * mon-fri', 'UTC', at('2026-11-21T12:00:00Z'))).toBe(at('2026-11-20T17:45:00Z'));
    expect(previousDueAt('0 6 1 jan,jul *', 'UTC', at('2026-11-20T00:00:00Z'))).toBe(at('2026-07-01T06:00:00Z'));
  });

  it('handles seconds (six fields) and rare dates (29 February)', () => {
    expect(previousDueAt('*/10 * * * * *', 'UTC', at('2026-11-20T10:00:37Z'))).toBe(at('2026-11-20T10:00:30Z'));
    expect(previousDueAt('0 0 29 2 *', 'UTC', at('2026-11-20T00:00:00Z'))).toBe(at('2024-02-29T00:00:00Z'));
  });

  it('skips a wall-clock time that a DST change removed (Europe/Berlin, 29 March 2026)', () => {
    // 02:30 does not exist on 29 March in Berlin: the previous due time is 28 March 02:30 CET.
    expect(previousDueAt('30 2 * * *', 'Europe/Berlin', at('2026-03-29T10:00:00Z'))).toBe(at('2026-03-28T01:30:00Z'));
    // Summer time: 02:30 CEST = 00:30 UTC.
    expect(previousDueAt('30 2 * * *', 'Europe/Berlin', at('2026-06-10T10:00:00Z'))).toBe(at('2026-06-10T00:30:00Z'));
  });

  it('agrees with node-cron: the next run node-cron plans is due then, and not a second before', () => {
    for (const [expression, zone] of [
      ['0 2 * * *', 'Asia/Shanghai'],
      ['17 */3 * * 2,4', 'America/New_York'],
      ['5 4 1,15 * *', 'Europe/Berlin'],
    ] as const) {
      const task = cron.createTask(expression, () => undefined, { timezone: zone });
      const next = task.getNextRuns(1)[0]!.getTime();
      void task.destroy();
      expect(previousDueAt(expression, zone, next), expression).toBe(next);
      expect(previousDueAt(expression, zone, next - 1000)!, expression).toBeLessThan(next);
    }
  });

  it('throws for an expression node-cron refuses', () => {
    expect(() => previousDueAt('not a schedule', 'UTC', Date.now())).toThrow();
  });
});
