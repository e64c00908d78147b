// The command line, as an operator runs it: the compiled `aeo-gateway` with real environment variables.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueSigningCertificate, signDetachedCms } from '../../src/crypto/index.js';
import { renderList } from '../../src/sandbox/render.js';
import { sandboxFixedOperators } from '../../src/sandbox/population.js';
import { CLI, ensureBuilt, runCli } from '../support/cli.js';

describe('aeo-gateway CLI', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-cli-'));
  const env = { AEO_DATA_DIR: path.join(root, 'data'), AEO_CERTS_DIR: path.join(root, 'certs') };

  beforeAll(() => {
    ensureBuilt();
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('prints usage, and exits 2 on an unknown command', () => {
    expect(runCli(['--help'], env).stdout).toContain('Usage: aeo-gateway');
    const unknown = runCli(['frobnicate'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toContain('Unknown command');
  });

  it('lists the agreements as a table and as JSON', () => {
    const table = runCli(['agreements'], env);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/CN-EU\s+EU\s+27/);
    expect(table.stdout).toContain('31 agreements, 57 economies');
    const json = JSON.parse(runCli(['agreements', '--json'], env).stdout) as { count: number; economyCount: number };
    expect(json).toMatchObject({ count: 31, economyCount: 57 });
  });

  it('stops quietly when its output is cut short (| head), releasing the store', () => {
    const res = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" agreements | head -1`], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    expect(res.stdout.trim()).toMatch(/^id\s+partner/);
    expect(res.stderr).not.toContain('EPIPE');
    expect(res.status).toBe(0);
    expect(existsSync(path.join(env.AEO_DATA_DIR, 'pglite.lock'))).toBe(false);
  });

  it('refuses to serve with bad configuration, naming every bad setting, exit code 1', () => {
    const res = runCli(['serve'], { ...env, PORT: 'x', AEO_TIMEZONE: 'Nowhere/Else', LOG_LEVEL: 'chatty' });
    expect(res.status).toBe(1);
    for (const name of ['PORT', 'AEO_TIMEZONE', 'LOG_LEVEL', 'AEO_API_KEYS']) expect(res.stderr).toContain(name);
  });

  it('imports a signed file pair, then answers lookups from the store', () => {
    // A store of its own: the certs folder seeds EU's first version when the store is created
    // (later file changes are only offered as drafts, docs/partners/onboarding.md).
    const store = { ...env, AEO_DATA_DIR: path.join(root, 'data-import') };
    const ca = createCertificateAuthority('CLI test EU CA');
    const signer = issueSigningCertificate(ca, 'CLI test EU signer');
    const certs = path.join(root, 'certs', 'eu');
    // Trust anchors: the CA certificate only, never a key.
    mkdirSync(certs, { recursive: true });
    writeFileSync(path.join(certs, 'ca.pem'), ca.certPem);
    const body = renderList('EU', { sender: 'EU', receiver: 'CN', sequence: 5, kind: 'FULL', generatedAt: '2026-11-20T02:00:00Z' }, sandboxFixedOperators('EU'));
    const list = path.join(root, 'list.xml');
    writeFileSync(list, body);
    writeFileSync(`${list}.p7s`, signDetachedCms(body, signer));

    const imported = runCli(['import', '--partner', 'EU', list, `${list}.p7s`], store);
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ outcome: 'APPLIED', trigger: 'import', sequence: 5, counts: { added: 3 } });

    const again = runCli(['import', '--partner', 'EU', list, `${list}.p7s`], store);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'NO_CHANGE' });

    writeFileSync(list, Buffer.concat([body, Buffer.from(' ')]));
    const tampered = runCli(['import', '--partner', 'EU', list, `${list}.p7s`], store);
    expect(tampered.status).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ outcome: 'REJECTED', reason: 'SIGNATURE_INVALID' });

    const lookup = runCli(['lookup', 'de 123456789012345', '--date', '2026-11-20'], store);
    expect(lookup.status).toBe(0);
    expect(lookup.stdout).toContain('DE123456789012345 on 2026-11-20: RECOGNISED');
    const json = JSON.parse(runCli(['lookup', 'IT01234567890', '--json'], store).stdout) as { decision: string };
    expect(json.decision).toBe('SUSPENDED');
    expect(runCli(['lookup', 'SG1'], store).status).toBe(2);
  }, 240_000); // seven runs of the command line on a new embedded store
});
