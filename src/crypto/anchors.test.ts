// Trust anchor files: PEM parsing rules and directory loading.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustAnchors, parseCertificatesPem } from './anchors.js';
import { createCertificateAuthority, type PemPair } from './sandbox-pki.js';

const dir = mkdtempSync(join(tmpdir(), 'aeo-anchors-'));
let a: PemPair;
let b: PemPair;
let c: PemPair;

beforeAll(() => {
  a = createCertificateAuthority('Anchor A');
  b = createCertificateAuthority('Anchor B');
  c = createCertificateAuthority('Anchor C');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseCertificatesPem', () => {
  it('reads every certificate of a bundle', () => {
    const certs = parseCertificatesPem(`# comment\n${a.certPem}\n${b.certPem}`);
    expect(certs.map((x) => x.subject)).toEqual(['CN=Anchor A', 'CN=Anchor B']);
  });

  it('refuses a private key', () => {
    expect(() => parseCertificatesPem(a.certPem + a.keyPem)).toThrow(/PRIVATE KEY/);
    expect(() => parseCertificatesPem(a.keyPem.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY'))).toThrow(/PRIVATE KEY/);
  });

  it('refuses other PEM blocks and broken certificates', () => {
    const pub = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
    expect(() => parseCertificatesPem(a.certPem + pub)).toThrow(/PUBLIC KEY/);
    expect(() => parseCertificatesPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(/cannot be parsed/);
  });
});

describe('loadTrustAnchors', () => {
  it('returns [] for a missing directory', () => {
    expect(loadTrustAnchors(join(dir, 'nope'))).toEqual([]);
  });

  it('loads *.pem files in name order, dropping duplicates', () => {
    const d = join(dir, 'eu');
    mkdirSync(d);
    writeFileSync(join(d, 'b.pem'), b.certPem + c.certPem);
    writeFileSync(join(d, 'a.pem'), a.certPem);
    writeFileSync(join(d, 'dup.pem'), a.certPem);
    writeFileSync(join(d, 'notes.txt'), 'not a cert');
    const anchors = loadTrustAnchors(d);
    expect(anchors.map((x) => x.subject)).toEqual(['CN=Anchor A', 'CN=Anchor B', 'CN=Anchor C']);
    expect(anchors[0]!.sha256Fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(anchors[0]!.sha256Fingerprint).toBe(anchors[0]!.cert.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  it('names the file that holds a key or no certificate', () => {
    const d = join(dir, 'bad');
    mkdirSync(d);
    writeFileSync(join(d, 'leak.pem'), a.certPem + a.keyPem);
    expect(() => loadTrustAnchors(d)).toThrow(/leak\.pem.*PRIVATE KEY/);
    rmSync(join(d, 'leak.pem'));
    writeFileSync(join(d, 'empty.pem'), '\n');
    expect(() => loadTrustAnchors(d)).toThrow(/empty\.pem holds no certificate/);
  });
});
