// Revocation (contract 6.2) with CRLs made by `openssl ca -gencrl`: a revoked signer, a CRL signed by
// the wrong CA, an expired CRL, "required" vs "best-effort", CRLs from the partner's folder, from the
// CMS and from the distribution point (a local HTTP server), cached in the database; and a whole
// chain root → intermediate → signer, whose intermediate is checked against the root's CRL.
import { X509Certificate } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crlsToDer, signDetachedCms } from '../../src/crypto/index.js';
import { isAppError } from '../../src/errors.js';
import { assessRevocation, type CrlInput, type RevocationRecord } from '../../src/exchange/revocation.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { euList, euOperators, expectRun, getExchange, hkList, isoDay, makePki, opensslSign, partnerView, push, tempDir, trustAnchor, type TestPki } from './helpers.js';
import { makeOpensslCa, opensslSignWithChain, type OpensslCa } from './openssl-ca.js';

const DAY = 86_400_000;
const cert = (pem: string): X509Certificate => new X509Certificate(pem);
const inputs = (pems: string[], source: CrlInput['source'] = 'partner'): CrlInput[] => crlsToDer(pems).map((der) => ({ der, source }));

type Outcome = { code: string | null; message: string | null; record: RevocationRecord };

/** The error code and revocation record assessRevocation throws for the chain signer → …cas, or its result. */
function assessChain(signer: TestPki, cas: OpensslCa[], crls: CrlInput[], mode: 'required' | 'best-effort', now = new Date()): Outcome {
  try {
    return { code: null, message: null, record: assessRevocation([cert(signer.signer.certPem), ...cas.map((ca) => cert(ca.certPem))], crls, now, mode) };
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { code: err.code, message: err.message, record: (err.details as { revocation: RevocationRecord }).revocation };
  }
}
const assess = (signer: TestPki, ca: OpensslCa, crls: CrlInput[], mode: 'required' | 'best-effort', now = new Date()): Outcome => assessChain(signer, [ca], crls, mode, now);

let caA: OpensslCa;
let caB: OpensslCa;
let impostor: OpensslCa; // same subject as caA, another key
let good: TestPki;
let revoked: TestPki;
let crlA: string;
// Chains: root → intermediate → signer. intRevoked is revoked by the root's CRL; rootNoCrl never
// publishes one.
let root: OpensslCa;
let intGood: OpensslCa;
let intRevoked: OpensslCa;
let rootNoCrl: OpensslCa;
let intUnderNoCrl: OpensslCa;

beforeAll(() => {
  caA = makeOpensslCa('A');
  caB = makeOpensslCa('B');
  impostor = makeOpensslCa('A-impostor', '/CN=Test A CRL CA/O=Test customs');
  good = caA.issue('Test EU signer good');
  revoked = caA.issue('Test EU signer revoked');
  caA.revoke(revoked);
  crlA = caA.gencrl();
  root = makeOpensslCa('Root', '/CN=Test chain root CA/O=Test customs');
  intGood = root.issueCa('Int', '/CN=Test chain intermediate CA/O=Test customs');
  intRevoked = root.issueCa('Int-revoked', '/CN=Test chain revoked intermediate CA/O=Test customs');
  root.revoke(intRevoked);
  rootNoCrl = makeOpensslCa('Root-no-CRL', '/CN=Test chain root CA without CRL/O=Test customs');
  intUnderNoCrl = rootNoCrl.issueCa('Int-no-root-CRL', '/CN=Test chain intermediate CA under a root without CRL/O=Test customs');
});

afterAll(() => {
  for (const ca of [caA, caB, impostor, root, rootNoCrl]) ca?.remove();
});

describe('the revocation check (pure, openssl-made CRLs)', () => {
  it('finds a revoked signer in its CA’s CRL and says which CRL', () => {
    const { code, record } = assess(revoked, caA, inputs([crlA]), 'best-effort');
    expect(code).toBe('SIGNER_REVOKED');
    expect(record).toMatchObject({ status: 'revoked', crl: { issuer: 'O=Test customs, CN=Test A CRL CA', source: 'partner' } });
    const thisUpdate = Date.parse(record.crl!.thisUpdate);
    expect(Math.abs(thisUpdate - Date.now())).toBeLessThan(5 * 60_000);
    expect(Date.parse(record.crl!.nextUpdate!) - thisUpdate).toBe(7 * DAY);
  });

  it('passes a signer the current CRL does not list', () => {
    expect(assess(good, caA, inputs([crlA]), 'required')).toMatchObject({ code: null, record: { status: 'good', warning: null, crl: { source: 'partner' } } });
  });

  it('ignores a CRL signed by the wrong CA, even with the right issuer name and the signer listed', () => {
    impostor.revoke(good);
    const forged = impostor.gencrl();
    expect(assess(good, caA, inputs([forged]), 'required').code).toBe('SIGNER_REVOCATION_UNKNOWN');
    const lenient = assess(good, caA, inputs([forged]), 'best-effort');
    expect(lenient).toMatchObject({ code: null, record: { status: 'unknown', crl: null } });
    expect(lenient.record.warning).toMatch(/No current CRL/);
  });

  it('ignores an expired CRL (past its nextUpdate), and a CRL of another CA', () => {
    const expired = caA.gencrl({ lastUpdate: new Date(Date.now() - 10 * DAY), nextUpdate: new Date(Date.now() - DAY) });
    expect(assess(revoked, caA, inputs([expired]), 'required').code).toBe('SIGNER_REVOCATION_UNKNOWN');
    expect(assess(revoked, caA, inputs([caB.gencrl()]), 'required').code).toBe('SIGNER_REVOCATION_UNKNOWN');
    // the same CRL once current again: revoked
    expect(assess(revoked, caA, inputs([expired]), 'required', new Date(Date.now() - 5 * DAY)).code).toBe('SIGNER_REVOKED');
  });

  it('reads PEM and DER alike, and skips what is not a CRL', () => {
    const der = crlsToDer([crlA])[0]!;
    expect(crlsToDer([der])[0]!.equals(der)).toBe(true);
    const noise: CrlInput[] = [{ der: Buffer.from('not a CRL'), source: 'partner' }, { der: Buffer.alloc(0), source: 'cms' }];
    expect(assess(revoked, caA, [...noise, { der, source: 'partner' }], 'required').code).toBe('SIGNER_REVOKED');
    expect(assess(revoked, caA, noise, 'required').code).toBe('SIGNER_REVOCATION_UNKNOWN');
  });
});

describe('the revocation check of the whole chain (root → intermediate → signer, openssl-made)', () => {
  let signer: TestPki;
  let underRevoked: TestPki;
  let underNoCrl: TestPki;
  beforeAll(() => {
    signer = intGood.issue('Test chain signer');
    underRevoked = intRevoked.issue('Test chain signer under a revoked CA');
    underNoCrl = intUnderNoCrl.issue('Test chain signer under a root without CRL');
  });

  it('passes when the intermediate’s CRL covers the signer and the root’s covers the intermediate, and records both', () => {
    const { code, record } = assessChain(signer, [intGood, root], inputs([intGood.gencrl(), root.gencrl()]), 'required');
    expect(code).toBeNull();
    expect(record).toMatchObject({ status: 'good', warning: null, crl: { issuer: 'O=Test customs, CN=Test chain intermediate CA' }, certificate: { role: 'signer', sha256Fingerprint: signer.signerFingerprint } });
    expect(record.chain).toHaveLength(2);
    expect(record.chain![0]).toMatchObject({ role: 'signer', status: 'good', crl: { issuer: 'O=Test customs, CN=Test chain intermediate CA' } });
    expect(record.chain![1]).toMatchObject({ role: 'intermediate', status: 'good', subject: expect.stringContaining('CN=Test chain intermediate CA'), crl: { issuer: 'O=Test customs, CN=Test chain root CA' } });
  });

  it('refuses a signer whose intermediate CA the root’s CRL lists: SIGNER_REVOKED, naming the intermediate and the root’s CRL', () => {
    for (const mode of ['required', 'best-effort'] as const) {
      const { code, message, record } = assessChain(underRevoked, [intRevoked, root], inputs([intRevoked.gencrl(), root.gencrl()]), mode);
      expect(code).toBe('SIGNER_REVOKED');
      expect(message).toMatch(/intermediate CA certificate .*Test chain revoked intermediate CA.* revoked by the CRL of O=Test customs, CN=Test chain root CA/);
      expect(record).toMatchObject({ status: 'revoked', crl: { issuer: 'O=Test customs, CN=Test chain root CA' }, certificate: { role: 'intermediate', subject: expect.stringContaining('Test chain revoked intermediate CA') } });
      expect(record.chain!.map((c) => c.status)).toEqual(['good', 'revoked']);
    }
  });

  it('finds a revoked intermediate even when no CRL covers the signer itself', () => {
    expect(assessChain(underRevoked, [intRevoked, root], inputs([root.gencrl()]), 'best-effort')).toMatchObject({ code: 'SIGNER_REVOKED', record: { certificate: { role: 'intermediate' } } });
  });

  it('without the root’s CRL: "required" rejects as SIGNER_REVOCATION_UNKNOWN naming the intermediate; "best-effort" applies with a warning naming it', () => {
    const crls = inputs([intUnderNoCrl.gencrl()]);
    const strict = assessChain(underNoCrl, [intUnderNoCrl, rootNoCrl], crls, 'required');
    expect(strict.code).toBe('SIGNER_REVOCATION_UNKNOWN');
    expect(strict.message).toMatch(/covers the intermediate CA certificate .*Test chain intermediate CA under a root without CRL/);
    expect(strict.record).toMatchObject({ status: 'unknown', crl: null, certificate: { role: 'intermediate' } });
    expect(strict.record.chain!.map((c) => c.status)).toEqual(['good', 'unknown']);
    const lenient = assessChain(underNoCrl, [intUnderNoCrl, rootNoCrl], crls, 'best-effort');
    expect(lenient).toMatchObject({ code: null, record: { status: 'unknown', crl: null, certificate: { role: 'intermediate' } } });
    expect(lenient.record.warning).toMatch(/intermediate CA certificate .*under a root without CRL.*best-effort/);
  });

  it('takes each CRL only for the certificates its CA issued: the root’s CRL says nothing of the signer, an expired root CRL nothing at all', () => {
    // The root's CRL alone: the intermediate is covered, the signer is not.
    const rootOnly = assessChain(signer, [intGood, root], inputs([root.gencrl()]), 'required');
    expect(rootOnly).toMatchObject({ code: 'SIGNER_REVOCATION_UNKNOWN', record: { certificate: { role: 'signer' } } });
    expect(rootOnly.record.chain!.map((c) => c.status)).toEqual(['unknown', 'good']);
    const expiredRoot = root.gencrl({ lastUpdate: new Date(Date.now() - 10 * DAY), nextUpdate: new Date(Date.now() - DAY) });
    const stale = assessChain(signer, [intGood, root], inputs([intGood.gencrl(), expiredRoot]), 'required');
    expect(stale).toMatchObject({ code: 'SIGNER_REVOCATION_UNKNOWN', record: { certificate: { role: 'intermediate' } } });
    // The revoked intermediate is not found in an expired root CRL either: unknown, not revoked.
    expect(assessChain(underRevoked, [intRevoked, root], inputs([intRevoked.gencrl(), expiredRoot]), 'required').code).toBe('SIGNER_REVOCATION_UNKNOWN');
  });
});

// ---------------------------------------------------------------------------------------------

interface CrlServer {
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}

async function serveCrl(getPem: () => string): Promise<CrlServer> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crlsToDer([getPem()])[0]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/b.crl`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(ENGINES)('revocation in the pipeline (%s)', (engine) => {
  let tg: TestGateway;
  let dirs: { dir: string; remove: () => void };
  let crlServer: CrlServer;
  let hkPki: TestPki;
  let viaDp: TestPki; // caB, revoked, with a distribution point
  let noCrl: TestPki; // caB, no distribution point, no CRL anywhere
  let inCms: TestPki; // caB, not revoked; its CA's CRL rides in the CMS
  let chained: TestPki; // root → intGood → signer, every CRL in the partner's folder
  let chainedRevoked: TestPki; // root → intRevoked (revoked by the root) → signer
  let chainedNoRootCrl: TestPki; // rootNoCrl → intUnderNoCrl → signer
  const list = (sequence: number): Buffer => euList(sequence, euOperators(4), { generatedAt: `${isoDay(-5 + sequence)}T01:00:00Z` });

  beforeAll(async () => {
    dirs = tempDir('revocation');
    crlServer = await serveCrl(() => caB.gencrl());
    viaDp = caB.issue(`Test EU signer via DP ${engine}`, { crlUrl: crlServer.url });
    caB.revoke(viaDp);
    noCrl = caB.issue(`Test EU signer without CRL ${engine}`);
    inCms = caB.issue(`Test EU signer with CRL in CMS ${engine}`);
    chained = intGood.issue(`Test EU chained signer ${engine}`);
    chainedRevoked = intRevoked.issue(`Test EU signer under a revoked CA ${engine}`);
    chainedNoRootCrl = intUnderNoCrl.issue(`Test EU signer under a root without CRL ${engine}`);
    hkPki = makePki('HK');
    // EU requires revocation; HK keeps the default (best-effort).
    const partnersDir = path.join(dirs.dir, 'partners');
    cpSync(path.resolve('partners'), partnersDir, { recursive: true });
    const euManifest = path.join(partnersDir, 'eu.partner.json');
    writeFileSync(euManifest, JSON.stringify({ ...JSON.parse(readFileSync(euManifest, 'utf8')), revocation: 'required' }));
    const certsDir = path.join(dirs.dir, 'certs');
    for (const [file, pem] of [['a.pem', caA.certPem], ['b.pem', caB.certPem], ['root.pem', root.certPem], ['root-no-crl.pem', rootNoCrl.certPem]] as const) {
      trustAnchor(certsDir, 'EU', { ...good, name: file, ca: { certPem: pem, keyPem: '' } }, file);
    }
    writeFileSync(path.join(certsDir, 'eu', 'a.crl'), crlA);
    // The chains' CRLs: each intermediate's, and the root's (which lists intRevoked); none of rootNoCrl.
    for (const [file, ca] of [['int.crl', intGood], ['int-revoked.crl', intRevoked], ['int-no-root-crl.crl', intUnderNoCrl], ['root.crl', root]] as const) {
      writeFileSync(path.join(certsDir, 'eu', file), ca.gencrl());
    }
    trustAnchor(certsDir, 'HK', hkPki);
    tg = await startTestGateway({ engine, certsDir, env: { AEO_PARTNERS_DIR: partnersDir, AEO_CRL_FETCH: 'true' } });
  });

  afterAll(async () => {
    await tg?.close();
    await crlServer?.close();
    hkPki?.remove();
    dirs?.remove();
  });

  it('applies a list whose signer the partner’s CRL does not list, and records that CRL in the run', async () => {
    const body = list(1);
    const res = await push(tg, 'EU', body, opensslSign(body, good));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body.revocation).toMatchObject({ status: 'good', warning: null, crl: { issuer: 'O=Test customs, CN=Test A CRL CA', source: 'partner' } });
    expect(res.body.revocation.crl.nextUpdate).toEqual(expect.any(String));
    expect(res.body.warnings).toEqual([]);
    expect((await getExchange(tg, res.body.id as string)).body.revocation).toEqual(res.body.revocation);
  });

  it('rejects a revoked signer as SIGNER_REVOKED, data unchanged', async () => {
    const body = list(2);
    const res = await push(tg, 'EU', body, opensslSign(body, revoked));
    expectRun(res, 422, 'REJECTED', 'SIGNER_REVOKED');
    expect(res.body.revocation).toMatchObject({ status: 'revoked', crl: { source: 'partner' } });
    expect(res.body.signer).toMatchObject({ sha256Fingerprint: revoked.signerFingerprint });
    expect((await partnerView(tg, 'EU')).lastSequence).toBe(1);
  });

  it('rejects a signer no CRL covers as SIGNER_REVOCATION_UNKNOWN when the manifest requires revocation', async () => {
    const body = list(2);
    const res = await push(tg, 'EU', body, opensslSign(body, noCrl));
    expectRun(res, 422, 'REJECTED', 'SIGNER_REVOCATION_UNKNOWN');
    expect(res.body.revocation).toMatchObject({ status: 'unknown', crl: null, warning: null, certificate: { role: 'signer', sha256Fingerprint: noCrl.signerFingerprint } });
  });

  it('fetches the CRL from the signer’s distribution point, caches it in the database, and finds the signer revoked', async () => {
    const body = list(2);
    const first = await push(tg, 'EU', body, opensslSign(body, viaDp));
    expectRun(first, 422, 'REJECTED', 'SIGNER_REVOKED');
    expect(first.body.revocation.crl).toMatchObject({ source: 'distribution-point', issuer: 'O=Test customs, CN=Test B CRL CA' });
    expect(crlServer.hits()).toBe(1);
    const cached = await tg.gateway.db.query<{ url: string; issuer: string }>('SELECT url, issuer FROM crl_cache');
    expect(cached).toEqual([{ url: crlServer.url, issuer: 'O=Test customs, CN=Test B CRL CA' }]);
    // Served from the cache the second time.
    const second = await push(tg, 'EU', body, opensslSign(body, viaDp));
    expectRun(second, 422, 'REJECTED', 'SIGNER_REVOKED');
    expect(crlServer.hits()).toBe(1);
  });

  it('uses a CRL carried inside the CMS', async () => {
    const body = list(2);
    const signature = signDetachedCms(body, { ...inCms.signer, crlsDer: crlsToDer([caB.gencrl()]) });
    const res = await push(tg, 'EU', body, signature);
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body.revocation).toMatchObject({ status: 'good', crl: { source: 'cms', issuer: 'O=Test customs, CN=Test B CRL CA' } });
  });

  it('checks the whole chain: root → intermediate → signer applied, each certificate’s CRL in the run', async () => {
    const body = list(3);
    const res = await push(tg, 'EU', body, opensslSignWithChain(body, chained, [intGood]));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body.revocation).toMatchObject({ status: 'good', certificate: { role: 'signer', sha256Fingerprint: chained.signerFingerprint } });
    expect(res.body.revocation.chain).toEqual([
      expect.objectContaining({ role: 'signer', status: 'good', crl: expect.objectContaining({ issuer: 'O=Test customs, CN=Test chain intermediate CA', source: 'partner' }) }),
      expect.objectContaining({ role: 'intermediate', status: 'good', crl: expect.objectContaining({ issuer: 'O=Test customs, CN=Test chain root CA', source: 'partner' }) }),
    ]);
    expect((await getExchange(tg, res.body.id as string)).body.revocation).toEqual(res.body.revocation);
  });

  it('rejects a list whose intermediate CA the root’s CRL revokes as SIGNER_REVOKED, the run naming the intermediate', async () => {
    const body = list(4);
    const res = await push(tg, 'EU', body, opensslSignWithChain(body, chainedRevoked, [intRevoked]));
    expectRun(res, 422, 'REJECTED', 'SIGNER_REVOKED');
    expect(res.body.revocation).toMatchObject({
      status: 'revoked',
      crl: { issuer: 'O=Test customs, CN=Test chain root CA', source: 'partner' },
      certificate: { role: 'intermediate', subject: expect.stringContaining('Test chain revoked intermediate CA') },
    });
    expect(res.body.signer).toMatchObject({ sha256Fingerprint: chainedRevoked.signerFingerprint });
    expect((await partnerView(tg, 'EU')).lastSequence).toBe(3);
  });

  it('rejects a list whose root CA has no current CRL as SIGNER_REVOCATION_UNKNOWN under "required", naming the intermediate', async () => {
    const body = list(4);
    const res = await push(tg, 'EU', body, opensslSignWithChain(body, chainedNoRootCrl, [intUnderNoCrl]));
    expectRun(res, 422, 'REJECTED', 'SIGNER_REVOCATION_UNKNOWN');
    expect(res.body.revocation).toMatchObject({ status: 'unknown', crl: null, certificate: { role: 'intermediate', subject: expect.stringContaining('under a root without CRL') } });
    expect(res.body.revocation.chain.map((c: { status: string }) => c.status)).toEqual(['good', 'unknown']);
    expect((await partnerView(tg, 'EU')).lastSequence).toBe(3);
  });

  it('best-effort (the default): applies without a CRL and records a warning in the run', async () => {
    const hk = hkList(
      1,
      [{ aeoNumber: '100000000000001', tier: 2, status: 'ACTIVE', companyName: { en: 'Harbour Freight Ltd', zh: '海港貨運有限公司' }, address: '1 Harbour Road', certifiedOn: '2016-04-01', statusChangedOn: '2016-04-01' }],
      { generatedAt: `${isoDay(-3)}T09:00:00+08:00` },
    );
    const res = await push(tg, 'HK', hk, opensslSign(hk, hkPki));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body.revocation).toMatchObject({ status: 'unknown', crl: null });
    expect(res.body.warnings).toEqual([expect.stringMatching(/best-effort/)]);
    const listed = await api(`${tg.url}/v1/exchanges?partner=HK&limit=1`, tg.keys.admin);
    expect(listed.body.exchanges[0].warnings).toEqual(res.body.warnings);
  });
});
