// Signed lists whose meaning two parsers could read differently (issue 13, item 4) are REJECTED as
// PAYLOAD_MALFORMED end to end, over HTTP, on both storage engines; nothing published changes, and
// the same list written well-formed then applies with the same sequence number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxPopulation, type HkOperator } from '../../src/sandbox/population.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  cmsSign,
  euList,
  euOperators,
  expectRun,
  expectUnchanged,
  hkList,
  isoDay,
  pkisForFile,
  push,
  snapshot,
  tempDir,
  trustAnchor,
  type Partner,
  type TestPki,
} from './helpers.js';

const pki = pkisForFile('EU', 'HK');

const EU_OPS = euOperators(10);
const HK_OPS: HkOperator[] = sandboxPopulation('HK', 0, { size: 5 });
const EU_WATCH = EU_OPS.map((op) => op.EORI);
const HK_WATCH = HK_OPS.map((op) => `HK${op.aeoNumber}`);

/** Bytes with one textual change; fails loudly when the change did not happen (the test would be void). */
function edit(body: Buffer, from: string, to: string): Buffer {
  const text = body.toString('utf8');
  expect(text.includes(from), `the list contains ${from}`).toBe(true);
  return Buffer.from(text.replace(from, to), 'utf8');
}

describe.each(ENGINES)('lists that are not well-formed (%s)', (engine) => {
  let tg: TestGateway;
  let certs: { dir: string; remove: () => void };

  beforeAll(async () => {
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', pki.EU);
    trustAnchor(certs.dir, 'HK', pki.HK);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
    const eu1 = euList(1, EU_OPS, { generatedAt: `${isoDay(-2)}T01:00:00Z` });
    expectRun(await push(tg, 'EU', eu1, cmsSign(eu1, pki.EU)), 200, 'APPLIED', null);
    const hk1 = hkList(1, HK_OPS, { generatedAt: `${isoDay(-2)}T01:00:00+08:00` });
    expectRun(await push(tg, 'HK', hk1, cmsSign(hk1, pki.HK)), 200, 'APPLIED', null);
  });

  afterAll(async () => {
    await tg?.close();
    certs?.remove();
  });

  async function refusedThenApplied(partner: Partner, pki: TestPki, good: Buffer, bad: Buffer[], watch: string[]): Promise<void> {
    const before = await snapshot(tg, partner, watch);
    for (const body of bad) {
      const res = await push(tg, partner, body, cmsSign(body, pki));
      expectRun(res, 422, 'REJECTED', 'PAYLOAD_MALFORMED');
      expect(res.body.sequence).toBeNull();
      expect(res.body.counts?.added ?? 0).toBe(0);
    }
    await expectUnchanged(tg, partner, before);
    expect((await api(`${tg.url}/readyz`, null)).status).toBe(200);
    expectRun(await push(tg, partner, good, cmsSign(good, pki)), 200, 'APPLIED', null);
  }

  it('EU: a repeated attribute (kind="DELTA" … kind="FULL"), < in an attribute, a NUL, an HTML entity, ]]> in text', async () => {
    // A DELTA suspending operator 5: read as FULL it would remove the other nine.
    const suspended = { ...EU_OPS[5]!, Status: 'SUSPENDED' as const, StatusDate: isoDay(-1) };
    const good = euList(2, [suspended], { kind: 'DELTA', generatedAt: `${isoDay(-1)}T01:00:00Z` });
    const name = `<Name>${suspended.Name.replace(/&/g, '&amp;')}</Name>`;
    const bad = [
      edit(good, 'kind="DELTA"', 'kind="DELTA" kind="FULL"'),
      edit(good, 'kind="DELTA"', 'kind="DELTA" note="a=b" note="c"'),
      edit(good, '<Operator>', '<Operator ref="a<b">'),
      edit(good, name, '<Name>A\u0000B</Name>'),
      edit(good, name, '<Name>A&#1;B</Name>'),
      edit(good, name, '<Name>A&nbsp;B</Name>'),
      edit(good, name, '<Name>A]]>B</Name>'),
    ];
    await refusedThenApplied('EU', pki.EU, good, bad, EU_WATCH);
    const answer = await api(`${tg.url}/v1/recognition/${suspended.EORI}`, tg.keys.lookup);
    expect(answer.body.decision).toBe('SUSPENDED');
    // Still a DELTA: the nine others are there.
    expect((await api(`${tg.url}/v1/recognition/${EU_OPS[6]!.EORI}`, tg.keys.lookup)).body.operator).not.toBeNull();
  });

  it('HK: a repeated key in the header, in a record and deep in a record', async () => {
    const good = hkList(2, HK_OPS.slice(0, 4).concat([{ ...HK_OPS[4]!, status: 'SUSPENDED', statusChangedOn: isoDay(-1) }]), {
      kind: 'FULL',
      generatedAt: `${isoDay(-1)}T01:00:00+08:00`,
    });
    const bad = [
      edit(good, '"kind": "FULL"', '"kind": "FULL", "kind": "DELTA"'),
      edit(good, '"status": "SUSPENDED"', '"status": "SUSPENDED", "status": "ACTIVE"'),
      edit(good, '"en": ', '"en": "A", "en": '),
    ];
    await refusedThenApplied('HK', pki.HK, good, bad, HK_WATCH);
  });
});
