// Validity periods are history (a renewal does not rewrite the past), and answers cite the list they
// were computed from: dataAsOf and stale as known at asKnownAt, aged from the list's own generatedAt
// (issue 13, items 5–7). Signed lists pushed over real HTTP, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxPopulation } from '../../src/sandbox/population.js';
import { ENGINES } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, decisionOf, expectRun, hkList, lookup, makePki, moList, moOperator, partnerView, push, tempDir, trustAnchor, type Partner, type TestPki } from './helpers.js';

const HOUR = 3_600_000;
const CODE = 'MO100000001';
/** RFC 3339 in Macao time, `hours` before now (whole seconds). */
const hoursAgo = (hours: number): string => `${new Date(Date.now() - hours * HOUR + 8 * HOUR).toISOString().slice(0, 19)}+08:00`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// A 1-year certificate, then a renewal after a month's gap; the status date never changes.
const FIRST = moOperator('100000001', { validoDesde: '2023-06-01', validoAte: '2024-05-31', estadoDesde: '2023-06-01' });
const RENEWED = { ...FIRST, validoDesde: '2024-07-01', validoAte: '2027-06-30' };

describe.each(ENGINES)('validity periods and the list an answer cites (%s)', (engine) => {
  let tg: TestGateway;
  const pki: Partial<Record<Partner, TestPki>> = {};
  let certs: { dir: string; remove: () => void };
  const generated1 = hoursAgo(100); // already older than the 72 h limit
  const generated2 = hoursAgo(1);
  const list1 = moList(1, [FIRST], { generatedAt: generated1 });
  const list2 = moList(2, [RENEWED], { generatedAt: generated2 });
  const asStored = (rfc3339: string): string => new Date(Date.parse(rfc3339)).toISOString();
  let between = 0; // an instant after list 1 was applied and before list 2

  beforeAll(async () => {
    certs = tempDir('validity');
    for (const p of ['MO', 'HK'] as const) {
      pki[p] = makePki(p);
      trustAnchor(certs.dir, p, pki[p]);
    }
    tg = await startTestGateway({ engine, certsDir: certs.dir });
  });
  afterAll(async () => {
    await tg?.close();
    for (const p of Object.values(pki)) p.remove();
    certs?.remove();
  });

  it('list 1: the first period answers, dates after it are EXPIRED; the list is stale from its generatedAt', async () => {
    expectRun(await push(tg, 'MO', list1, cmsSign(list1, pki.MO!)), 200, 'APPLIED', null);
    expect(await decisionOf(tg, CODE, { date: '2024-01-01' })).toBe('RECOGNISED');
    expect(await decisionOf(tg, CODE, { date: '2024-06-15' })).toBe('EXPIRED');
    const answer = await lookup(tg, CODE, { date: '2024-01-01' });
    expect(answer.body).toMatchObject({ dataAsOf: asStored(generated1), stale: true });
    expect((await partnerView(tg, 'MO')).stale).toBe(true);
    await sleep(20);
    between = Date.now();
    await sleep(20);
  });

  it('list 2 renews the certificate: the gap before it stays EXPIRED, the past is not rewritten', async () => {
    const res = await push(tg, 'MO', list2, cmsSign(list2, pki.MO!));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body.counts).toMatchObject({ changed: 1 }); // only the validity period changed
    expect(await decisionOf(tg, CODE, { date: '2024-06-15' })).toBe('EXPIRED');
    expect(await decisionOf(tg, CODE, { date: '2024-01-01' })).toBe('RECOGNISED');
    expect(await decisionOf(tg, CODE, { date: '2025-01-01' })).toBe('RECOGNISED');
    expect(await decisionOf(tg, CODE, { date: '2027-07-01' })).toBe('EXPIRED');
    const now = await lookup(tg, CODE, { date: '2025-01-01' });
    expect(now.body).toMatchObject({ dataAsOf: asStored(generated2), stale: false });
    expect(now.body.operator).toMatchObject({ validUntil: '2027-06-30' });
    expect((await partnerView(tg, 'MO')).stale).toBe(false);
  });

  it('as known between the two lists: list 1 answers, and dataAsOf and stale are list 1\'s', async () => {
    const asKnownAt = new Date(between).toISOString();
    expect(await decisionOf(tg, CODE, { date: '2025-01-01', asKnownAt })).toBe('EXPIRED');
    const answer = await lookup(tg, CODE, { date: '2024-01-01', asKnownAt });
    expect(answer.body).toMatchObject({
      decision: 'RECOGNISED',
      dataAsOf: asStored(generated1),
      stale: true,
      provenance: { sequence: 1 },
    });
  });

  it('re-sending an old list (NO_CHANGE) does not make stale data fresh', async () => {
    const [op] = sandboxPopulation('HK', 0, { size: 1 });
    const old = hkList(1, [op!], { generatedAt: hoursAgo(80) });
    expectRun(await push(tg, 'HK', old, cmsSign(old, pki.HK!)), 200, 'APPLIED', null);
    expect((await partnerView(tg, 'HK')).stale).toBe(true);
    const again = await push(tg, 'HK', old, cmsSign(old, pki.HK!));
    expectRun(again, 200, 'NO_CHANGE', null);
    const view = await partnerView(tg, 'HK');
    expect(view.stale).toBe(true);
    expect(Date.parse(view.lastSuccessAt!)).toBeGreaterThanOrEqual(Date.parse(again.body.startedAt as string) - 1000);
    expect((await lookup(tg, `HK${op!.aeoNumber}`)).body).toMatchObject({ stale: true });
  });
});
