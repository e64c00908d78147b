// Sandbox PKI: certificates openssl accepts, with the extensions and validity asked for.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueSigningCertificate } from './sandbox-pki.js';
import { KEY_USAGE, readCertFields } from './x509.js';

const dir = mkdtempSync(join(tmpdir(), 'aeo-pki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const fields = (pem: string): ReturnType<typeof readCertFields> => readCertFields(new X509Certificate(pem).raw);

describe('sandbox PKI', () => {
  it('issues a CA and a signer that openssl verifies', () => {
    const ca = createCertificateAuthority('Sandbox CA');
    const signer = issueSigningCertificate(ca, 'Sandbox signer');
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 's.pem'), signer.certPem);
    execFileSync('/usr/bin/openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 's.pem')], { stdio: 'pipe' });

    const caCert = new X509Certificate(ca.certPem);
    const signerCert = new X509Certificate(signer.certPem);
    expect(caCert.ca).toBe(true);
    expect(signerCert.ca).toBe(false);
    expect(signerCert.checkIssued(caCert)).toBe(true);
    expect(signerCert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // A PKCS#8 key that belongs to the CA's certificate.
    const caKey = createPrivateKey(ca.keyPem);
    expect(createPublicKey(caKey).export({ format: 'der', type: 'spki' }).equals(caCert.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);

    const caFields = fields(ca.certPem);
    expect(caFields.keyUsage).toBe(KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign);
    expect(caFields.notAfter.getTime() - caFields.notBefore.getTime()).toBeGreaterThan(3650 * DAY - DAY);
    const sFields = fields(signer.certPem);
    expect(sFields.keyUsage).toBe(KEY_USAGE.digitalSignature | KEY_USAGE.nonRepudiation);
    expect(Math.abs(sFields.notBefore.getTime() - (Date.now() - 3_600_000))).toBeLessThan(60_000);
    expect(sFields.notAfter.getTime() - sFields.notBefore.getTime()).toBe(730 * DAY);
    expect(sFields.serial.charCodeAt(0) & 0x80).toBe(0);
  });

  it('honours validity in the past and keyEncipherment', () => {
    const ca = createCertificateAuthority('Sandbox CA');
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2021-01-01T00:00:00Z');
    const s = issueSigningCertificate(ca, 'Old', { notBefore, notAfter, keyUsage: 'keyEncipherment' });
    const f = fields(s.certPem);
    expect(f.notBefore).toEqual(notBefore);
    expect(f.notAfter).toEqual(notAfter);
    expect(f.keyUsage).toBe(KEY_USAGE.keyEncipherment);
  });
});
