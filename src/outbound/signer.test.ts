// Our signing key: good files load; bad, mismatched, weak or missing ones stop the start (ConfigError).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { ensureGeneratedSigner, loadSignerFiles, openOutboundSigner } from './signer.js';

let dir: string;
let files: { keyFile: string; certFile: string; caFile: string };
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};
const keyFile = (name: string, key: ReturnType<typeof generateKeyPairSync>['privateKey']): string => {
  const file = path.join(dir, name);
  writeFileSync(file, key.export({ type: 'pkcs8', format: 'pem' }));
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'aeo-signer-test-'));
  files = ensureGeneratedSigner(path.join(dir, 'pki'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('our outbound signer', () => {
  it('signs so that openssl verifies against the published anchors', () => {
    const signer = loadSignerFiles(files.keyFile, files.certFile, null);
    expect(signer.info.subject).toContain('Sandbox CN AEO list signer');
    const body = Buffer.from('{"header":{}}');
    writeFileSync(path.join(dir, 'm.json'), body);
    writeFileSync(path.join(dir, 'm.p7s'), signer.sign(body));
    writeFileSync(path.join(dir, 'ca.pem'), signer.anchorsPem);
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'm.p7s', '-content', 'm.json', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null'], { cwd: dir, stdio: 'pipe' });
  });

  it('is required outside sandbox mode, and generated once inside it', () => {
    const cfg = { sandbox: false, dataDir: dir, certsDir: dir, signingKeyFile: null, signingCertFile: null };
    expect(problemsOf(() => openOutboundSigner(cfg))[0]).toMatch(/required outside sandbox mode/);
    expect(openOutboundSigner({ ...cfg, sandbox: true }).info.sha256Fingerprint).toBe(openOutboundSigner({ ...cfg, sandbox: true }).info.sha256Fingerprint);
  });

  it("names a missing file, a key that is not the certificate's, a weak RSA key, a curve other than P-256, a file without certificate", () => {
    expect(problemsOf(() => loadSignerFiles(path.join(dir, 'nope.key'), files.certFile, null))).toEqual([expect.stringMatching(/nope\.key does not exist/)]);
    const other = keyFile('other.key', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    expect(problemsOf(() => loadSignerFiles(other, files.certFile, null))).toEqual([expect.stringMatching(/does not match/)]);
    const weak = keyFile('weak.key', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
    expect(problemsOf(() => loadSignerFiles(weak, files.certFile, null))).toEqual(expect.arrayContaining([expect.stringMatching(/1024 bits/)]));
    const p384 = keyFile('p384.key', generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey);
    expect(problemsOf(() => loadSignerFiles(p384, files.certFile, null))).toEqual(expect.arrayContaining([expect.stringMatching(/only P-256/)]));
    const junk = path.join(dir, 'junk.pem');
    writeFileSync(junk, 'not pem');
    expect(problemsOf(() => loadSignerFiles(files.keyFile, junk, null))).toEqual([expect.stringMatching(/holds no certificate/)]);
  });
});
