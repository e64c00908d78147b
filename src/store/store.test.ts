import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINES, openTestDb } from '../../test/support/databases.js';
import { migrate } from './migrate.js';
import { openDb } from './open.js';

describe.each(ENGINES)('store on %s', (engine) => {
  it('migrates once, and a second run applies nothing', async () => {
    const db = await openTestDb(engine);
    try {
      const versions = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.map((v) => v.version)).toContain('001_init.sql');
      expect(await migrate(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('rolls a failed transaction back completely', async () => {
    const db = await openTestDb(engine);
    try {
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO agreement_revisions (agreement_id, body, recorded_by) VALUES ('CN-XX', '{}', 't')");
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await db.query('SELECT * FROM agreement_revisions')).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('delivers NOTIFY to a listener', async () => {
    const db = await openTestDb(engine);
    try {
      const got = new Promise<string>((resolve) => {
        void db.listen('aeo_test', resolve);
      });
      await new Promise((r) => setTimeout(r, 50));
      await db.notify('aeo_test', 'hello');
      expect(await got).toBe('hello');
    } finally {
      await db.close();
    }
  });
});

describe('store on pg: advisory locks between sessions', () => {
  it('lets only one holder run at a time', async () => {
    const a = await openTestDb('pg');
    try {
      let inner: unknown;
      const outer = await a.tryWithLock(4242, async () => {
        inner = await a.tryWithLock(4242, () => Promise.resolve('second'));
        return 'first';
      });
      expect(outer).toEqual({ acquired: true, value: 'first' });
      expect(inner).toEqual({ acquired: false });
      expect(await a.tryWithLock(4242, () => Promise.resolve('again'))).toEqual({ acquired: true, value: 'again' });
    } finally {
      await a.close();
    }
  });
});

describe('store on pglite: data directory', () => {
  it('keeps data across reopen', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aeo-pglite-'));
    try {
      const first = await openDb({ databaseUrl: null, embeddedDir: dir });
      await first.query("INSERT INTO agreement_revisions (agreement_id, body, recorded_by) VALUES ('CN-XX', '{\"a\":1}', 't')");
      await first.close();
      const second = await openDb({ databaseUrl: null, embeddedDir: dir });
      const rows = await second.query<{ body: unknown }>('SELECT body FROM agreement_revisions');
      expect(rows).toEqual([{ body: { a: 1 } }]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
