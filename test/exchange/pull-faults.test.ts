// Pull (contract 6.1) against a nock-scripted partner: retries with backoff, timeouts, connection errors,
// truncated bodies and wrong content — each ends as the contract says, and nothing is applied by a fault.
// Only the scripted host is reachable; real local HTTP (the gateway, PostgreSQL) still works.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerSync } from '../../src/exchange/sync.js';
import type { ExchangeRun } from '../../src/exchange/types.js';
import { ENGINES } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  cmsSign,
  euList,
  euOperators,
  expectUnchanged,
  getExchange,
  isoDay,
  makePki,
  partnerView,
  sha256Hex,
  snapshot,
  tempDir,
  testSync,
  trustAnchor,
  type PublishedSnapshot,
  type TestPki,
} from './helpers.js';

const PARTNER_HOST = 'http://partner.test';
const OPS = euOperators(8);
const WATCH = [OPS[0]!.EORI, OPS[5]!.EORI];
const list1 = euList(1, OPS, { generatedAt: `${isoDay(-2)}T01:00:00Z` });
const list2 = euList(
  2,
  OPS.map((op, i) => (i === 5 ? { ...op, Status: 'SUSPENDED' as const, StatusDate: isoDay(-1) } : op)),
  { generatedAt: `${isoDay(-1)}T01:00:00Z` },
);

let pki: TestPki;

beforeAll(() => {
  pki = makePki('EU');
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
  pki.remove();
});

describe.each(ENGINES)('pulling a list from a faulty partner (%s)', (engine) => {
  let tg: TestGateway;
  let certs: { dir: string; remove: () => void };
  let sync: PartnerSync;
  let before: PublishedSnapshot;
  let sig1: string;
  let sig2: string;

  const pull = async (): Promise<ExchangeRun> => {
    const run = await sync.sync('EU', 'manual');
    expect(run).not.toBeNull();
    // What the API shows is the same run.
    const viaHttp = await getExchange(tg, run!.id);
    expect(viaHttp.status).toBe(200);
    expect({ outcome: viaHttp.body.outcome, reason: viaHttp.body.reason, trigger: viaHttp.body.trigger }).toEqual({
      outcome: run!.outcome,
      reason: run!.reason,
      trigger: 'manual',
    });
    return run!;
  };

  const expectFaultNotApplied = async (run: ExchangeRun, outcome: string, reasons: readonly string[]): Promise<void> => {
    expect(run.outcome, JSON.stringify(run)).toBe(outcome);
    expect(reasons, JSON.stringify(run)).toContain(run.reason);
    await expectUnchanged(tg, 'EU', before);
    expect((await partnerView(tg, 'EU')).lastOutcome).toBe(outcome);
  };

  beforeAll(async () => {
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', pki);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
    sync = testSync(tg, () => `${PARTNER_HOST}/list`, { backoffMs: 1, timeoutMs: 500, retries: 2 });
    sig1 = cmsSign(list1, pki).toString('base64');
    sig2 = cmsSign(list2, pki).toString('base64');
  });

  afterAll(async () => {
    await tg?.close();
    certs?.remove();
  });

  it('retries a 503 and applies the list the second attempt gets', async () => {
    const scope = nock(PARTNER_HOST)
      .get('/list')
      .reply(503, 'busy')
      .get('/list')
      .reply(200, list1, { 'content-type': 'application/xml', 'x-aeo-signature': sig1 });
    const run = await pull();
    expect(scope.isDone()).toBe(true);
    expect(run).toMatchObject({ outcome: 'APPLIED', reason: null, sequence: 1, payloadSha256: sha256Hex(list1), counts: { received: 8, added: 8 } });
    before = await snapshot(tg, 'EU', WATCH);
    expect(before.partner).toEqual({ lastSequence: 1, operatorCount: 8 });
    expect((before.lookups[OPS[0]!.EORI] as { provenance: { exchangeId: string } }).provenance.exchangeId).toBe(run.id);
  });

  it('ends FAILED FETCH_FAILED when every attempt answers 503 (1 + 2 retries)', async () => {
    let hits = 0;
    nock(PARTNER_HOST)
      .get('/list')
      .times(10)
      .reply(() => {
        hits++;
        return [503, 'busy'];
      });
    const run = await pull();
    expect(hits).toBe(3);
    expect(run.payloadSha256).toBeNull();
    await expectFaultNotApplied(run, 'FAILED', ['FETCH_FAILED']);
  });

  it('does not retry a 404', async () => {
    let hits = 0;
    nock(PARTNER_HOST)
      .get('/list')
      .times(10)
      .reply(() => {
        hits++;
        return [404, 'no list here'];
      });
    const run = await pull();
    expect(hits).toBe(1);
    await expectFaultNotApplied(run, 'FAILED', ['FETCH_FAILED']);
  });

  it('ends FAILED TIMEOUT when the partner answers later than the timeout', async () => {
    let hits = 0;
    nock(PARTNER_HOST)
      .get('/list')
      .times(10)
      .delay(2_000)
      .reply(() => {
        hits++;
        return [200, list2, { 'content-type': 'application/xml', 'x-aeo-signature': sig2 }];
      });
    const started = Date.now();
    const run = await pull();
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(hits).toBe(3);
    await expectFaultNotApplied(run, 'FAILED', ['TIMEOUT']);
  });

  it('ends FAILED FETCH_FAILED on connection errors', async () => {
    // nock 14 emits nothing for a plain-object error: pass Error instances.
    const socketError = (code: string): Error => Object.assign(new Error(`${code} (scripted)`), { code });
    const started = Date.now();
    nock(PARTNER_HOST).get('/list').times(10).replyWithError(socketError('ECONNRESET'));
    await expectFaultNotApplied(await pull(), 'FAILED', ['FETCH_FAILED']);
    nock.cleanAll();
    nock(PARTNER_HOST).get('/list').times(10).replyWithError(socketError('ECONNREFUSED'));
    await expectFaultNotApplied(await pull(), 'FAILED', ['FETCH_FAILED']);
    // The errors came at once, not through the timeout.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not apply a body shorter than its content-length', async () => {
    const half = list2.subarray(0, Math.floor(list2.length / 2));
    nock(PARTNER_HOST)
      .get('/list')
      .times(10)
      .reply(200, half, { 'content-type': 'application/xml', 'content-length': String(list2.length), 'x-aeo-signature': sig2 });
    // The download notices (the connection ends early): retried, then FAILED; never handed to the pipeline.
    await expectFaultNotApplied(await pull(), 'FAILED', ['FETCH_FAILED']);
  });

  it('ends FAILED FETCH_FAILED on a redirect or an empty 2xx: no list was got (nothing stored as a message)', async () => {
    for (const [status, headers] of [
      [302, { location: 'http://elsewhere.test/list' }],
      [204, {}],
    ] as const) {
      nock(PARTNER_HOST).get('/list').reply(status, status === 302 ? 'Found' : '', headers);
      const run = await pull();
      expect(run.payloadSha256, String(status)).toBeNull();
      await expectFaultNotApplied(run, 'FAILED', ['FETCH_FAILED']);
    }
  });

  it('rejects an HTML page answered with 200: unsigned → SIGNATURE_INVALID, signed → PAYLOAD_MALFORMED', async () => {
    const html = Buffer.from('<!DOCTYPE html>\n<html><body><h1>Scheduled maintenance</h1></body></html>\n', 'utf8');
    nock(PARTNER_HOST).get('/list').reply(200, html, { 'content-type': 'text/html' });
    await expectFaultNotApplied(await pull(), 'REJECTED', ['SIGNATURE_INVALID']);

    const page = Buffer.from('<html><body><h1>Scheduled maintenance</h1></body></html>\n', 'utf8');
    nock(PARTNER_HOST)
      .get('/list')
      .reply(200, page, { 'content-type': 'text/html', 'x-aeo-signature': cmsSign(page, pki).toString('base64') });
    const run = await pull();
    expect(run.payloadSha256).toBe(sha256Hex(page));
    await expectFaultNotApplied(run, 'REJECTED', ['PAYLOAD_MALFORMED']);
  });

  it('after all the faults, a good pull applies the next list', async () => {
    nock(PARTNER_HOST).get('/list').reply(200, list2, { 'content-type': 'application/xml', 'x-aeo-signature': sig2 });
    const run = await pull();
    expect(run).toMatchObject({ outcome: 'APPLIED', sequence: 2, counts: { changed: 1, unchanged: 7 } });
    expect(await partnerView(tg, 'EU')).toMatchObject({ lastSequence: 2, lastOutcome: 'APPLIED' });
    expect((await snapshot(tg, 'EU', WATCH)).lookups[OPS[5]!.EORI]).toMatchObject({ decision: 'SUSPENDED', provenance: { exchangeId: run.id } });
  });
});
