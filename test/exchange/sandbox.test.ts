// Sandbox partners (contract 7): pulled at start, the section-7 table answers as written, and the
// nightly cycle (advance → sync) moves the list forward by one sequence — on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_SEQUENCE_BASE } from '../../src/sandbox/render.js';
import { ENGINES } from '../support/databases.js';
import { SECTION_7 } from '../support/sandbox-table.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { decisionOf, expectErrorBody, lookup, partnerView, type Partner, type RunView } from './helpers.js';


describe.each(ENGINES)('sandbox partners (%s)', (engine) => {
  let tg: TestGateway;

  beforeAll(async () => {
    tg = await startTestGateway({ engine, sandbox: true });
  }, 120_000);

  afterAll(async () => {
    await tg?.close();
  });

  it('pulled the three simulated partners at start', async () => {
    for (const code of ['EU', 'HK', 'MO'] as const satisfies readonly Partner[]) {
      const view = await partnerView(tg, code);
      expect(view, code).toMatchObject({ lastOutcome: 'APPLIED', lastSequence: SANDBOX_SEQUENCE_BASE[code], enabled: true, stale: false });
      expect(view.operatorCount, code).toBeGreaterThan(0);
    }
    // EU has 16 000 operators, a few of them revoked in generation 0.
    const eu = await partnerView(tg, 'EU');
    expect(eu.operatorCount).toBeGreaterThan(15_000);
    expect(eu.operatorCount).toBeLessThanOrEqual(16_000);
    const runs = await api(`${tg.url}/v1/exchanges?limit=10`, tg.keys.admin);
    const startup = (runs.body.exchanges as RunView[]).filter((r) => r.trigger === 'startup' && r.outcome === 'APPLIED');
    expect(startup.map((r) => r.partner).sort()).toEqual(['EU', 'HK', 'MO']);
  });

  it('answers every row of the section 7 table', async () => {
    for (const [code, decision] of SECTION_7) {
      expect(await decisionOf(tg, code), code).toBe(decision);
    }
    const it = await lookup(tg, 'IT01234567890');
    expect(it.body.operator).toMatchObject({ status: 'SUSPENDED', statusSince: '2026-01-15' });
    expect((await lookup(tg, 'MO100000003')).body.operator).toMatchObject({ validUntil: '2024-05-31' });
    // The sandbox signer is cited.
    expect((await lookup(tg, 'DE123456789012345')).body.provenance.signer.subject).toContain('Sandbox EU');
  });

  it('advance + manual sync applies the next list (sequence + 1); a second sync is NO_CHANGE', async () => {
    const before = await partnerView(tg, 'EU');
    const advanced = await api(`${tg.url}/sandbox/eu/advance`, null, { method: 'POST' });
    expect(advanced.status).toBe(200);
    expect(advanced.body).toMatchObject({ partner: 'EU', generation: 1, sequence: before.lastSequence! + 1 });

    expectErrorBody(await api(`${tg.url}/admin/partners/EU/sync`, tg.keys.lookup, { method: 'POST' }), 403, 'FORBIDDEN');

    const synced = await api(`${tg.url}/admin/partners/EU/sync`, tg.keys.admin, { method: 'POST' });
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);
    expect(synced.body).toMatchObject({ partner: 'EU', trigger: 'manual', outcome: 'APPLIED', reason: null, sequence: before.lastSequence! + 1 });
    const counts = (synced.body as RunView).counts!;
    expect(counts.added).toBeGreaterThan(0);
    expect(counts.changed).toBeGreaterThan(0);
    expect(counts.removed).toBeGreaterThan(0);
    expect(counts.received).toBe(counts.added + counts.changed + counts.unchanged);

    const after = await partnerView(tg, 'EU');
    expect(after).toMatchObject({ lastSequence: before.lastSequence! + 1, lastOutcome: 'APPLIED' });
    // Status changes may revoke or restore operators too, so only bounds are known.
    expect(after.operatorCount).toBeLessThanOrEqual(before.operatorCount + counts.added);
    expect(after.operatorCount).toBeGreaterThanOrEqual(before.operatorCount + counts.added - counts.removed - counts.changed);

    const again = await api(`${tg.url}/admin/partners/EU/sync`, tg.keys.admin, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'NO_CHANGE', reason: null, sequence: before.lastSequence! + 1 });
    expect((await partnerView(tg, 'EU')).lastSequence).toBe(before.lastSequence! + 1);
    // The fixed operators never change.
    for (const [code, decision] of SECTION_7.slice(0, 3)) expect(await decisionOf(tg, code), code).toBe(decision);
  }, 90_000);

  it('a push to a percent-encoded partner path answers 404 with a body, for admin as for the partner', async () => {
    for (const token of [tg.keys.admin, tg.keys.partner.EU!]) {
      const res = await Promise.race([
        api(`${tg.url}/exchange/v1/inbound/E%55`, token, { raw: '<x/>', headers: { 'content-type': 'application/xml' } }),
        new Promise<never>((_r, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000)),
      ]);
      expect([403, 404]).toContain(res.status);
      expect(typeof res.body.error.code).toBe('string');
    }
    expectErrorBody(await api(`${tg.url}/exchange/v1/inbound/E%55`, tg.keys.admin, { raw: '<x/>', headers: { 'content-type': 'application/xml' } }), 404, 'NOT_FOUND');
    expectErrorBody(await api(`${tg.url}/exchange/v1/inbound/Z%5A`, tg.keys.admin, { raw: '<x/>', headers: { 'content-type': 'application/xml' } }), 404, 'UNKNOWN_PARTNER');
  });

  it('accepts the Bearer scheme in any case (RFC 7235), and nothing else', async () => {
    const status = async (authorization: string) => (await fetch(`${tg.url}/v1/partners`, { headers: { authorization } })).status;
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) expect(await status(`${scheme} ${tg.keys.admin}`), scheme).toBe(200);
    for (const bad of [`Basic ${tg.keys.admin}`, `Bearer  ${tg.keys.admin}`, `bearer${tg.keys.admin}`, `Bearer ${tg.keys.admin.toUpperCase()}`]) {
      expect(await status(bad), bad).toBe(401);
    }
  });

  it('manual sync of an unknown partner is 404', async () => {
    expectErrorBody(await api(`${tg.url}/admin/partners/ZZ/sync`, tg.keys.admin, { method: 'POST' }), 404, 'UNKNOWN_PARTNER');
  });
});
