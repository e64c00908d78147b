// `aeo-gateway serve` refuses to start on bad directories or an enabled partner without trust
// anchors: one message naming every bad setting, exit 1, and the database never opened.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../src/crypto/index.js';
import { ensureBuilt, runCli } from '../support/cli.js';

describe('aeo-gateway serve: directory settings', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-serve-config-'));
  const dataDir = path.join(root, 'data');
  const certsDir = path.join(root, 'certs');
  const base = { AEO_DATA_DIR: dataDir, AEO_API_KEYS: 'admin:0123456789abcdef0123', PORT: '0', HOST: '127.0.0.1' };
  beforeAll(() => ensureBuilt());
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names a missing AEO_CERTS_DIR, AEO_SCHEMAS_DIR and AEO_PARTNERS_DIR together with a bad PORT', () => {
    const res = runCli(['serve'], {
      ...base,
      PORT: 'x',
      AEO_CERTS_DIR: path.join(root, 'no-certs'),
      AEO_SCHEMAS_DIR: path.join(root, 'no-schemas'),
      AEO_PARTNERS_DIR: path.join(root, 'no-partners'),
    });
    expect(res.status).toBe(1);
    for (const name of ['PORT', 'AEO_CERTS_DIR', 'AEO_SCHEMAS_DIR', 'AEO_PARTNERS_DIR']) expect(res.stderr).toContain(name);
    expect(res.stderr).toContain(path.join(root, 'no-certs'));
    expect(existsSync(dataDir)).toBe(false);
  });

  it('names a missing directory even when every other setting is right', () => {
    const res = runCli(['serve'], { ...base, AEO_CERTS_DIR: path.join(root, 'no-certs') });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('AEO_CERTS_DIR');
    expect(res.stderr).not.toContain('gateway listening');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses an enabled partner without trust anchors, naming each one, before opening the database', () => {
    mkdirSync(path.join(certsDir, 'eu'), { recursive: true });
    writeFileSync(path.join(certsDir, 'eu', 'eu-ca.pem'), createCertificateAuthority('Config test EU CA').certPem);
    const res = runCli(['serve'], { ...base, AEO_CERTS_DIR: certsDir });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/AEO_CERTS_DIR: partner HK is enabled but .* holds no trust anchor/);
    expect(res.stderr).toMatch(/AEO_CERTS_DIR: partner MO is enabled/);
    expect(res.stderr).not.toMatch(/partner EU/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('names a trust anchor file that is not a certificate', () => {
    for (const p of ['hk', 'mo']) {
      mkdirSync(path.join(certsDir, p), { recursive: true });
      writeFileSync(path.join(certsDir, p, 'ca.pem'), createCertificateAuthority(`Config test ${p} CA`).certPem);
    }
    writeFileSync(path.join(certsDir, 'eu', 'broken.pem'), 'not a certificate');
    const res = runCli(['serve'], { ...base, AEO_CERTS_DIR: certsDir });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/AEO_CERTS_DIR: Trust anchor file .*broken\.pem holds no certificate/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
