// The embedded engine in its own worker thread (the compiled build's default) behaves like PGlite on
// the calling thread: transactions, coded errors, bulk rows, LISTEN/NOTIFY and the data directory —
// and a long statement there leaves the caller's event loop turning. The thread runs the compiled
// dist/src/store/pglite-thread.js (`npm run build` first; `npm test` does).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, TextRow } from '../../src/store/db.js';
import { openPgliteDb } from '../../src/store/pglite-engine.js';
import { DatabaseError, withSafeErrors } from '../../src/store/safe-errors.js';

const BUILT_THREAD = path.resolve('dist/src/store/pglite-thread.js');
const MODES = [
  ['on the calling thread', null],
  ['in its own thread', BUILT_THREAD],
] as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  if (!existsSync(BUILT_THREAD)) throw new Error(`${BUILT_THREAD} is missing: run npm run build first`);
});

describe.each(MODES)('PGlite %s', (_name, threadFile) => {
  let db: Db;
  beforeAll(async () => {
    db = withSafeErrors(await openPgliteDb(null, { threadFile }));
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE bulk (n int, a text, b text)');
  });
  afterAll(async () => {
    await db.close();
  });

  it('commits a transaction, rolls a failed one back, and reports SQL errors with their code', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1, $2)', [1, 'one']);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1, $2)', [2, 'two']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const duplicate = await db.query('INSERT INTO t VALUES ($1, $2)', [1, 'secret value']).catch((err: unknown) => err);
    expect(duplicate).toBeInstanceOf(DatabaseError);
    expect(duplicate).toMatchObject({ code: '23505', table: 't' });
    expect((duplicate as Error).message).not.toContain('secret value');
    // A failed statement inside a transaction fails the transaction, and nothing of it stays.
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1, $2)', [3, 'three']);
        await tx.query('INSERT INTO t VALUES ($1, $2)', [1, 'again']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query('SELECT id, v FROM t ORDER BY id')).toEqual([{ id: 1, v: 'one' }]);
  });

  it('moves many rows in and out as COPY text, escapes, NULL and UTF-8 kept', async () => {
    const rows: TextRow[] = Array.from({ length: 12_001 }, (_v, i) => [String(i), i % 3 === 0 ? null : `a\t${i}\n\\`, `b${i} Zoë 中文`]);
    await db.transaction((tx) => tx.insertMany('bulk', [{ name: 'n', type: 'int' }, { name: 'a', type: 'text' }, { name: 'b', type: 'text' }], rows));
    const back = await db.selectMany('SELECT n::text, a, b FROM bulk WHERE n >= $1 ORDER BY bulk.n', [0]);
    expect(back).toEqual(rows);
    expect(await db.selectMany('SELECT n::text FROM bulk WHERE n < $1', [0])).toEqual([]);
  });

  it('delivers a notification sent in a transaction once it commits, none of a rolled-back one, none after unlisten', async () => {
    const heard: string[] = [];
    const unlisten = await db.listen('things', (payload) => heard.push(payload));
    await db.transaction(async (tx) => {
      await tx.query("SELECT pg_notify('things', 'committed')");
    });
    await db
      .transaction(async (tx) => {
        await tx.query("SELECT pg_notify('things', 'rolled back')");
        throw new Error('no');
      })
      .catch(() => undefined);
    await db.notify('things', 'direct');
    await sleep(50);
    await unlisten();
    await db.notify('things', 'after');
    await sleep(50);
    expect(heard).toEqual(['committed', 'direct']);
  });
});

describe('PGlite in its own thread', () => {
  it('keeps the caller’s event loop turning during a long statement (on the calling thread it does not)', async () => {
    const lag = async (threadFile: string | null): Promise<{ statement: number; worstGap: number }> => {
      const db = await openPgliteDb(null, { threadFile });
      try {
        let last = performance.now();
        let worstGap = 0;
        const timer = setInterval(() => {
          const now = performance.now();
          worstGap = Math.max(worstGap, now - last);
          last = now;
        }, 5);
        const t = performance.now();
        await db.query('SELECT sum(x)::float8 AS s FROM generate_series(1, 3000000) AS x');
        const statement = performance.now() - t;
        await sleep(30); // the timer's first turn after the statement measures a gap it caused
        clearInterval(timer);
        return { statement, worstGap };
      } finally {
        await db.close();
      }
    };
    const local = await lag(null);
    const threaded = await lag(BUILT_THREAD);
    // The statement takes long enough for the difference to show.
    expect(local.statement).toBeGreaterThan(200);
    expect(local.worstGap).toBeGreaterThan(local.statement * 0.8);
    expect(threaded.worstGap).toBeLessThan(threaded.statement / 2);
  }, 60_000);

  it('writes the data directory the engine on the calling thread reads', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pglite-thread-'));
    try {
      const dataDir = path.join(dir, 'pglite');
      const threaded = await openPgliteDb(dataDir, { threadFile: BUILT_THREAD });
      await threaded.exec('CREATE TABLE kept (v text)');
      await threaded.transaction((tx) => tx.insertMany('kept', [{ name: 'v', type: 'text' }], [['x'], ['y']]));
      await threaded.close();
      await expect(threaded.query('SELECT 1')).rejects.toThrow(/stopped/);
      const local = await openPgliteDb(dataDir, { threadFile: null });
      expect(await local.query('SELECT v FROM kept ORDER BY v')).toEqual([{ v: 'x' }, { v: 'y' }]);
      await local.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
