// Advisory locks (sync, run, migration) never take the pool's connections: with more than four
// partners on one schedule, each holding its `sync` and `run` lock while its run queries, nothing
// deadlocks; a lock another process keeps too long is a coded error after a bounded wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import type { Db } from '../../src/store/db.js';
import { openDb } from '../../src/store/open.js';
import { createServerDatabase, ENGINES, openTestDb } from '../support/databases.js';

const PARTNERS = 8;

describe.each(ENGINES)('advisory locks on %s', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(engine);
  });
  afterAll(async () => {
    await db.close();
  });

  it(`${PARTNERS} partners hold their sync and run locks at once and still query and commit`, async () => {
    let inside = 0;
    const allInside = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (inside === PARTNERS) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    const runs = Array.from({ length: PARTNERS }, (_, i) =>
      db.tryWithLock(1000 + i, () =>
        db.withLock(2000 + i, async () => {
          inside++;
          await allInside; // every partner holds both locks now
          return db.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT $1::int AS n', [i]))[0]!.n);
        }),
      ),
    );
    const deadlock = new Promise<'deadlock'>((resolve) => setTimeout(() => resolve('deadlock'), 15_000).unref());
    const results = await Promise.race([Promise.all(runs), deadlock]);
    expect(results).toEqual(Array.from({ length: PARTNERS }, (_, i) => ({ acquired: true, value: i })));
  }, 30_000);
});

describe('advisory locks across processes (pg)', () => {
  it('a key held in this process is not acquired a second time (a session lock is re-entrant)', async () => {
    const db = await openTestDb('pg');
    try {
      const inner = await db.tryWithLock(3000, () => db.tryWithLock(3000, () => Promise.resolve('twice')));
      expect(inner).toEqual({ acquired: true, value: { acquired: false } });
    } finally {
      await db.close();
    }
  });

  it('a lock held by another session: try answers at once, a wait ends after its bound with CONFLICT', async () => {
    const url = await createServerDatabase();
    const holder = await openDb({ databaseUrl: url, embeddedDir: null });
    const waiter = await openDb({ databaseUrl: url, embeddedDir: null, lockWaitMs: 300 });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const isHeld = new Promise<void>((resolve) => (holding = resolve));
      const holderRun = holder.withLock(4000, async () => {
        holding();
        await held;
      });
      await isHeld;
      expect(await waiter.tryWithLock(4000, () => Promise.resolve(1))).toEqual({ acquired: false });
      const started = Date.now();
      const error = await waiter.withLock(4000, () => Promise.resolve(1)).catch((err: unknown) => err);
      expect(isAppError(error) && error.code).toBe('CONFLICT');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(Date.now() - started).toBeLessThan(5_000);
      release();
      await holderRun;
      expect(await waiter.withLock(4000, () => Promise.resolve('now free'))).toBe('now free');
    } finally {
      await waiter.close();
      await holder.close();
    }
  });
});
