import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { PartnerSync } from '../exchange/sync.js';
import { isValidSchedule, Scheduler } from './scheduler.js';

describe('Scheduler', () => {
  it('runs each partner sync on its schedule with the schedule trigger, and stops', async () => {
    const calls: [string, string][] = [];
    const sync = {
      sync: (partner: string, trigger: string) => {
        calls.push([partner, trigger]);
        return Promise.resolve(null);
      },
    } as unknown as PartnerSync;
    const scheduler = new Scheduler(sync, 'Asia/Shanghai', pino({ level: 'silent' }));
    scheduler.start([{ partner: 'EU', expression: '* * * * * *' }]); // every second (node-cron's seconds field)
    expect(scheduler.nextRunAt('EU')).toBeInstanceOf(Date);
    expect(scheduler.nextRunAt('HK')).toBeNull();
    const deadline = Date.now() + 5_000;
    while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(calls[0]).toEqual(['EU', 'schedule']);
    await scheduler.stop();
    const after = calls.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(calls.length).toBe(after);
    expect(scheduler.nextRunAt('EU')).toBeNull();
  });

  it('knows a valid cron expression from a bad one', () => {
    expect(isValidSchedule('0 2 * * *')).toBe(true);
    expect(isValidSchedule('every night')).toBe(false);
  });
});
