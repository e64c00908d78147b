// Detached CMS: interop with the openssl CLI both ways, and every rejection path.
// All keys are generated at test time in a temp dir and deleted afterwards.
import { execFileSync } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import {
  createCertificateAuthority,
  issueSigningCertificate,
  signDetachedCms,
  toTrustAnchor,
  verifyDetachedCms,
  type PemPair,
  type TrustAnchor,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'aeo-cms-'));
const file = (name: string): string => join(dir, name);
const LIST = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<AEOList sender="EU" receiver="CN" sequence="1"/>\n');

function openssl(...args: string[]): Buffer {
  return execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

interface OsslPki {
  ca: string; // file names inside dir
  caKey: string;
  signer: string;
  signerKey: string;
}

const newKey = (alg: 'rsa' | 'ec' | 'rsa1024'): string[] =>
  alg === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', alg === 'rsa' ? 'rsa:2048' : 'rsa:1024'];

/** Root CA + end-entity signer made with the openssl CLI (keyUsage=digitalSignature). */
function opensslPki(name: string, alg: 'rsa' | 'ec' | 'rsa1024', signerCn = 'EU AEO list signer'): OsslPki {
  const p: OsslPki = { ca: `${name}-ca.pem`, caKey: `${name}-ca.key`, signer: `${name}-s.pem`, signerKey: `${name}-s.key` };
  openssl('req', '-x509', ...newKey(alg === 'ec' ? 'ec' : 'rsa'), '-nodes', '-sha256', '-days', '30',
    '-keyout', p.caKey, '-out', p.ca, '-subj', `/O=${name} Customs/CN=${name} Root CA`);
  issueWithOpenssl(p.ca, p.caKey, p.signer, p.signerKey, alg, `/O=${name} Customs/CN=${signerCn}`,
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  return p;
}

function issueWithOpenssl(ca: string, caKey: string, out: string, outKey: string, alg: 'rsa' | 'ec' | 'rsa1024', subj: string, ext: string): void {
  writeFileSync(file(`${out}.ext`), ext);
  openssl('req', '-new', ...newKey(alg), '-nodes', '-keyout', outKey, '-out', `${out}.csr`, '-subj', subj);
  openssl('x509', '-req', '-in', `${out}.csr`, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '30',
    '-sha256', '-out', out, '-extfile', `${out}.ext`);
}

function opensslSign(pki: { signer: string; signerKey: string }, out: string, ...extra: string[]): Buffer {
  openssl('cms', '-sign', '-binary', '-outform', 'DER', '-in', 'list.xml', '-signer', pki.signer, '-inkey', pki.signerKey,
    '-out', out, ...(extra.includes('-md') ? [] : ['-md', 'sha256']), ...extra);
  return readFileSync(file(out));
}

const anchorFrom = (pemFile: string): TrustAnchor => toTrustAnchor(new X509Certificate(readFileSync(file(pemFile))));
const anchorOf = (pair: PemPair): TrustAnchor => toTrustAnchor(new X509Certificate(pair.certPem));

/** The AppError code a call throws (or a marker if it throws something else / nothing). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isAppError(err) ? err.code : `not an AppError: ${String(err)}`;
  }
  return 'no error';
}

/** "CODE: message" of what a call throws. */
function failureOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isAppError(err) ? `${err.code}: ${err.message}` : `not an AppError: ${String(err)}`;
  }
  return 'no error';
}

let rsa: OsslPki;
let ec: OsslPki;
let sandboxCa: PemPair;
let sandboxSigner: PemPair;
let rsaSignature: Buffer;
const leaf = { signer: 'leaf.pem', signerKey: 'leaf.key' };

beforeAll(() => {
  writeFileSync(file('list.xml'), LIST);
  rsa = opensslPki('EU', 'rsa');
  ec = opensslPki('HK', 'ec', 'HK AEO list signer');
  sandboxCa = createCertificateAuthority('Sandbox Root CA');
  sandboxSigner = issueSigningCertificate(sandboxCa, 'Sandbox signer');
  rsaSignature = opensslSign(rsa, 'rsa.p7s');
  // EU root -> RSA intermediate CA -> EC leaf signer
  issueWithOpenssl(rsa.ca, rsa.caKey, 'int.pem', 'int.key', 'rsa', '/O=EU Customs/CN=EU Issuing CA',
    'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  issueWithOpenssl('int.pem', 'int.key', leaf.signer, leaf.signerKey, 'ec', '/O=EU Customs/CN=EU leaf signer',
    'keyUsage=critical,digitalSignature\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verifyDetachedCms — openssl interop', () => {
  for (const [label, pki] of [['RSA 2048', () => rsa], ['ECDSA P-256', () => ec]] as const) {
    it(`verifies an openssl ${label} detached signature`, () => {
      const p = pki();
      const sig = opensslSign(p, `interop-${p.signer}.p7s`);
      const before = Date.now();
      const result = verifyDetachedCms(LIST, sig, [anchorFrom(p.ca)], new Date());
      const expectedFp = openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', p.signer)
        .toString().trim().split('=')[1]!.replace(/:/g, '').toLowerCase();
      const cn = p === rsa ? 'EU AEO list signer, O=EU Customs' : 'HK AEO list signer, O=HK Customs';
      expect(result.subject).toBe(`CN=${cn}`);
      expect(result.sha256Fingerprint).toBe(expectedFp);
      expect(result.anchorSubject).toBe(p === rsa ? 'CN=EU Root CA, O=EU Customs' : 'CN=HK Root CA, O=HK Customs');
      expect(Math.abs(result.signingTime.getTime() - before)).toBeLessThan(120_000);
    });
  }

  it('verifies an openssl RSA-PSS signature', () => {
    const sig = opensslSign(rsa, 'pss.p7s', '-keyopt', 'rsa_padding_mode:pss');
    expect(verifyDetachedCms(LIST, sig, [anchorFrom(rsa.ca)], new Date()).subject).toContain('EU AEO list signer');
  });

  it('finds the signer by subjectKeyIdentifier (openssl -keyid)', () => {
    const sig = opensslSign(ec, 'keyid.p7s', '-keyid');
    expect(verifyDetachedCms(LIST, sig, [anchorFrom(ec.ca)], new Date()).subject).toBe('CN=HK AEO list signer, O=HK Customs');
  });

  it('accepts an end-entity signer certificate that is itself the anchor (pinned)', () => {
    const result = verifyDetachedCms(LIST, rsaSignature, [anchorFrom(rsa.signer)], new Date());
    expect(result.subject).toBe('CN=EU AEO list signer, O=EU Customs');
    expect(result.anchorSubject).toBe(result.subject);
  });

  it('refuses a CA certificate (basicConstraints CA:TRUE) as the signer, even when it is the anchor itself', () => {
    const sig = opensslSign({ signer: rsa.ca, signerKey: rsa.caKey }, 'self.p7s');
    expect(failureOf(() => verifyDetachedCms(LIST, sig, [anchorFrom(rsa.ca)], new Date()))).toMatch(/^SIGNER_UNTRUSTED: .*CA certificate/);
    expect(codeOf(() => verifyDetachedCms(LIST, signDetachedCms(LIST, sandboxCa), [anchorOf(sandboxCa)], new Date()))).toBe('SIGNER_UNTRUSTED');
  });

  it('verifies an intermediate chain carried in the CMS when only the root is an anchor', () => {
    const withChain = opensslSign(leaf, 'chain.p7s', '-certfile', 'int.pem');
    const result = verifyDetachedCms(LIST, withChain, [anchorFrom(rsa.ca)], new Date());
    expect(result.subject).toBe('CN=EU leaf signer, O=EU Customs');
    expect(result.anchorSubject).toBe('CN=EU Root CA, O=EU Customs');
    // without the intermediate there is no path to the root
    const noChain = opensslSign(leaf, 'nochain.p7s');
    expect(codeOf(() => verifyDetachedCms(LIST, noChain, [anchorFrom(rsa.ca)], new Date()))).toBe('SIGNER_UNTRUSTED');
    // an anchor may also be the intermediate itself
    expect(verifyDetachedCms(LIST, noChain, [anchorFrom('int.pem')], new Date()).anchorSubject).toBe('CN=EU Issuing CA, O=EU Customs');
  });
});

describe('signDetachedCms', () => {
  it('produces DER that openssl cms -verify accepts and that we verify (RSA, sandbox PKI)', () => {
    writeFileSync(file('sandbox-ca.pem'), sandboxCa.certPem);
    writeFileSync(file('ours.p7s'), signDetachedCms(LIST, sandboxSigner));
    openssl('cms', '-verify', '-binary', '-inform', 'DER', '-in', 'ours.p7s', '-content', 'list.xml',
      '-CAfile', 'sandbox-ca.pem', '-purpose', 'any', '-out', '/dev/null');
    const result = verifyDetachedCms(LIST, readFileSync(file('ours.p7s')), [anchorOf(sandboxCa)], new Date());
    expect(result.subject).toBe('CN=Sandbox signer');
    expect(result.anchorSubject).toBe('CN=Sandbox Root CA');
  });

  it('signs with an EC key and includes a chain', () => {
    const signer = { certPem: readFileSync(file('leaf.pem'), 'utf8'), keyPem: readFileSync(file('leaf.key'), 'utf8'), chainPem: [readFileSync(file('int.pem'), 'utf8')] };
    const time = new Date(); // the openssl certs start at their creation second
    writeFileSync(file('ours-ec.p7s'), signDetachedCms(LIST, signer, time));
    openssl('cms', '-verify', '-binary', '-inform', 'DER', '-in', 'ours-ec.p7s', '-content', 'list.xml',
      '-CAfile', rsa.ca, '-purpose', 'any', '-out', '/dev/null');
    const result = verifyDetachedCms(LIST, readFileSync(file('ours-ec.p7s')), [anchorFrom(rsa.ca)], new Date());
    expect(result.signingTime.getTime()).toBe(Math.floor(time.getTime() / 1000) * 1000);
  });

  it('refuses a key that does not match the certificate', () => {
    const other = issueSigningCertificate(sandboxCa, 'Other');
    expect(() => signDetachedCms(LIST, { certPem: sandboxSigner.certPem, keyPem: other.keyPem })).toThrow(/does not match/);
  });
});

describe('verifyDetachedCms — rejections', () => {
  const now = (): Date => new Date();
  const rsaSig = (): Buffer => rsaSignature;
  const rsaAnchors = (): TrustAnchor[] => [anchorFrom(rsa.ca)];

  it('rejects content changed by one byte', () => {
    const changed = Buffer.from(LIST);
    changed[10] = changed[10]! ^ 0x01;
    expect(failureOf(() => verifyDetachedCms(changed, rsaSig(), rsaAnchors(), now()))).toBe(
      'SIGNATURE_INVALID: The message digest does not match the content.',
    );
  });

  it('rejects truncated, garbage, empty and PEM signatures without crashing', () => {
    const sig = rsaSig();
    const pem = openssl('cms', '-sign', '-binary', '-in', 'list.xml', '-signer', rsa.signer, '-inkey', rsa.signerKey, '-outform', 'PEM');
    const nested = Buffer.concat([...Array<Buffer>(5000).fill(Buffer.from([0x30, 0x80])), Buffer.alloc(10000)]);
    for (const bad of [sig.subarray(0, sig.length - 1), sig.subarray(0, 100), randomBytes(2000), Buffer.alloc(0), pem, nested]) {
      expect(codeOf(() => verifyDetachedCms(LIST, bad, rsaAnchors(), now()))).toBe('SIGNATURE_INVALID');
    }
  });

  it('rejects a flipped signature value', () => {
    const sig = Buffer.from(rsaSig());
    sig[sig.length - 5] = sig[sig.length - 5]! ^ 0xff;
    expect(failureOf(() => verifyDetachedCms(LIST, sig, rsaAnchors(), now()))).toBe('SIGNATURE_INVALID: The signature value does not verify.');
  });

  it("rejects a signer from another partner's CA", () => {
    expect(codeOf(() => verifyDetachedCms(LIST, rsaSig(), [anchorFrom(ec.ca)], now()))).toBe('SIGNER_UNTRUSTED');
    expect(codeOf(() => verifyDetachedCms(LIST, rsaSig(), [], now()))).toBe('SIGNER_UNTRUSTED');
  });

  it('rejects an expired signer (valid at signing time, not now)', () => {
    const day = 86_400_000;
    const t = Date.now();
    const old = issueSigningCertificate(sandboxCa, 'Old signer', { notBefore: new Date(t - 400 * day), notAfter: new Date(t - 30 * day) });
    const sig = signDetachedCms(LIST, old, new Date(t - 100 * day));
    expect(codeOf(() => verifyDetachedCms(LIST, sig, [anchorOf(sandboxCa)], now()))).toBe('SIGNER_EXPIRED');
  });

  it('rejects a signingTime beyond the clock plus 5 minutes, accepts one within it', () => {
    const at = new Date();
    const ahead = (ms: number): Buffer => signDetachedCms(LIST, sandboxSigner, new Date(at.getTime() + ms));
    expect(failureOf(() => verifyDetachedCms(LIST, ahead(6 * 60_000), [anchorOf(sandboxCa)], at))).toMatch(/^SIGNATURE_INVALID: The signingTime is later than now/);
    expect(codeOf(() => verifyDetachedCms(LIST, ahead(3 * 365 * 86_400_000), [anchorOf(sandboxCa)], at))).toBe('SIGNATURE_INVALID');
    expect(verifyDetachedCms(LIST, ahead(4 * 60_000), [anchorOf(sandboxCa)], at).subject).toMatch(/CN=/);
  });

  it('rejects a signingTime outside the signer validity', () => {
    const sig = signDetachedCms(LIST, sandboxSigner, new Date(Date.now() - 2 * 86_400_000));
    expect(codeOf(() => verifyDetachedCms(LIST, sig, [anchorOf(sandboxCa)], now()))).toBe('SIGNER_EXPIRED');
  });

  it('rejects when the anchor itself has expired', () => {
    const t = Date.now();
    const oldCa = createCertificateAuthority('Old CA', { notBefore: new Date(t - 20 * 86_400_000), notAfter: new Date(t - 86_400_000) });
    const s = issueSigningCertificate(oldCa, 'Signer of old CA', { notBefore: new Date(t - 10 * 86_400_000) });
    const sig = signDetachedCms(LIST, s, new Date(t - 5 * 86_400_000));
    expect(codeOf(() => verifyDetachedCms(LIST, sig, [anchorOf(oldCa)], now()))).toBe('SIGNER_EXPIRED');
  });

  it('rejects a signer whose key usage is keyEncipherment only', () => {
    const s = issueSigningCertificate(sandboxCa, 'Encryption only', { keyUsage: 'keyEncipherment' });
    const sig = signDetachedCms(LIST, s);
    let message = '';
    try {
      verifyDetachedCms(LIST, sig, [anchorOf(sandboxCa)], now());
    } catch (err) {
      expect(isAppError(err) && err.code).toBe('SIGNER_UNTRUSTED');
      message = (err as Error).message;
    }
    expect(message).toMatch(/key usage/);
  });

  it('rejects signatures without signed attributes, attached content, SHA-1 and two signers', () => {
    const noAttr = opensslSign(rsa, 'noattr.p7s', '-noattr');
    const attached = opensslSign(rsa, 'attached.p7s', '-nodetach');
    const sha1 = opensslSign(rsa, 'sha1.p7s', '-md', 'sha1');
    const two = opensslSign(rsa, 'two.p7s', '-signer', ec.signer, '-inkey', ec.signerKey);
    const anchors = [anchorFrom(rsa.ca), anchorFrom(ec.ca)];
    const messages: string[] = [];
    for (const sig of [noAttr, attached, sha1, two]) {
      try {
        verifyDetachedCms(LIST, sig, anchors, now());
        messages.push('verified');
      } catch (err) {
        messages.push(isAppError(err) ? `${err.code}: ${err.message}` : String(err));
      }
    }
    expect(messages).toEqual([
      'SIGNATURE_INVALID: The signature has no signed attributes.',
      'SIGNATURE_INVALID: The signature is not detached: it carries the content.',
      'SIGNATURE_INVALID: The signature digest algorithm is not SHA-256.',
      'SIGNATURE_INVALID: The signature has more than one signer.',
    ]);
  });

  it('rejects an RSA key shorter than 2048 bits', () => {
    const weak = opensslPki('WEAK', 'rsa1024');
    const sig = opensslSign(weak, 'weak.p7s');
    expect(failureOf(() => verifyDetachedCms(LIST, sig, [anchorFrom(weak.ca)], now()))).toBe(
      'SIGNATURE_INVALID: The signer RSA key is shorter than 2048 bits.',
    );
  });

  it('accepts either anchor during a key rollover', () => {
    const newCa = createCertificateAuthority('Sandbox Root CA 2');
    const newSigner = issueSigningCertificate(newCa, 'Sandbox signer 2');
    const anchors = [anchorOf(sandboxCa), anchorOf(newCa)];
    expect(verifyDetachedCms(LIST, signDetachedCms(LIST, sandboxSigner), anchors, now()).anchorSubject).toBe('CN=Sandbox Root CA');
    expect(verifyDetachedCms(LIST, signDetachedCms(LIST, newSigner), anchors, now()).anchorSubject).toBe('CN=Sandbox Root CA 2');
  });
});

describe('large content', () => {
  it('verifies 50 MB quickly', () => {
    const big = randomBytes(50 * 1024 * 1024);
    const sig = signDetachedCms(big, sandboxSigner);
    const start = performance.now();
    const result = verifyDetachedCms(big, sig, [anchorOf(sandboxCa)], new Date());
    console.log(`verified 50 MB in ${(performance.now() - start).toFixed(0)} ms`);
    expect(result.subject).toBe('CN=Sandbox signer');
  });
});
