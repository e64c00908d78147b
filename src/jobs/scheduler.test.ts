// The scheduler with a real PartnerSync on a real gateway (sandbox partners), in a real time zone
// whose offset is not whole hours (Asia/Kathmandu, UTC+05:45): a schedule read in UTC or in the
// machine's zone would fire at another minute, or never.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/databases.js';
import { api, startTestGateway, type TestGateway } from '../../test/support/gateway.js';
import { isValidSchedule, Scheduler } from './scheduler.js';

const ZONE = 'Asia/Kathmandu';
const OFFSET_MS = (5 * 60 + 45) * 60_000;

/** Wall-clock fields of `instant` in ZONE. */
function inZone(instant: number): { hour: number; minute: number; second: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const field = (type: string): number => Number(parts.find((p) => p.type === type)!.value);
  return { hour: field('hour'), minute: field('minute'), second: field('second') };
}

describe.each(ENGINES)('Scheduler on %s', (engine) => {
  let tg: TestGateway;
  beforeAll(async () => {
    tg = await startTestGateway({ engine, sandbox: true, syncOnStart: false });
  });
  afterAll(async () => tg?.close());

  it('fires at the wall-clock time of its zone, runs the real sync with the schedule trigger, and stops', async () => {
    const scheduler = new Scheduler(tg.gateway.sync, ZONE, pino({ level: 'silent' }));
    // A few seconds ahead, written as Kathmandu wall-clock time.
    const target = Math.ceil((Date.now() + 3_000) / 1000) * 1000;
    const at = inZone(target);
    scheduler.start([
      { partner: 'HK', expression: `${at.second} ${at.minute} ${at.hour} * * *` },
      { partner: 'MO', expression: '0 2 * * *' },
    ]);
    expect(scheduler.nextRunAt('HK')?.getTime()).toBe(target);
    // 02:00 in Kathmandu is 20:15 UTC of the day before.
    const nextMo = scheduler.nextRunAt('MO')!;
    expect(nextMo.getUTCHours() * 60 + nextMo.getUTCMinutes()).toBe(20 * 60 + 15);
    expect(nextMo.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect((nextMo.getTime() + OFFSET_MS) % 86_400_000).toBe(2 * 3_600_000);
    expect(scheduler.nextRunAt('EU')).toBeNull();

    const runsOf = async () => (await api(`${tg.url}/v1/exchanges?partner=HK`, tg.keys.admin)).body.exchanges as { trigger: string; startedAt: string; outcome: string | null }[];
    const deadline = target + 10_000;
    let runs = await runsOf();
    while (!runs.some((r) => r.outcome !== null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      runs = await runsOf();
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', outcome: 'APPLIED' });
    const started = Date.parse(runs[0]!.startedAt);
    expect(started).toBeGreaterThanOrEqual(target);
    expect(started - target).toBeLessThan(2_000);

    await scheduler.stop();
    expect(scheduler.nextRunAt('HK')).toBeNull();
    expect(scheduler.nextRunAt('MO')).toBeNull();
  });
});

describe('isValidSchedule', () => {
  it('knows a valid cron expression from a bad one', () => {
    expect(isValidSchedule('0 2 * * *')).toBe(true);
    expect(isValidSchedule('every night')).toBe(false);
  });
});
