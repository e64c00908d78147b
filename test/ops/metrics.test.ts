// GET /metrics (contract 12.2) and partner health (12.1) over real HTTP, on both storage engines:
// auth, every metric of the contract, zero series, counters that move with pushes, lookups and
// failed pulls, per-partner gauges from the database (a second gateway on the same server agrees).
import nock from 'nock';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerSync } from '../../src/exchange/sync.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { parseSamples, sampleValue, scrape, type Sample } from '../support/prometheus.js';
import { cmsSign, euList, euOperators, expectErrorBody, expectRun, isoDay, lookup, makePki, push, tempDir, trustAnchor, type TestPki } from '../exchange/helpers.js';

const CONTRACT_METRICS = [
  'aeo_http_request_duration_seconds',
  'aeo_lookup_decisions_total',
  'aeo_exchange_runs_total',
  'aeo_exchange_rejections_total',
  'aeo_exchange_duration_seconds',
  'aeo_partner_last_success_timestamp_seconds',
  'aeo_partner_data_as_of_timestamp_seconds',
  'aeo_partner_health',
  'aeo_partner_operators',
  'aeo_quarantine_pending',
  'aeo_outbound_batches',
  'aeo_outbound_last_acknowledged_timestamp_seconds',
  'aeo_certificate_not_after_timestamp_seconds',
  'aeo_auth_failures_total',
  'aeo_lookup_index_sequence',
];
const HEALTH_WORDS = ['DISABLED', 'NEVER_SYNCED', 'QUARANTINED', 'STALE', 'FAILING', 'LATE', 'OK'];
const PARTNER_HOST = 'http://partner.test';
const OPS = euOperators(10);
const GENERATED_AT = `${new Date(Date.now() - 3_600_000).toISOString().slice(0, 19)}Z`;

let pki: TestPki;

beforeAll(() => {
  pki = makePki('EU');
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
  pki.remove();
});

/** The one health word whose series is 1 (and every word has a series). */
function healthWord(samples: readonly Sample[], partner: string): string {
  const values = HEALTH_WORDS.map((health) => sampleValue(samples, 'aeo_partner_health', { partner, health }));
  expect(values, `aeo_partner_health{partner="${partner}"}`).not.toContain(undefined);
  expect(values.filter((v) => v === 1)).toHaveLength(1);
  return HEALTH_WORDS[values.indexOf(1)]!;
}

async function apiHealth(tg: TestGateway, partner: string): Promise<string> {
  const res = await api(`${tg.url}/v1/partners`, tg.keys.admin);
  expect(res.status).toBe(200);
  return (res.body.partners as { code: string; health: string }[]).find((p) => p.code === partner)!.health;
}

describe.each(ENGINES)('GET /metrics (%s)', (engine) => {
  let tg: TestGateway;
  let certs: { dir: string; remove: () => void };

  beforeAll(async () => {
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', pki);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
  });

  afterAll(async () => {
    await tg?.close();
    certs?.remove();
  });

  it('needs the metrics or admin scope: 401 without a token, 403 with a lookup token', async () => {
    expectErrorBody(await api(`${tg.url}/metrics`, null), 401, 'UNAUTHENTICATED');
    expectErrorBody(await api(`${tg.url}/metrics`, 'not-a-token-of-this-gateway'), 401, 'UNAUTHENTICATED');
    expectErrorBody(await api(`${tg.url}/metrics`, tg.keys.lookup), 403, 'FORBIDDEN');
    expectErrorBody(await api(`${tg.url}/metrics`, tg.keys.partner.EU!), 403, 'FORBIDDEN');
    for (const token of [tg.keys.metrics, tg.keys.admin]) {
      const res = await api(`${tg.url}/metrics`, token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    }
    // The metrics token reads nothing else.
    expectErrorBody(await api(`${tg.url}/v1/partners`, tg.keys.metrics), 403, 'FORBIDDEN');
    expectErrorBody(await lookup({ ...tg, keys: { ...tg.keys, lookup: tg.keys.metrics } }, 'DE123456789012345'), 403, 'FORBIDDEN');
  });

  it('has every metric of the contract, the process defaults, and zero series for every partner and enum value', async () => {
    const { text, samples } = await scrape(tg);
    for (const name of CONTRACT_METRICS) expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(sampleValue(samples, name), name).toBeGreaterThanOrEqual(0);
    }
    for (const partner of ['EU', 'HK', 'MO']) {
      expect(healthWord(samples, partner)).toBe('NEVER_SYNCED');
      expect(sampleValue(samples, 'aeo_exchange_rejections_total', { partner, reason: 'SIGNATURE_INVALID' })).toBe(0);
      expect(sampleValue(samples, 'aeo_exchange_runs_total', { partner, direction: 'inbound', trigger: 'schedule', outcome: 'FAILED' })).toBe(0);
      expect(sampleValue(samples, 'aeo_exchange_duration_seconds_count', { partner, direction: 'inbound' })).toBe(0);
      expect(sampleValue(samples, 'aeo_partner_operators', { partner, status: 'VALID' })).toBe(0);
      expect(sampleValue(samples, 'aeo_quarantine_pending', { partner })).toBe(0);
      expect(sampleValue(samples, 'aeo_outbound_batches', { partner, state: 'DEAD_LETTER' })).toBe(0);
      expect(sampleValue(samples, 'aeo_lookup_index_sequence', { partner })).toBe(0);
      // Unknown times have no series (0 would read as 1970).
      expect(sampleValue(samples, 'aeo_partner_last_success_timestamp_seconds', { partner })).toBeUndefined();
    }
    expect(sampleValue(samples, 'aeo_lookup_decisions_total', { partner: 'none', decision: 'NO_AGREEMENT' })).toBe(0);
    expect(sampleValue(samples, 'aeo_lookup_decisions_total', { partner: 'SG', decision: 'NO_DATA' })).toBe(0);
    for (const reason of ['missing_token', 'unknown_token', 'forbidden']) {
      expect(sampleValue(samples, 'aeo_auth_failures_total', { reason }), reason).toBeGreaterThan(0); // the test above
    }
  });

  it('follows an applied push: runs, operators, sequence, success time, dataAsOf, health OK, certificates', async () => {
    const list = euList(1, OPS, { generatedAt: GENERATED_AT });
    expectRun(await push(tg, 'EU', list, cmsSign(list, pki)), 200, 'APPLIED', null);
    const { samples } = await scrape(tg);
    expect(sampleValue(samples, 'aeo_exchange_runs_total', { partner: 'EU', direction: 'inbound', trigger: 'push', outcome: 'APPLIED' })).toBe(1);
    expect(sampleValue(samples, 'aeo_exchange_duration_seconds_count', { partner: 'EU', direction: 'inbound' })).toBe(1);
    // euOperators: IT01234567890 is SUSPENDED, the other nine VALID.
    expect(sampleValue(samples, 'aeo_partner_operators', { partner: 'EU', status: 'VALID' })).toBe(9);
    expect(sampleValue(samples, 'aeo_partner_operators', { partner: 'EU', status: 'SUSPENDED' })).toBe(1);
    expect(sampleValue(samples, 'aeo_lookup_index_sequence', { partner: 'EU' })).toBe(1);
    expect(sampleValue(samples, 'aeo_partner_data_as_of_timestamp_seconds', { partner: 'EU' })).toBe(Date.parse(GENERATED_AT) / 1000);
    expect(Math.abs(sampleValue(samples, 'aeo_partner_last_success_timestamp_seconds', { partner: 'EU' })! - Date.now() / 1000)).toBeLessThan(60);
    expect(healthWord(samples, 'EU')).toBe('OK');
    expect(healthWord(samples, 'HK')).toBe('NEVER_SYNCED');
    expect(await apiHealth(tg, 'EU')).toBe('OK');
    expect(await apiHealth(tg, 'HK')).toBe('NEVER_SYNCED');
    const notAfter = (role: string, sha256: string): number | undefined =>
      sampleValue(samples, 'aeo_certificate_not_after_timestamp_seconds', { partner: 'EU', role, sha256_prefix: sha256.slice(0, 16) });
    const { X509Certificate } = await import('node:crypto');
    const ca = new X509Certificate(pki.ca.certPem);
    expect(notAfter('trust_anchor', ca.fingerprint256.replace(/:/g, '').toLowerCase())).toBe(Date.parse(ca.validTo) / 1000);
    expect(notAfter('last_signer', pki.signerFingerprint)).toBe(Date.parse(new X509Certificate(pki.signer.certPem).validTo) / 1000);
  });

  it('counts a push with a bad signature under SIGNATURE_INVALID, exactly once', async () => {
    const before = (await scrape(tg)).samples;
    const list = euList(2, OPS, { generatedAt: GENERATED_AT });
    const wrong = cmsSign(Buffer.concat([list, Buffer.from(' ')]), pki);
    expectRun(await push(tg, 'EU', list, wrong), 422, 'REJECTED', 'SIGNATURE_INVALID');
    const after = (await scrape(tg)).samples;
    const delta = (name: string, labels: Record<string, string>): number => sampleValue(after, name, labels)! - sampleValue(before, name, labels)!;
    expect(delta('aeo_exchange_rejections_total', { partner: 'EU', reason: 'SIGNATURE_INVALID' })).toBe(1);
    expect(delta('aeo_exchange_rejections_total', { partner: 'EU', reason: 'SCHEMA_INVALID' })).toBe(0);
    expect(delta('aeo_exchange_runs_total', { partner: 'EU', direction: 'inbound', trigger: 'push', outcome: 'REJECTED' })).toBe(1);
    // One rejection is not FAILING (that needs the last two runs).
    expect(healthWord(after, 'EU')).toBe('OK');
  });

  it('counts lookup decisions per partner, cached answers, asKnownAt and batch items included; labels carry no codes', async () => {
    const before = (await scrape(tg)).samples;
    for (let i = 0; i < 3; i++) expect((await lookup(tg, 'DE123456789012345')).body.decision).toBe('RECOGNISED');
    expect((await lookup(tg, 'DE123456789012345', { asKnownAt: new Date().toISOString() })).body.decision).toBe('RECOGNISED');
    expect((await lookup(tg, 'US1234567')).body.decision).toBe('NO_AGREEMENT');
    expect((await lookup(tg, 'SG123456789012')).body.decision).toBe('NO_DATA');
    const batch = await api(`${tg.url}/v1/recognition/batch`, tg.keys.lookup, { body: { codes: ['NL857117683', 'NL857117683', 'US7654321', '12345678'] } });
    expect(batch.status).toBe(200);
    const { text, samples: after } = await scrape(tg);
    const delta = (partner: string, decision: string): number =>
      sampleValue(after, 'aeo_lookup_decisions_total', { partner, decision })! - (sampleValue(before, 'aeo_lookup_decisions_total', { partner, decision }) ?? 0);
    expect(delta('EU', 'RECOGNISED')).toBe(4);
    expect(delta('EU', 'TIER_NOT_RECOGNISED')).toBe(2);
    expect(delta('none', 'NO_AGREEMENT')).toBe(2);
    expect(delta('SG', 'NO_DATA')).toBe(1);
    expect(delta('none', 'INVALID_CODE')).toBe(1);
    // Route templates, never the code in the path; no token anywhere.
    expect(sampleValue(after, 'aeo_http_request_duration_seconds_count', { method: 'GET', route: '/v1/recognition/:code', status_code: '200' })).toBeGreaterThanOrEqual(4);
    expect(sampleValue(after, 'aeo_http_request_duration_seconds_count', { method: 'POST', route: '/v1/recognition/batch', status_code: '200' })).toBeGreaterThanOrEqual(1);
    for (const secret of ['DE123456789012345', 'US1234567', 'NL857117683', tg.keys.lookup, tg.keys.metrics, tg.keys.admin]) expect(text).not.toContain(secret);
  });

  it('counts refused requests by reason', async () => {
    const before = (await scrape(tg)).samples;
    await api(`${tg.url}/v1/partners`, null);
    await api(`${tg.url}/v1/partners`, 'x'.repeat(20));
    await api(`${tg.url}/v1/partners`, 'y'.repeat(20));
    await api(`${tg.url}/v1/partners`, tg.keys.lookup);
    const after = (await scrape(tg)).samples;
    const delta = (reason: string): number => sampleValue(after, 'aeo_auth_failures_total', { reason })! - sampleValue(before, 'aeo_auth_failures_total', { reason })!;
    expect([delta('missing_token'), delta('unknown_token'), delta('forbidden')]).toEqual([1, 2, 1]);
  });

  it('shows FAILING in the API and in aeo_partner_health after two failed pulls, and QUARANTINED before it', async () => {
    const sync = new PartnerSync({
      db: tg.gateway.db,
      logger: pino({ level: 'silent' }),
      partners: tg.gateway.partners,
      pipeline: tg.gateway.pipeline,
      pullUrlOf: () => `${PARTNER_HOST}/list`,
      pullOptions: { backoffMs: 1, timeoutMs: 500, retries: 0 },
    });
    nock(PARTNER_HOST).get('/list').times(2).reply(503, 'busy');
    expect((await sync.sync('EU', 'manual'))?.outcome).toBe('FAILED');
    // The last two runs: this failure and the rejected push before it.
    let { samples } = await scrape(tg);
    expect(healthWord(samples, 'EU')).toBe('FAILING');
    expect((await sync.sync('EU', 'manual'))?.outcome).toBe('FAILED');
    ({ samples } = await scrape(tg));
    expect(healthWord(samples, 'EU')).toBe('FAILING');
    expect(await apiHealth(tg, 'EU')).toBe('FAILING');
    expect(sampleValue(samples, 'aeo_exchange_runs_total', { partner: 'EU', direction: 'inbound', trigger: 'manual', outcome: 'FAILED' })).toBe(2);

    // An empty FULL list waits for review: QUARANTINED comes before FAILING.
    const empty = euList(3, [], { generatedAt: `${isoDay(0)}T00:00:00Z` });
    expectRun(await push(tg, 'EU', empty, cmsSign(empty, pki)), 200, 'QUARANTINED', 'EMPTY_LIST');
    ({ samples } = await scrape(tg));
    expect(sampleValue(samples, 'aeo_quarantine_pending', { partner: 'EU' })).toBe(1);
    expect(healthWord(samples, 'EU')).toBe('QUARANTINED');
    expect(await apiHealth(tg, 'EU')).toBe('QUARANTINED');
  });

  it.runIf(engine === 'pg')('reads the per-partner gauges from the database: a second gateway on the same server agrees', async () => {
    const replica = await startTestGateway({ engine, certsDir: certs.dir, databaseUrl: tg.env.DATABASE_URL! });
    try {
      const [a, b] = [(await scrape(tg)).samples, (await scrape(replica)).samples];
      for (const partner of ['EU', 'HK', 'MO']) {
        expect(healthWord(b, partner)).toBe(healthWord(a, partner));
        for (const name of ['aeo_quarantine_pending', 'aeo_partner_last_success_timestamp_seconds', 'aeo_partner_data_as_of_timestamp_seconds']) {
          expect(sampleValue(b, name, { partner }), `${name} ${partner}`).toBe(sampleValue(a, name, { partner }));
        }
        expect(sampleValue(b, 'aeo_partner_operators', { partner, status: 'VALID' })).toBe(sampleValue(a, 'aeo_partner_operators', { partner, status: 'VALID' }));
      }
      // Process-local: the replica ran no exchange itself.
      expect(sampleValue(b, 'aeo_exchange_runs_total', { partner: 'EU', direction: 'inbound', trigger: 'push', outcome: 'APPLIED' })).toBe(0);
    } finally {
      await replica.close();
    }
  });
});

describe('parseSamples', () => {
  it('reads names, labels and values, and refuses a line that is not a sample', () => {
    const samples = parseSamples('# HELP x y\nx_total{a="1",b="q\\"z"} 3\nup 1\n');
    expect(samples).toEqual([
      { name: 'x_total', labels: { a: '1', b: 'q\\"z' }, value: 3 },
      { name: 'up', labels: {}, value: 1 },
    ]);
    expect(() => parseSamples('bad line here')).toThrow();
  });
});
