// Recognition lookups over real HTTP against the sandbox partners, on both engines (contract 4 and 7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxPopulation } from '../../src/sandbox/population.js';
import { ENGINES } from '../support/databases.js';
import { SECTION_7 } from '../support/sandbox-table.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';


describe.each(ENGINES)('recognition lookup on %s (sandbox partners)', (engine) => {
  let gw: TestGateway;
  const logLines: string[] = [];
  const get = (path: string) => api(`${gw.url}${path}`, gw.keys.lookup);
  const batch = (body: unknown) => api(`${gw.url}/v1/recognition/batch`, gw.keys.lookup, { body });

  beforeAll(async () => {
    gw = await startTestGateway({ engine, sandbox: true, logLines });
  });
  afterAll(async () => {
    await gw.close();
  });

  it.each(SECTION_7)('%s → %s (single)', async (code, decision) => {
    const { status, body } = await get(`/v1/recognition/${encodeURIComponent(code)}`);
    expect(status).toBe(200);
    expect(body.decision).toBe(decision);
    expect(body.recognised).toBe(decision === 'RECOGNISED');
    expect(body.code).toBe(code);
    expect(body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('answers the section-7 table in one batch, in order', async () => {
    const { status, body, headers } = await batch({ codes: SECTION_7.map(([c]) => c) });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(body.results.map((r: any) => [r.code, r.decision])).toEqual(SECTION_7);
  });

  it('finds a Greek operator under EL and GR alike, by EORI and by authorisation number', async () => {
    // The sandbox lists Greek operators as the EU does: EORI prefix EL.
    const greek = sandboxPopulation('EU', 0).find((op) => op.EORI.startsWith('EL') && op.Status === 'VALID' && op.AuthorisationType !== 'AEOC')!;
    const asGr = (code: string): string => `GR${code.slice(2)}`;
    const answers = await Promise.all(
      [greek.EORI, asGr(greek.EORI), greek.AuthorisationNumber, asGr(greek.AuthorisationNumber)].map(async (code) => (await get(`/v1/recognition/${code}`)).body),
    );
    for (const answer of answers) {
      expect(answer.decision).toBe('RECOGNISED');
      expect(answer.economy).toBe('GR');
      expect(answer.operator.partnerId).toBe(greek.EORI);
    }
    expect(answers.map((a) => a.code)).toEqual([greek.EORI, asGr(greek.EORI), greek.AuthorisationNumber, asGr(greek.AuthorisationNumber)]);
    const { body } = await batch({ codes: [asGr(greek.EORI)] });
    expect(body.results[0].decision).toBe('RECOGNISED');
  });

  it('finds an authorisation number written with a raw / in the path, as with %2F', async () => {
    const op = sandboxPopulation('EU', 0).find((o) => o.EORI.startsWith('DE') && o.Status === 'VALID' && o.AuthorisationType !== 'AEOC')!;
    expect(op.AuthorisationNumber).toContain('/');
    const raw = await get(`/v1/recognition/${op.AuthorisationNumber}`);
    const encoded = await get(`/v1/recognition/${encodeURIComponent(op.AuthorisationNumber)}`);
    expect(raw.status).toBe(200);
    expect(raw.body).toEqual(encoded.body);
    expect(raw.body).toMatchObject({ code: op.AuthorisationNumber, decision: 'RECOGNISED', operator: { partnerId: op.EORI } });
    // A slash that leaves the code's shape is still an INVALID_CODE answer, not a missing route.
    expect((await get('/v1/recognition/DE1/2/3/4')).body.error.code).toBe('INVALID_CODE');
  });

  it('gives operator and provenance for a known operator', async () => {
    const { body } = await get('/v1/recognition/DE123456789012345');
    expect(body).toMatchObject({
      partner: 'EU',
      economy: 'DE',
      agreement: { id: 'CN-EU', inForceOn: '2015-11-01' },
      operator: { partnerId: 'DE123456789012345', name: 'Beispiel Logistik GmbH', tier: 'AEOF', status: 'VALID', statusSince: '2019-03-01', validUntil: null },
      stale: false,
    });
    expect(body.provenance.exchangeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.provenance.sequence).toBe(1000);
    expect(body.provenance.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(body.provenance.signer.subject).toContain('Sandbox EU');
    expect(body.provenance.signer.sha256Fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const run = await api(`${gw.url}/v1/exchanges/${body.provenance.exchangeId}`, gw.keys.admin);
    expect(run.body.payloadSha256).toBe(body.provenance.payloadSha256);
    // dataAsOf: when the partner produced the list the answer rests on; none without data.
    expect(Date.parse(body.dataAsOf)).toBe(Date.parse(run.body.generatedAt));
    const noData = await get('/v1/recognition/SG123456789012');
    expect(noData.body).toMatchObject({ dataAsOf: null, stale: false, operator: null, provenance: null });
    const suspended = await get('/v1/recognition/IT01234567890');
    expect(suspended.body.operator).toMatchObject({ status: 'SUSPENDED', statusSince: '2026-01-15' });
  });

  it('normalises input forms: case, spaces, dashes, AEO<...>, EU authorisation numbers', async () => {
    const forms = ['de 123456789012345', ' DE-1234567890-12345 ', 'AEO<MO100000001>', 'aeo<mo100000001>', 'DE AEOF 00025/08', 'deaeof00025/08'];
    const { body } = await batch({ codes: forms });
    expect(body.results.map((r: any) => r.decision)).toEqual(Array(forms.length).fill('RECOGNISED'));
    expect(body.results[4].operator.partnerId).toBe('DE123456789012345');
    const single = await get(`/v1/recognition/${encodeURIComponent('de 123456789012345')}`);
    expect(single.body.decision).toBe('RECOGNISED');
    const legacy = await get(`/v1/recognition/${encodeURIComponent('AEO<MO100000001>')}`);
    expect(legacy.body.code).toBe('MO100000001');
  });

  it('answers for a past date from history', async () => {
    // The first list only states "suspended since 2026-01-15": nothing is known of the time before.
    const before = await get('/v1/recognition/IT01234567890?date=2026-01-14');
    expect(before.body.decision).toBe('NOT_LISTED');
    expect((await get('/v1/recognition/IT01234567890?date=2026-01-15')).body.decision).toBe('SUSPENDED');
    const beforeListed = await get('/v1/recognition/DE123456789012345?date=2019-02-28');
    expect(beforeListed.body.decision).toBe('NOT_LISTED');
    expect(beforeListed.body.operator.partnerId).toBe('DE123456789012345');
    const beforeAgreement = await get('/v1/recognition/MO100000001?date=2023-05-31');
    expect(beforeAgreement.body.decision).toBe('AGREEMENT_NOT_IN_FORCE');
    const notKnownYet = await get('/v1/recognition/DE123456789012345?asKnownAt=2020-01-01T00:00:00Z');
    expect(notKnownYet.body.decision).toBe('NO_DATA');
  });

  it('rejects malformed codes: 400 single, INVALID_CODE item in a batch', async () => {
    const single = await get('/v1/recognition/SG123');
    expect(single.status).toBe(400);
    expect(single.body.error.code).toBe('INVALID_CODE');
    const { body } = await batch({ codes: ['SG123', '', '12345', 'DE123456789012345', 42, null, { code: 'x' }] });
    expect(body.results.map((r: any) => r.decision)).toEqual([
      'INVALID_CODE', 'INVALID_CODE', 'INVALID_CODE', 'RECOGNISED', 'INVALID_CODE', 'INVALID_CODE', 'INVALID_CODE',
    ]);
  });

  it('refuses batches outside 1–1000 codes or of the wrong shape with 400', async () => {
    expect((await batch({ codes: Array(1000).fill('DE123456789012345') })).status).toBe(200);
    const tooMany = await batch({ codes: Array(1001).fill('DE123456789012345') });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('INVALID_BODY');
    for (const body of [{ codes: [] }, { codes: 'DE1' }, [], 'x', null, { codes: ['DE1'], extra: true }, { codes: ['DE1'], date: '2026-13-01' }]) {
      const r = await batch(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toMatch(/^(INVALID_BODY|MALFORMED_JSON|INVALID_DATE)$/);
    }
  });

  it('validates date and asKnownAt', async () => {
    for (const q of ['date=2026-02-30', 'date=yesterday', 'asKnownAt=2026-11-20', 'asKnownAt=now', 'date=2026-01-01&date=2026-01-02']) {
      const r = await get(`/v1/recognition/DE123456789012345?${q}`);
      expect(r.status, q).toBe(400);
    }
  });

  it('never answers 5xx to hostile input', async () => {
    const hostile = [
      'A'.repeat(10_000),
      '%F0%9F%92%A9',
      '%E0%A4%A',
      '..%2F..%2Fetc%2Fpasswd',
      'DE%00123',
      '%3Cscript%3E',
      'AEO%3C%3C%3C%3E%3E%3E',
    ];
    for (const h of hostile) {
      const r = await get(`/v1/recognition/${h}`);
      expect(r.status, h).toBeGreaterThanOrEqual(400);
      expect(r.status, h).toBeLessThan(500);
      expect(r.body.error.code).toMatch(/^[A-Z_]+$/);
    }
    const raw = async (payload: string, type = 'application/json') =>
      api(`${gw.url}/v1/recognition/batch`, gw.keys.lookup, { raw: payload, headers: { 'content-type': type } });
    for (const r of [await raw('{"codes":'), await raw('\u0000\u0001'), await raw('{"codes":["x"]}', 'text/plain'), await raw('x'.repeat(300_000))]) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    const weird = await batch({ codes: ['\u0000', '\uD800', 'ß'.repeat(40), 'ＤＥ123', '𝔇𝔈123'] });
    expect(weird.status).toBe(200);
    expect(weird.body.results.every((r: any) => r.decision === 'INVALID_CODE')).toBe(true);
    expect((await api(`${gw.url}/healthz`, null)).status).toBe(200);
  });

  it('lists the exchange partners with their state and next scheduled run (admin)', async () => {
    const { status, body } = await api(`${gw.url}/v1/partners`, gw.keys.admin);
    expect(status).toBe(200);
    expect(body.partners.map((p: any) => p.code)).toEqual(['EU', 'HK', 'MO']);
    for (const p of body.partners) {
      expect(p).toMatchObject({ enabled: true, stale: false, lastOutcome: 'APPLIED' });
      expect(p.operatorCount).toBeGreaterThan(0);
      expect(Date.parse(p.nextRunAt)).toBeGreaterThan(Date.now());
      expect(Date.parse(p.lastSuccessAt)).toBeLessThanOrEqual(Date.now());
    }
    expect(body.partners[0]).toMatchObject({ agreementId: 'CN-EU', lastSequence: 1000 });
    expect((await api(`${gw.url}/v1/partners`, gw.keys.lookup)).status).toBe(403);
  });

  it('needs the lookup or admin scope', async () => {
    expect((await api(`${gw.url}/v1/recognition/DE123456789012345`, null)).status).toBe(401);
    expect((await api(`${gw.url}/v1/recognition/DE123456789012345`, gw.keys.partner.EU!)).status).toBe(403);
    expect((await api(`${gw.url}/v1/recognition/DE123456789012345`, gw.keys.admin)).status).toBe(200);
  });

  it('never writes tokens or signatures into the logs', () => {
    const all = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(5);
    for (const secret of [gw.keys.admin, gw.keys.lookup, ...Object.values(gw.keys.partner)]) expect(all).not.toContain(secret);
    expect(all).not.toContain('Beispiel Logistik');
  });
});
