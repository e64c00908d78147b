// `aeo-gateway audit verify` with the configuration of `serve`, on both engines: intact after real
// admin actions over HTTP; exit 1 naming the row once one row was altered by SQL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDbDir, openDb } from '../../src/store/open.js';
import { ensureBuilt, runCli } from '../support/cli.js';
import { createServerDatabase, ENGINES } from '../support/databases.js';
import { api, startTestGateway } from '../support/gateway.js';

describe.each(ENGINES)('aeo-gateway audit verify (%s)', (engine) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-audit-cli-'));
  const dataDir = path.join(root, 'data');
  let env: Record<string, string>;
  let ids: number[];

  beforeAll(async () => {
    ensureBuilt();
    const databaseUrl = engine === 'pg' ? await createServerDatabase() : undefined;
    env = { AEO_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    const gw = await startTestGateway({ engine, databaseUrl, dataDir });
    try {
      // Four rows: refused (no token, wrong scope) and failed (unknown run, twice).
      const missing = '00000000-0000-4000-8000-000000000000';
      await api(`${gw.url}/admin/exchanges/${missing}/approve`, null, { method: 'POST' });
      await api(`${gw.url}/admin/exchanges/${missing}/approve`, gw.keys.viewer, { method: 'POST' });
      await api(`${gw.url}/admin/exchanges/${missing}/approve`, gw.keys.operator, { method: 'POST' });
      await api(`${gw.url}/admin/exchanges/${missing}/reject`, gw.keys.admin, { method: 'POST' });
      ids = ((await api(`${gw.url}/admin/audit`, gw.keys.viewer)).body.entries as { id: number }[]).map((e) => e.id).reverse();
    } finally {
      await gw.close();
    }
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('passes on the untouched log', () => {
    expect(ids).toHaveLength(4);
    const res = runCli(['audit', 'verify'], env);
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('audit log intact: 4 rows');
    expect(res.status).toBe(0);
  });

  it('exits 1 at the first broken link, naming the row changed by SQL', async () => {
    const db = await openDb({ databaseUrl: env.DATABASE_URL ?? null, embeddedDir: embeddedDbDir(dataDir) });
    try {
      await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
        UPDATE audit_log SET outcome = 'DONE' WHERE id = ${ids[2]!};
        ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    } finally {
      await db.close();
    }
    const res = runCli(['audit', 'verify'], env);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain(`audit log broken at row ${ids[2]!}: its content does not match its hash`);
    expect(res.stdout).toContain('the 2 rows before it are intact');
    expect(runCli(['audit'], env).status).toBe(2);
  });
});
