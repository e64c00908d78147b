// `aeo-gateway partner draft|dry-run|activate` as an admin runs them (compiled CLI, real environment),
// on both engines: the worked example of docs/partners/onboarding.md from a folder to a RECOGNISED lookup,
// each action a DONE row of the audit log with the command line's actor.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list as auditList, verify } from '../../src/audit/audit-log.js';
import { cliActor } from '../../src/onboarding/actor.js';
import { embeddedDbDir, openDb } from '../../src/store/open.js';
import { opensslSign } from '../exchange/helpers.js';
import { createServerDatabase, ENGINES } from '../support/databases.js';
import { ensureBuilt, runCli } from '../support/cli.js';
import { companies, EXAMPLE_DIR, opensslPki, sgList, type OpensslPki } from './singapore.js';

describe.each(ENGINES)('aeo-gateway partner commands (%s)', (engine) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-cli-partner-'));
  const draftDir = path.join(root, 'sg');
  const env: Record<string, string> = { AEO_DATA_DIR: path.join(root, 'data'), AEO_CERTS_DIR: path.join(root, 'certs') };
  let pki: OpensslPki;

  beforeAll(async () => {
    ensureBuilt();
    if (engine === 'pg') env.DATABASE_URL = await createServerDatabase();
    pki = opensslPki('SG');
    mkdirSync(path.join(draftDir, 'anchors'), { recursive: true });
    copyFileSync(path.join(EXAMPLE_DIR, 'manifest.json'), path.join(draftDir, 'manifest.json'));
    copyFileSync(path.join(EXAMPLE_DIR, 'payload.schema.json'), path.join(draftDir, 'payload.schema.json'));
    copyFileSync(pki.caCertFile, path.join(draftDir, 'anchors', 'sg-ca.pem'));
    const list = sgList(1, companies(3));
    writeFileSync(path.join(root, 'list.json'), list);
    writeFileSync(path.join(root, 'list.json.p7s'), opensslSign(list, pki));
  });
  afterAll(() => {
    pki?.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a folder whose anchor is a private key, naming it, storing nothing', () => {
    const bad = path.join(root, 'bad');
    mkdirSync(path.join(bad, 'anchors'), { recursive: true });
    for (const f of ['manifest.json', 'payload.schema.json']) copyFileSync(path.join(draftDir, f), path.join(bad, f));
    copyFileSync(pki.signerKeyFile, path.join(bad, 'anchors', 'oops.pem'));
    const res = runCli(['partner', 'draft', bad, '--note', 'wrong file'], env);
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout).toContain('BUNDLE_INVALID');
    expect(res.stdout).toMatch(/\/trustAnchors\/0: holds a private key/);
    expect(res.stdout + res.stderr).not.toContain('PRIVATE KEY');
  });

  it('drafts, refuses to activate without a dry run, dry-runs a signed sample, activates; the list then answers RECOGNISED', () => {
    const draft = runCli(['partner', 'draft', draftDir, '--note', 'Singapore STP-Plus'], env);
    expect(draft.status, draft.stderr).toBe(0);
    expect(draft.stdout).toMatch(/^SG version 1: DRAFT \(sha256 [0-9a-f]{64}\) by cli@/);

    const early = runCli(['partner', 'activate', 'SG', '1', '--note', 'too early'], env);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('DRY_RUN_REQUIRED');

    const list = path.join(root, 'list.json');
    const dry = runCli(['partner', 'dry-run', 'SG', '1', list, `${list}.p7s`], env);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('SG version 1');
    expect(dry.stdout).toContain(': WOULD_APPLY');
    expect(dry.stdout).toMatch(/signature: VALID — CN=SG AEO list signer/);
    expect(dry.stdout).toMatch(/SG123456789012\s+RECOGNISED/);
    const json = JSON.parse(runCli(['partner', 'dry-run', 'SG', '1', list, `${list}.p7s`, '--json'], env).stdout) as { outcome: string; counts: { added: number } };
    expect(json).toMatchObject({ outcome: 'WOULD_APPLY', counts: { added: 3 } });

    const active = runCli(['partner', 'activate', 'SG', '1', '--note', 'go live'], env);
    expect(active.status, active.stderr).toBe(0);
    expect(active.stdout).toContain('SG version 1 is ACTIVE');

    const imported = runCli(['import', '--partner', 'SG', list, `${list}.p7s`], env);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ partner: 'SG', outcome: 'APPLIED' });
    expect(runCli(['lookup', 'SG123456789012'], env).stdout).toMatch(/^SG123456789012 on \d{4}-\d{2}-\d{2}: RECOGNISED/);
    expect(readFileSync(path.join(draftDir, 'manifest.json'), 'utf8')).toBe(readFileSync(path.join(EXAMPLE_DIR, 'manifest.json'), 'utf8'));
  }, 300_000); // eight runs of the command line, each opening the store (slow for the embedded engine)

  it('leaves one DONE audit row per action, with the command line as the actor, and none for the refused ones', async () => {
    const db = await openDb({ databaseUrl: env.DATABASE_URL ?? null, embeddedDir: embeddedDbDir(env.AEO_DATA_DIR!) });
    try {
      const { entries } = await auditList(db, { limit: 100 });
      const actor = cliActor();
      expect(actor).toMatchObject({ name: expect.stringMatching(/^cli@/), scopes: ['admin'], requestId: null });
      const rows = entries.filter((e) => e.action.startsWith('partner.')).reverse();
      expect(rows.map((e) => `${e.action} ${e.target} ${e.outcome}`)).toEqual([
        'partner.draft SG DONE',
        'partner.dryRun SG/1 DONE',
        'partner.dryRun SG/1 DONE',
        'partner.activate SG/1 DONE',
      ]);
      for (const row of rows) expect(row).toMatchObject({ actor: actor.name, scopes: ['admin'], requestId: null });
      expect(rows[0]).toMatchObject({ note: 'Singapore STP-Plus', after: { version: 1, contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      expect(rows[1]).toMatchObject({ note: null, after: { outcome: 'WOULD_APPLY', reason: null } });
      expect(rows[3]).toMatchObject({ note: 'go live', after: { version: 1, previousVersion: null, rollback: false, exchangeId: null } });
      expect(await verify(db)).toMatchObject({ ok: true });
    } finally {
      await db.close();
    }
  });

  it('prints its usage for a wrong form', () => {
    const res = runCli(['partner', 'activate', 'SG'], env);
    expect(res.status).toBe(2);
    expect(res.stdout).toContain('aeo-gateway partner draft DIR');
  });
});
