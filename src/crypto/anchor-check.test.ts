// Anchor checks of contract section 11 on certificates and files made by the real openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAnchor, checkCrl } from './anchor-check.js';
import { createCertificateAuthority } from './sandbox-pki.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aeo-anchor-'));
const f = (n: string): string => path.join(dir, n);
const openssl = (args: string[]): Buffer => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const NOW = new Date();

function ca(name: string, keyArgs: string[], ext = 'basicConstraints=critical,CA:TRUE'): string {
  openssl(['req', '-x509', ...keyArgs, '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`), '-days', '30', '-subj', `/CN=${name}`, '-addext', ext]);
  return readFileSync(f(`${name}.pem`), 'utf8');
}

const rsa = ca('rsa2048', ['-newkey', 'rsa:2048']);
const p256 = ca('p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkAnchor', () => {
  it('accepts an RSA 2048 and a P-256 CA', () => {
    expect(checkAnchor(rsa, NOW).problems).toEqual([]);
    expect(checkAnchor(p256, NOW).problems).toEqual([]);
    expect(checkAnchor(rsa, NOW).cert?.subject).toBe('CN=rsa2048');
  });

  it('refuses a certificate that is not a CA, a weak RSA key, another curve and an expired CA', () => {
    expect(checkAnchor(ca('leaf', ['-newkey', 'rsa:2048'], 'basicConstraints=critical,CA:FALSE'), NOW).problems).toEqual(['is not a CA certificate (basicConstraints CA is not set)']);
    expect(checkAnchor(ca('rsa1024', ['-newkey', 'rsa:1024']), NOW).problems).toEqual(['has an RSA key of 1024 bits; at least 2048 are required']);
    expect(checkAnchor(ca('p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']), NOW).problems).toEqual(['has an EC key on secp384r1; only P-256 is accepted']);
    const old = createCertificateAuthority('Expired CA', { notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') }).certPem;
    expect(checkAnchor(old, NOW).problems).toEqual(['expired on 2021-01-01T00:00:00.000Z']);
  });

  it('refuses private keys (alone or beside a certificate), PKCS#12, other blocks and garbage, never quoting them', () => {
    const key = readFileSync(f('rsa2048.key'), 'utf8');
    for (const text of [key, `${rsa}\n${key}`, `${key}\n${rsa}`]) {
      const { problems } = checkAnchor(text, NOW);
      expect(problems).toEqual(['holds a private key; only CA certificates are accepted (nothing of it was stored)']);
    }
    const p12 = openssl(['pkcs12', '-export', '-in', f('rsa2048.pem'), '-inkey', f('rsa2048.key'), '-passout', 'pass:x']).toString('base64');
    expect(checkAnchor(p12, NOW).problems).toEqual(['is a PKCS#12 file; send the CA certificate as PEM text instead']);
    expect(checkAnchor('hello', NOW).problems).toEqual(['is not PEM text (-----BEGIN CERTIFICATE-----)']);
    expect(checkAnchor(42, NOW).problems).toEqual(['must be the PEM text of a CA certificate']);
    expect(checkAnchor(`${rsa}${p256}`, NOW).problems).toEqual(['holds several certificates; give each anchor as its own entry']);
    expect(checkAnchor('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', NOW).problems).toEqual(['is not a readable X.509 certificate']);
    const csr = openssl(['req', '-new', '-key', f('rsa2048.key'), '-subj', '/CN=x']).toString();
    expect(checkAnchor(csr, NOW).problems).toEqual(['holds a "CERTIFICATE REQUEST" block; only one CERTIFICATE block is accepted']);
  });
});

describe('checkCrl', () => {
  it('accepts a CRL made by openssl and refuses anything else', () => {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('crlca.key'), '-out', f('crlca.pem'), '-days', '30', '-subj', '/CN=crl ca']);
    // A minimal `openssl ca` set-up: an empty index and a config naming it.
    execFileSync('bash', ['-c', `touch index.txt && printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\ndefault_md=sha256\\ndefault_crl_days=7\\n' > ca.cnf`], { cwd: dir });
    const crl = openssl(['ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', 'crlca.key', '-cert', 'crlca.pem']).toString();
    expect(checkCrl(crl)).toEqual([]);
    expect(checkCrl(rsa)).toEqual(['must hold exactly one "X509 CRL" PEM block']);
    expect(checkCrl('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----')).toEqual(['is not an X.509 CRL']);
    expect(checkCrl(readFileSync(f('crlca.key'), 'utf8'))).toEqual(['holds a private key; only CRLs are accepted here (nothing of it was stored)']);
  });
});
