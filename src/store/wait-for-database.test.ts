// Which failures a start waits out (an unreachable server) and which stop it at once, the backoff,
// and SIGTERM during the wait. The attempts are plain functions that fail the way pg fails.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { databaseTarget, isDatabaseUnavailable } from './availability.js';
import { DatabaseError } from './safe-errors.js';
import { retryWhileUnavailable, START_RETRY_MS, startRetryDelay } from './wait-for-database.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const silent = pino({ level: 'silent' });

describe('waiting for the database at start', () => {
  it('tells an unreachable server from a bad setting', () => {
    expect(isDatabaseUnavailable(refused())).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused(), refused()], ''))).toBe(true);
    expect(isDatabaseUnavailable(new DatabaseError('the database system is starting up', '57P03'))).toBe(true);
    expect(isDatabaseUnavailable(new AppError('DATABASE_UNAVAILABLE'))).toBe(true);
    expect(isDatabaseUnavailable(new DatabaseError('password authentication failed for user "…"', '28P01'))).toBe(false);
    expect(isDatabaseUnavailable(new DatabaseError('database "…" does not exist', '3D000'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('migrations folder not found'))).toBe(false);
  });

  it('backs off doubling from 1 s to 15 s, each within ±20 %', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => startRetryDelay(n, () => 0.5))).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(startRetryDelay(1, () => 0)).toBe(800);
    expect(startRetryDelay(9, () => 1)).toBe(START_RETRY_MS.max * 1.2);
  });

  it('names the server without user, password or parameters', () => {
    expect(databaseTarget('postgres://aeo:s3cret@db.internal:6432/aeo?sslmode=require&password=x')).toBe('db.internal:6432/aeo');
    expect(databaseTarget('postgres://aeo:s3cret@db.internal/aeo')).toBe('db.internal:5432/aeo');
    expect(databaseTarget('not a url with s3cret')).toBe('the configured server');
  });

  it('tries again while the server is unreachable, then returns what the attempt gave', async () => {
    let calls = 0;
    const waits: number[] = [];
    const value = await retryWhileUnavailable(
      () => (++calls < 3 ? Promise.reject(refused()) : Promise.resolve('started')),
      { logger: silent, target: 't', stopIfAborted: () => undefined, delay: () => 5, onUnavailable: (n, ms) => waits.push(n, ms) },
    );
    expect(value).toBe('started');
    expect(calls).toBe(3);
    expect(waits).toEqual([1, 5, 2, 5]);
  });

  it('stops at the first failure that is not an unreachable server', async () => {
    let calls = 0;
    const bad = new DatabaseError('password authentication failed for user "…"', '28P01');
    await expect(
      retryWhileUnavailable(
        () => {
          calls++;
          return Promise.reject(bad);
        },
        { logger: silent, target: 't', stopIfAborted: () => undefined, delay: () => 5 },
      ),
    ).rejects.toBe(bad);
    expect(calls).toBe(1);
  });

  it('ends its wait at once when the start is aborted', async () => {
    const abort = new AbortController();
    const stopped = new Error('stopped');
    const startedAt = Date.now();
    const waiting = retryWhileUnavailable(
      () => Promise.reject(refused()),
      {
        logger: silent,
        target: 't',
        signal: abort.signal,
        stopIfAborted: () => {
          if (abort.signal.aborted) throw stopped;
        },
        delay: () => 60_000,
      },
    );
    setTimeout(() => abort.abort(), 50);
    await expect(waiting).rejects.toBe(stopped);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});
