// `aeo-gateway domestic import FILE` as an operator runs it (compiled CLI, real environment), on both
// engines: the import is a run with the command line's actor, and a DONE audit row (contract 12.3)
// in the transaction of its outcome — for an applied import and for a rejected one alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list as auditList, verify } from '../../src/audit/audit-log.js';
import { cliActor } from '../../src/onboarding/actor.js';
import { sandboxRegister } from '../../src/sandbox/domestic.js';
import { embeddedDbDir, openDb } from '../../src/store/open.js';
import { createServerDatabase, ENGINES } from '../support/databases.js';
import { ensureBuilt, runCli } from '../support/cli.js';

describe.each(ENGINES)('aeo-gateway domestic import (%s)', (engine) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-cli-domestic-'));
  const env: Record<string, string> = { AEO_DATA_DIR: path.join(root, 'data'), AEO_CERTS_DIR: path.join(root, 'certs') };
  const register = sandboxRegister(5);
  const ids: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    if (engine === 'pg') env.DATABASE_URL = await createServerDatabase();
    writeFileSync(path.join(root, 'full.json'), JSON.stringify({ kind: 'FULL', enterprises: register }));
    writeFileSync(path.join(root, 'bad.json'), JSON.stringify({ kind: 'DELTA', enterprises: [{ ...register[0], level: 'GOLD' }] }));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('applies a FULL register (exit 0) and rejects a bad record (exit 1), each a run by cli@<user>', () => {
    const applied = runCli(['domestic', 'import', path.join(root, 'full.json')], env);
    expect(applied.status, applied.stderr).toBe(0);
    const run = JSON.parse(applied.stdout) as { id: string; outcome: string; trigger: string; actor: string };
    expect(run).toMatchObject({ outcome: 'APPLIED', trigger: 'cli', actor: cliActor().name, counts: { added: 5 } });
    const rejected = runCli(['domestic', 'import', path.join(root, 'bad.json')], env);
    expect(rejected.status).toBe(1);
    const bad = JSON.parse(rejected.stdout) as { id: string; outcome: string };
    expect(bad).toMatchObject({ outcome: 'REJECTED', reason: 'SCHEMA_INVALID' });
    ids.push(run.id, bad.id);
  }, 120_000);

  it('leaves one DONE audit row per import, with the command line as the actor; the chain verifies', async () => {
    const db = await openDb({ databaseUrl: env.DATABASE_URL ?? null, embeddedDir: embeddedDbDir(env.AEO_DATA_DIR!) });
    try {
      const rows = (await auditList(db, { action: 'domestic.import', limit: 100 })).entries.reverse();
      const actor = cliActor();
      expect(rows.map((r) => `${r.target} ${r.outcome}`)).toEqual(ids.map((id) => `${id} DONE`));
      for (const row of rows) expect(row).toMatchObject({ actor: actor.name, scopes: ['admin'], requestId: null, note: null });
      expect(rows[0]!.after).toEqual({ outcome: 'APPLIED', counts: { received: 5, added: 5, changed: 0, removed: 0, unchanged: 0, invalid: 0 } });
      expect(rows[1]!.after).toMatchObject({ outcome: 'REJECTED', counts: { received: 1, invalid: 1 } });
      expect(await verify(db)).toMatchObject({ ok: true });
    } finally {
      await db.close();
    }
  });
});
