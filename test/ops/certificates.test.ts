// GET /admin/certificates (contract 12.4), the certificate expiry metric and the daily warning log
// line, over real HTTP on both storage engines: anchors, the last signer, our own signing certificate.
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueSigningCertificate, type PemPair } from '../../src/crypto/index.js';
import type { CertificateEntry } from '../../src/ops/certificates.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { sampleValue, scrape } from '../support/prometheus.js';
import { cmsSign, euList, euOperators, expectErrorBody, expectRun, makePki, push, tempDir, trustAnchor, type TestPki } from '../exchange/helpers.js';

const DAY = 86_400_000;
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

type Entry = CertificateEntry;

describe.each(ENGINES)('certificates (%s)', (engine) => {
  let pki: TestPki;
  let soonCa: PemPair;
  let own: PemPair;
  let files: { dir: string; remove: () => void };
  let tg: TestGateway;
  const logLines: string[] = [];

  beforeAll(async () => {
    pki = makePki('EU');
    files = tempDir('certs');
    const certsDir = path.join(files.dir, 'certs');
    trustAnchor(certsDir, 'EU', pki);
    // A second EU anchor that runs out in 10 days (a rollover in progress).
    soonCa = createCertificateAuthority('Test EU rollover CA', { notAfter: new Date(Date.now() + 10 * DAY) });
    writeFileSync(path.join(certsDir, 'eu', 'rollover-ca.pem'), soonCa.certPem);
    // Our own signing certificate: 45 days left (no warning yet), key generated now.
    const cnCa = createCertificateAuthority('Test CN customs CA');
    own = issueSigningCertificate(cnCa, 'Test CN AEO list signer', { notAfter: new Date(Date.now() + 45 * DAY) });
    writeFileSync(path.join(files.dir, 'own.pem'), own.certPem);
    writeFileSync(path.join(files.dir, 'own.key'), own.keyPem, { mode: 0o600 });
    tg = await startTestGateway({
      engine,
      certsDir,
      logLines,
      env: { AEO_SIGNING_CERT_FILE: path.join(files.dir, 'own.pem'), AEO_SIGNING_KEY_FILE: path.join(files.dir, 'own.key') },
    });
    const list = euList(1, euOperators(5));
    expectRun(await push(tg, 'EU', list, cmsSign(list, pki)), 200, 'APPLIED', null);
  });

  afterAll(async () => {
    await tg?.close();
    files?.remove();
    pki?.remove();
  });

  it('needs a token with the right scope', async () => {
    expectErrorBody(await api(`${tg.url}/admin/certificates`, null), 401, 'UNAUTHENTICATED');
    expectErrorBody(await api(`${tg.url}/admin/certificates`, tg.keys.lookup), 403, 'FORBIDDEN');
    expectErrorBody(await api(`${tg.url}/admin/certificates`, tg.keys.metrics), 403, 'FORBIDDEN');
  });

  it('lists anchors, the last signer and our own certificate, soonest expiry first, with days left', async () => {
    const res = await api(`${tg.url}/admin/certificates`, tg.keys.admin);
    expect(res.status).toBe(200);
    const certs = res.body.certificates as Entry[];
    expect(certs.map((c) => [c.partner, c.role, c.subject])).toEqual([
      ['EU', 'trust_anchor', 'CN=Test EU rollover CA'],
      ['CN', 'own_signing', 'CN=Test CN AEO list signer'],
      ['EU', 'last_signer', `CN=${pki.signerCommonName}`],
      ['EU', 'trust_anchor', 'CN=Test EU customs CA'],
    ]);
    const notAfters = certs.map((c) => Date.parse(c.notAfter));
    expect([...notAfters].sort((a, b) => a - b)).toEqual(notAfters);
    const [rollover, mine, signer] = certs as [Entry, Entry, Entry];
    const x509 = new X509Certificate(soonCa.certPem);
    expect(rollover).toEqual({
      partner: 'EU',
      role: 'trust_anchor',
      subject: 'CN=Test EU rollover CA',
      issuer: 'CN=Test EU rollover CA',
      serial: x509.serialNumber.toUpperCase(),
      notBefore: new Date(x509.validFrom).toISOString(),
      notAfter: new Date(x509.validTo).toISOString(),
      sha256: fingerprint(soonCa.certPem),
      daysLeft: Math.floor((Date.parse(x509.validTo) - Date.now()) / DAY),
    });
    expect(rollover.daysLeft).toBeGreaterThanOrEqual(9);
    expect(rollover.daysLeft).toBeLessThanOrEqual(10);
    expect(mine).toMatchObject({ issuer: 'CN=Test CN customs CA', sha256: fingerprint(own.certPem) });
    expect(mine.daysLeft).toBeGreaterThanOrEqual(44);
    expect(signer).toMatchObject({ issuer: 'CN=Test EU customs CA', sha256: pki.signerFingerprint });
  });

  it('exports the expiry of each certificate as aeo_certificate_not_after_timestamp_seconds', async () => {
    const { samples } = await scrape(tg);
    const at = (partner: string, role: string, pem: string): number | undefined =>
      sampleValue(samples, 'aeo_certificate_not_after_timestamp_seconds', { partner, role, sha256_prefix: fingerprint(pem).slice(0, 16) });
    expect(at('EU', 'trust_anchor', soonCa.certPem)).toBe(Date.parse(new X509Certificate(soonCa.certPem).validTo) / 1000);
    expect(at('CN', 'own_signing', own.certPem)).toBe(Date.parse(new X509Certificate(own.certPem).validTo) / 1000);
    expect(at('EU', 'last_signer', pki.signer.certPem)).toBeGreaterThan(Date.now() / 1000);
    expect(samples.filter((s) => s.name === 'aeo_certificate_not_after_timestamp_seconds')).toHaveLength(4);
  });

  it('logs one warning at start for the certificate within 30 days of expiry, and none for the others; no secrets', () => {
    const warnings = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'certificate expires soon');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, partner: 'EU', role: 'trust_anchor', subject: 'CN=Test EU rollover CA', sha256: fingerprint(soonCa.certPem) });
    const all = logLines.join('\n');
    for (const secret of ['PRIVATE KEY', own.keyPem.slice(40, 80), tg.keys.admin, tg.keys.partner.EU!]) expect(all).not.toContain(secret);
  });
});
