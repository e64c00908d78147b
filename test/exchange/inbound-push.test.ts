// Push (contract 6.1), signature (6.2), the EU format (6.3), all-or-nothing application and guards
// (6.4), read routes (5) — over real HTTP against a real gateway, on both storage engines.
// The tests of one engine run in order against one gateway: each step starts from the last one's data.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EuOperator } from '../../src/sandbox/population.js';
import { getMessage } from '../../src/store/exchanges-repo.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  cmsSign,
  decisionOf,
  euList,
  euOperators,
  expectErrorBody,
  expectRun,
  expectUnchanged,
  getExchange,
  hkList,
  isoDay,
  lookup,
  makePki,
  opensslSign,
  partnerView,
  push,
  sha256Hex,
  snapshot,
  tempDir,
  trustAnchor,
  type ApiResult,
  type PublishedSnapshot,
  type RunView,
  type TestPki,
} from './helpers.js';

let euPki: TestPki;
let hkPki: TestPki;

beforeAll(() => {
  euPki = makePki('EU');
  hkPki = makePki('HK');
});

afterAll(() => {
  euPki.remove();
  hkPki.remove();
});

const GENERATED_AT = `${isoDay(-3)}T01:00:00Z`;
const OPS: EuOperator[] = euOperators(10);
const FIXED = { recognised: 'DE123456789012345', aeoc: 'NL857117683', suspended: 'IT01234567890' };
const CHANGED_INDEX = 4;
/** The codes a snapshot looks up: the fixed ones, the operator list 2 changes, the last one. */
const WATCH = [FIXED.recognised, FIXED.aeoc, FIXED.suspended, OPS[CHANGED_INDEX]!.EORI, OPS[9]!.EORI];

/** List 2: the same operators, one of them suspended. */
function list2Operators(): EuOperator[] {
  return OPS.map((op, i) => (i === CHANGED_INDEX ? { ...op, Status: 'SUSPENDED', StatusDate: isoDay(-2) } : op));
}

describe.each(ENGINES)('inbound push of EU lists (%s)', (engine) => {
  let tg: TestGateway;
  let certs: { dir: string; remove: () => void };
  /** Ids of every run created so far, oldest first. */
  const runIds: string[] = [];
  const list1 = euList(1, OPS, { generatedAt: GENERATED_AT });
  const list2 = euList(2, list2Operators(), { generatedAt: `${isoDay(-2)}T01:00:00Z` });
  let list1Signature: Buffer;
  let list2Signature: Buffer;
  let list1Run: RunView;
  let before: PublishedSnapshot;

  const track = (res: ApiResult): void => {
    expect(typeof res.body?.id).toBe('string');
    runIds.push(res.body.id as string);
  };

  beforeAll(async () => {
    certs = tempDir('certs');
    // Trust anchors are read at start: write them first. The HK CA is trusted for HK only.
    trustAnchor(certs.dir, 'EU', euPki);
    trustAnchor(certs.dir, 'HK', hkPki);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
    list1Signature = opensslSign(list1, euPki);
    list2Signature = opensslSign(list2, euPki);
  });

  afterAll(async () => {
    await tg?.close();
    certs?.remove();
  });

  it('applies a list signed with the openssl CLI and answers lookups with its provenance', async () => {
    const res = await push(tg, 'EU', list1, list1Signature);
    expectRun(res, 200, 'APPLIED', null);
    track(res);
    list1Run = res.body;
    expect(res.body).toMatchObject({
      partner: 'EU',
      direction: 'inbound',
      trigger: 'push',
      sequence: 1,
      kind: 'FULL',
      payloadSha256: sha256Hex(list1),
      signer: { subject: expect.stringContaining(`CN=${euPki.signerCommonName}`), sha256Fingerprint: euPki.signerFingerprint },
      counts: { received: 10, added: 10, changed: 0, removed: 0, unchanged: 0, invalid: 0 },
      problems: [],
    });
    expect(typeof res.body.finishedAt).toBe('string');

    // The exact bytes were stored, with the signature.
    const stored = await getMessage(tg.gateway.db, res.body.id);
    expect(stored?.body.equals(list1)).toBe(true);
    expect(stored?.signature?.equals(list1Signature)).toBe(true);

    const de = await lookup(tg, FIXED.recognised);
    expect(de.status).toBe(200);
    expect(de.body).toMatchObject({
      code: FIXED.recognised,
      recognised: true,
      decision: 'RECOGNISED',
      partner: 'EU',
      economy: 'DE',
      operator: { partnerId: FIXED.recognised, name: 'Beispiel Logistik GmbH', tier: 'AEOF', status: 'VALID', statusSince: '2019-03-01' },
      provenance: {
        exchangeId: res.body.id,
        sequence: 1,
        payloadSha256: sha256Hex(list1),
        signer: { subject: expect.stringContaining(`CN=${euPki.signerCommonName}`), sha256Fingerprint: euPki.signerFingerprint },
      },
    });
    expect(await decisionOf(tg, FIXED.aeoc)).toBe('TIER_NOT_RECOGNISED');
    expect(await decisionOf(tg, FIXED.suspended)).toBe('SUSPENDED');
    for (const op of OPS) {
      const answer = await lookup(tg, op.EORI);
      expect(answer.status).toBe(200);
      expect(answer.body.operator?.partnerId, op.EORI).toBe(op.EORI);
      expect(answer.body.provenance?.exchangeId).toBe(res.body.id);
    }
    const eu = await partnerView(tg, 'EU');
    expect(eu).toMatchObject({ lastSequence: 1, operatorCount: 10, lastOutcome: 'APPLIED' });
    expect(eu.lastSuccessAt).not.toBeNull();
  });

  it('refuses pushes without a valid token, from the wrong partner, and of the wrong content type (no run created)', async () => {
    before = await snapshot(tg, 'EU', WATCH);
    const countRuns = async (): Promise<number> => (await api(`${tg.url}/v1/exchanges?partner=EU&limit=500`, tg.keys.admin)).body.exchanges.length as number;
    const runsBefore = await countRuns();

    expectErrorBody(await push(tg, 'EU', list2, list2Signature, { token: null }), 401, 'UNAUTHENTICATED');
    expectErrorBody(await push(tg, 'EU', list2, list2Signature, { token: 'not-a-known-token-at-all' }), 401, 'UNAUTHENTICATED');
    expectErrorBody(await push(tg, 'EU', list2, list2Signature, { token: tg.keys.lookup }), 403, 'FORBIDDEN');
    expectErrorBody(await push(tg, 'EU', list2, list2Signature, { token: tg.keys.partner.HK! }), 403, 'FORBIDDEN');
    expectErrorBody(await push(tg, 'EU', list2, list2Signature, { contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectErrorBody(await push(tg, 'EU', list2, list2Signature, { contentType: 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');

    expect(await countRuns()).toBe(runsBefore);
    await expectUnchanged(tg, 'EU', before);
  });

  it('records a message over maxBytes as REJECTED TOO_LARGE without storing it', async () => {
    const maxBytes = tg.gateway.partners.get('EU')!.def.manifest.maxBytes;
    const run = await tg.gateway.pipeline.receive('EU', 'import', { body: Buffer.alloc(maxBytes + 1, 0x20), signature: null });
    runIds.push(run.id);
    expect({ outcome: run.outcome, reason: run.reason, payloadBytes: run.payloadBytes }).toEqual({
      outcome: 'REJECTED',
      reason: 'TOO_LARGE',
      payloadBytes: maxBytes + 1,
    });
    expect(await getMessage(tg.gateway.db, run.id)).toBeNull();
    const viaHttp = await getExchange(tg, run.id);
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body).toMatchObject({ id: run.id, outcome: 'REJECTED', reason: 'TOO_LARGE' });
    await expectUnchanged(tg, 'EU', before);
  });

  it('rejects a tampered list and an unsigned one as SIGNATURE_INVALID', async () => {
    const tampered = Buffer.from(list2);
    const at = tampered.indexOf('Beispiel Logistik GmbH');
    expect(at).toBeGreaterThan(0);
    tampered[at] = 'X'.charCodeAt(0); // one byte
    let res = await push(tg, 'EU', tampered, list2Signature);
    expectRun(res, 422, 'REJECTED', 'SIGNATURE_INVALID');
    track(res);
    expect(res.body.payloadSha256).toBe(sha256Hex(tampered));
    await expectUnchanged(tg, 'EU', before);

    res = await push(tg, 'EU', list2, null);
    expectRun(res, 422, 'REJECTED', 'SIGNATURE_INVALID');
    track(res);

    // A header that is not base64 at all.
    res = await api(`${tg.url}/exchange/v1/inbound/EU`, tg.keys.partner.EU!, {
      method: 'POST',
      raw: list2,
      headers: { 'content-type': 'application/xml', 'x-aeo-signature': '%%% not base64 %%%' },
    });
    expectRun(res, 422, 'REJECTED', 'SIGNATURE_INVALID');
    track(res);
    await expectUnchanged(tg, 'EU', before);
  });

  it('rejects a list signed by a CA trusted only for HK as SIGNER_UNTRUSTED (and that CA does work for HK)', async () => {
    const res = await push(tg, 'EU', list2, opensslSign(list2, hkPki));
    expectRun(res, 422, 'REJECTED', 'SIGNER_UNTRUSTED');
    track(res);
    await expectUnchanged(tg, 'EU', before);

    // Control: the same PKI is accepted on its own partner's route, so the refusal above is about the partner.
    const hk = hkList(
      1,
      [{ aeoNumber: '100000000000001', tier: 2, status: 'ACTIVE', companyName: { en: 'Harbour Freight Ltd', zh: '海港貨運有限公司' }, address: '1 Harbour Road', certifiedOn: '2016-04-01', statusChangedOn: '2016-04-01' }],
      { generatedAt: `${isoDay(-3)}T09:00:00+08:00` },
    );
    const hkRes = await push(tg, 'HK', hk, opensslSign(hk, hkPki));
    expectRun(hkRes, 200, 'APPLIED', null);
    expect(await decisionOf(tg, 'HK100000000000001')).toBe('RECOGNISED');
  });

  it('rejects a list whose sender is not the partner it came from as SENDER_MISMATCH', async () => {
    const fromHk = euList(2, list2Operators(), { sender: 'HK', generatedAt: `${isoDay(-2)}T01:00:00Z` });
    const res = await push(tg, 'EU', fromHk, cmsSign(fromHk, euPki));
    expectRun(res, 422, 'REJECTED', 'SENDER_MISMATCH');
    track(res);
    await expectUnchanged(tg, 'EU', before);
  });

  it('rejects the whole list for one bad record as SCHEMA_INVALID, naming the record and path', async () => {
    const ops = list2Operators();
    ops[2] = { ...ops[2]!, EORI: 'QQ12345' }; // not an EU member-state prefix
    const bad = euList(2, ops, { generatedAt: `${isoDay(-2)}T01:00:00Z` });
    const res = await push(tg, 'EU', bad, cmsSign(bad, euPki));
    expectRun(res, 422, 'REJECTED', 'SCHEMA_INVALID');
    track(res);
    expect(res.body.problems.length).toBeGreaterThanOrEqual(1);
    expect(res.body.problems[0]).toMatchObject({ record: 2, path: expect.stringContaining('EORI'), message: expect.any(String) });
    expect(res.body.counts?.added ?? 0).toBe(0);
    await expectUnchanged(tg, 'EU', before);
    // The good operators of that message were not applied either (operator 4 is suspended in it).
    expect(await decisionOf(tg, OPS[CHANGED_INDEX]!.EORI)).not.toBe('SUSPENDED');
  });

  it('refuses DTDs and entities (billion laughs, external entity) and truncated XML as PAYLOAD_MALFORMED, and keeps serving', async () => {
    const text = list2.toString('utf8');
    const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(text.startsWith(declaration)).toBe(true);
    const laughs =
      '<!DOCTYPE AEOList [\n  <!ENTITY lol "lol">\n' +
      Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">\n`).join('') +
      ']>\n';
    const billion = Buffer.from(declaration + laughs + text.slice(declaration.length).replace('Beispiel Logistik GmbH', '&lol9;'), 'utf8');
    const external = Buffer.from(
      declaration +
        '<!DOCTYPE AEOList [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n' +
        text.slice(declaration.length).replace('Beispiel Logistik GmbH', '&xxe;'),
      'utf8',
    );
    const truncated = list2.subarray(0, Math.floor(list2.length / 2));
    const twoRoots = Buffer.concat([list2, Buffer.from('<AEOList/>\n')]);
    const instruction = Buffer.from(text.replace('<Operator>', '<?xml-stylesheet href="http://evil.test/x.xsl"?><Operator>'), 'utf8');
    const notUtf8 = Buffer.concat([list2.subarray(0, 200), Buffer.from([0xff, 0xfe]), list2.subarray(200)]);

    for (const body of [billion, external, truncated, twoRoots, instruction, notUtf8]) {
      const res = await push(tg, 'EU', body, cmsSign(body, euPki));
      expectRun(res, 422, 'REJECTED', 'PAYLOAD_MALFORMED');
      track(res);
      expect(JSON.stringify(res.body)).not.toContain('root:x:0:0');
      expect(res.body.sequence).toBeNull();
    }
    expect((await api(`${tg.url}/healthz`, null)).status).toBe(200);
    expect((await api(`${tg.url}/readyz`, null)).status).toBe(200);
    await expectUnchanged(tg, 'EU', before);
  });

  it('applies list 2, then answers replays and conflicts by the sequence rules', async () => {
    let res = await push(tg, 'EU', list2, list2Signature);
    expectRun(res, 200, 'APPLIED', null);
    track(res);
    expect(res.body.counts).toEqual({ received: 10, added: 0, changed: 1, removed: 0, unchanged: 9, invalid: 0 });
    expect(await decisionOf(tg, OPS[CHANGED_INDEX]!.EORI)).toBe('SUSPENDED');
    const list2Id = res.body.id as string;
    before = await snapshot(tg, 'EU', WATCH);
    expect(before.partner).toEqual({ lastSequence: 2, operatorCount: 10 });

    // The old list 1, exactly as it was sent: a replay.
    res = await push(tg, 'EU', list1, list1Signature);
    expectRun(res, 422, 'REJECTED', 'SEQUENCE_REPLAYED');
    track(res);
    await expectUnchanged(tg, 'EU', before);

    // Sequence 2 again with other content.
    const other = euList(2, OPS, { generatedAt: `${isoDay(-2)}T02:00:00Z` });
    res = await push(tg, 'EU', other, cmsSign(other, euPki));
    expectRun(res, 422, 'REJECTED', 'SEQUENCE_CONFLICT');
    track(res);
    await expectUnchanged(tg, 'EU', before);

    // Sequence 2 again, same bytes: idempotent.
    res = await push(tg, 'EU', list2, list2Signature);
    expectRun(res, 200, 'NO_CHANGE', null);
    track(res);
    expect(res.body.counts).toMatchObject({ received: 10, added: 0, changed: 0, removed: 0 });
    await expectUnchanged(tg, 'EU', before);
    // Lookups still cite list 2 for the operator it changed.
    expect((await lookup(tg, OPS[CHANGED_INDEX]!.EORI)).body.provenance.exchangeId).toBe(list2Id);
  });

  it('quarantines an empty FULL list; reject closes it as REJECTED and changes nothing', async () => {
    const empty = euList(3, [], { generatedAt: `${isoDay(-1)}T01:00:00Z` });
    const res = await push(tg, 'EU', empty, cmsSign(empty, euPki));
    expectRun(res, 200, 'QUARANTINED', 'EMPTY_LIST');
    track(res);
    await expectUnchanged(tg, 'EU', before);

    const asPartner = await api(`${tg.url}/admin/exchanges/${res.body.id}/reject`, tg.keys.partner.EU!, { method: 'POST' });
    expectErrorBody(asPartner, 403, 'FORBIDDEN');

    const rejected = await api(`${tg.url}/admin/exchanges/${res.body.id}/reject`, tg.keys.admin, { method: 'POST' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body).toMatchObject({ id: res.body.id, outcome: 'REJECTED', review: { decision: 'rejected' } });
    expect((await getExchange(tg, res.body.id)).body.outcome).toBe('REJECTED');
    await expectUnchanged(tg, 'EU', before);

    expectErrorBody(await api(`${tg.url}/admin/exchanges/${res.body.id}/approve`, tg.keys.admin, { method: 'POST' }), 409, 'CONFLICT');
    expectErrorBody(await api(`${tg.url}/admin/exchanges/${res.body.id}/reject`, tg.keys.admin, { method: 'POST' }), 409, 'CONFLICT');
    await expectUnchanged(tg, 'EU', before);
  });

  it('quarantines a FULL list removing most operators; approve applies it (REVOKED from its date), once', async () => {
    const listDate = isoDay(-1);
    const kept = OPS.slice(0, 2);
    const mass = euList(4, kept, { generatedAt: `${listDate}T04:00:00Z` }); // noon in Asia/Shanghai
    const res = await push(tg, 'EU', mass, cmsSign(mass, euPki));
    expectRun(res, 200, 'QUARANTINED', 'MASS_REMOVAL');
    track(res);
    expect(res.body.counts).toMatchObject({ received: 2, removed: 8 });
    await expectUnchanged(tg, 'EU', before);

    const approved = await api(`${tg.url}/admin/exchanges/${res.body.id}/approve`, tg.keys.admin, { method: 'POST' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ id: res.body.id, outcome: 'APPLIED', review: { decision: 'approved' }, counts: { removed: 8 } });

    const eu = await partnerView(tg, 'EU');
    expect({ lastSequence: eu.lastSequence, operatorCount: eu.operatorCount }).toEqual({ lastSequence: 4, operatorCount: 2 });
    expect(await decisionOf(tg, FIXED.recognised)).toBe('RECOGNISED');
    for (const op of OPS.slice(2)) {
      const answer = await lookup(tg, op.EORI);
      expect(answer.body.decision, op.EORI).toBe('REVOKED');
      expect(answer.body.operator).toMatchObject({ status: 'REVOKED', statusSince: listDate });
      expect(answer.body.provenance.exchangeId).toBe(res.body.id);
      // The day before the list's date the operator was still listed as before.
      expect(await decisionOf(tg, op.EORI, { date: isoDay(-2) })).not.toBe('REVOKED');
    }
    expect(await decisionOf(tg, FIXED.suspended, { date: isoDay(-2) })).toBe('SUSPENDED');

    expectErrorBody(await api(`${tg.url}/admin/exchanges/${res.body.id}/approve`, tg.keys.admin, { method: 'POST' }), 409, 'CONFLICT');
    expect((await partnerView(tg, 'EU')).lastSequence).toBe(4);
    expectErrorBody(await api(`${tg.url}/admin/exchanges/${randomUUID()}/approve`, tg.keys.admin, { method: 'POST' }), 404, 'NOT_FOUND');
    expectErrorBody(await api(`${tg.url}/admin/exchanges/not-a-uuid/reject`, tg.keys.admin, { method: 'POST' }), 404, 'NOT_FOUND');
  });

  it('refuses to approve a quarantined list once a newer list was applied (409), data unchanged', async () => {
    const stale = euList(5, OPS.slice(0, 1), { generatedAt: `${isoDay(-1)}T05:00:00Z` });
    const quarantined = await push(tg, 'EU', stale, cmsSign(stale, euPki));
    expectRun(quarantined, 200, 'QUARANTINED', 'MASS_REMOVAL');
    track(quarantined);
    const newer = euList(6, OPS.slice(0, 2), { generatedAt: `${isoDay(-1)}T06:00:00Z` });
    const applied = await push(tg, 'EU', newer, cmsSign(newer, euPki));
    expectRun(applied, 200, 'APPLIED', null);
    track(applied);
    expect(applied.body.counts).toMatchObject({ received: 2, unchanged: 2, removed: 0 });
    const current = await snapshot(tg, 'EU', WATCH);
    expect(current.partner).toEqual({ lastSequence: 6, operatorCount: 2 });

    const approve = await api(`${tg.url}/admin/exchanges/${quarantined.body.id}/approve`, tg.keys.admin, { method: 'POST' });
    expectErrorBody(approve, 409, 'CONFLICT');
    await expectUnchanged(tg, 'EU', current);
    // The failed approval leaves the run exactly as it was: still quarantined, for its own reason.
    const after = await getExchange(tg, quarantined.body.id);
    expect(after.body).toMatchObject({ outcome: 'QUARANTINED', reason: 'MASS_REMOVAL', appliedAt: null, review: null });
    expect(approve.body.error.message).toContain('SEQUENCE_REPLAYED');
    expectErrorBody(await api(`${tg.url}/admin/exchanges/${quarantined.body.id}/approve`, tg.keys.admin, { method: 'POST' }), 409, 'CONFLICT');
    await expectUnchanged(tg, 'EU', current);
  });

  it('lists runs newest first with counts, hash and signer; reads one; 404 and 400 where due', async () => {
    const page = await api(`${tg.url}/v1/exchanges?partner=EU&limit=5`, tg.keys.admin);
    expect(page.status).toBe(200);
    const newest = page.body.exchanges as RunView[];
    expect(newest.map((r) => r.id)).toEqual(runIds.slice(-5).reverse());
    const starts = newest.map((r) => Date.parse(r.startedAt));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    for (const r of newest) expect(r.partner).toBe('EU');

    const all = await api(`${tg.url}/v1/exchanges?partner=EU&direction=inbound&limit=500`, tg.keys.admin);
    const every = all.body.exchanges as RunView[];
    expect(every).toHaveLength(runIds.length);
    const first = every.find((r) => r.id === list1Run.id);
    expect(first).toMatchObject({
      outcome: 'APPLIED',
      sequence: 1,
      payloadSha256: sha256Hex(list1),
      counts: list1Run.counts,
      signer: list1Run.signer,
    });
    const hkOnly = await api(`${tg.url}/v1/exchanges?partner=HK`, tg.keys.admin);
    expect((hkOnly.body.exchanges as RunView[]).map((r) => r.partner)).toEqual(['HK']);

    const one = await getExchange(tg, list1Run.id);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(first);

    expectErrorBody(await getExchange(tg, randomUUID()), 404, 'NOT_FOUND');
    expectErrorBody(await getExchange(tg, 'not-a-uuid'), 404, 'NOT_FOUND');
    for (const limit of ['0', '501', 'abc', '2.5', '-1']) {
      expectErrorBody(await api(`${tg.url}/v1/exchanges?partner=EU&limit=${limit}`, tg.keys.admin), 400, 'BAD_REQUEST');
    }
    expectErrorBody(await api(`${tg.url}/v1/exchanges?limit=5`, null), 401, 'UNAUTHENTICATED');
    expectErrorBody(await api(`${tg.url}/v1/exchanges?limit=5`, tg.keys.partner.EU!), 403, 'FORBIDDEN');
    // Section 5 is operations data: the lookup scope reads sections 3 and 4 only.
    expectErrorBody(await api(`${tg.url}/v1/exchanges?limit=5`, tg.keys.lookup), 403, 'FORBIDDEN');
    expectErrorBody(await api(`${tg.url}/v1/exchanges/${list1Run.id}`, tg.keys.lookup), 403, 'FORBIDDEN');
    expectErrorBody(await api(`${tg.url}/v1/partners`, tg.keys.lookup), 403, 'FORBIDDEN');
  });
});
