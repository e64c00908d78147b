import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINES, openTestDb } from '../../test/support/databases.js';
import { getMessage, insertRun } from './exchanges-repo.js';
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

  it('keeps a message exactly, stored in parts, once per distinct payload', async () => {
    const db = await openTestDb(engine);
    try {
      // Random bytes do not compress: about 3 MB of gzip, so three parts.
      const body = randomBytes(3 * 1024 * 1024 + 123);
      const sha = createHash('sha256').update(body).digest('hex');
      const run = (id: string) => ({ id, partner: 'EU', direction: 'inbound' as const, trigger: 'import' as const, startedAt: new Date(), payloadSha256: sha, payloadBytes: body.length });
      const [a, b] = [randomUUID(), randomUUID()];
      await insertRun(db, run(a), { body, signature: Buffer.from('sig-a') });
      await insertRun(db, run(b), { body, signature: Buffer.from('sig-b') });
      const first = await getMessage(db, a);
      expect(first?.body.equals(body)).toBe(true);
      expect(first?.signature?.toString()).toBe('sig-a');
      expect((await getMessage(db, b))?.signature?.toString()).toBe('sig-b');
      expect(await db.query('SELECT sha256 FROM payloads')).toEqual([{ sha256: sha }]);
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
