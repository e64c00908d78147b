// The agreement registry over real HTTP, on both engines: reference facts, auth, admin corrections with history.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { newAgreement } from '../support/agreement-fixture.js';


describe.each(ENGINES)('agreement registry on %s', (engine) => {
  let gw: TestGateway;
  let databaseUrl: string | undefined;
  // Our own folders, so that a restart finds the same embedded database.
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-registry-'));
  const folders = { dataDir: path.join(root, 'data'), certsDir: path.join(root, 'certs') };

  beforeAll(async () => {
    databaseUrl = engine === 'pg' ? await createServerDatabase() : undefined;
    gw = await startTestGateway({ engine, databaseUrl, ...folders });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the 31 identified agreements over 57 economies, counts computed', async () => {
    const { status, body } = await api(`${gw.url}/v1/agreements`, gw.keys.lookup);
    expect(status).toBe(200);
    expect(body.count).toBe(31);
    expect(body.economyCount).toBe(57);
    expect(body.agreements).toHaveLength(31);
    const byId = new Map<string, any>(body.agreements.map((a: any) => [a.id, a]));
    const eu = byId.get('CN-EU');
    expect(eu.economies).toHaveLength(27);
    expect(eu.recognisedTiers).toEqual(['AEOS', 'AEOF']);
    expect(eu.status).toBe('IN_FORCE');
    expect(eu.exchange).toEqual({ partnerCode: 'EU', enabled: true });
    expect(byId.get('CN-MO')).toMatchObject({ recognisedTiers: ['A'], inForceOn: '2023-06-01', status: 'IN_FORCE' });
    expect(byId.get('CN-AU')).toMatchObject({ inForceOn: '2023-12-14', status: 'IN_FORCE', exchange: null });
    for (const id of ['CN-RU', 'CN-IR', 'CN-IS']) expect(byId.get(id)).toMatchObject({ inForceOn: null, status: 'SIGNED' });
  });

  it('answers one agreement and economies, 404 with codes otherwise', async () => {
    expect((await api(`${gw.url}/v1/agreements/CN-SG`, gw.keys.lookup)).body.declaredCode.pattern).toBe('^SG\\d{12}$');
    const de = await api(`${gw.url}/v1/economies/DE`, gw.keys.lookup);
    expect(de.status).toBe(200);
    expect(de.body.agreement.id).toBe('CN-EU');
    const us = await api(`${gw.url}/v1/economies/US`, gw.keys.lookup);
    expect(us.status).toBe(404);
    expect(us.body.error.code).toBe('NO_AGREEMENT');
    const el = await api(`${gw.url}/v1/economies/EL`, gw.keys.lookup);
    expect(el.body.error.code).toBe('NO_AGREEMENT');
    const unknown = await api(`${gw.url}/v1/agreements/CN-ZZ`, gw.keys.lookup);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });

  it('needs a token (401), and the right scope (403), with the error body', async () => {
    const none = await api(`${gw.url}/v1/agreements`, null);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    const wrong = await api(`${gw.url}/v1/agreements`, 'not-a-real-token-at-all');
    expect(wrong.status).toBe(401);
    const partner = await api(`${gw.url}/v1/agreements`, gw.keys.partner.EU!);
    expect(partner.status).toBe(403);
    expect(partner.body.error.code).toBe('FORBIDDEN');
    const lookupPut = await api(`${gw.url}/admin/agreements/CN-XK`, gw.keys.lookup, { method: 'PUT', body: newAgreement });
    expect(lookupPut.status).toBe(403);
    expect((await api(`${gw.url}/healthz`, null)).status).toBe(200);
    expect((await api(`${gw.url}/readyz`, null)).status).toBe(200);
  });

  it('refuses bad agreement bodies with coded errors and changes nothing', async () => {
    const put = (id: string, body: unknown) => api(`${gw.url}/admin/agreements/${id}`, gw.keys.admin, { method: 'PUT', body });
    const missing = await put('CN-XK', { ...newAgreement, sources: undefined });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('INVALID_BODY');
    expect((await put('CN-XK', { ...newAgreement, inForceOn: '2026-02-30' })).status).toBe(400);
    expect((await put('CN-XK', { ...newAgreement, extra: 1 })).status).toBe(400);
    expect((await put('CN-XY', newAgreement)).body.error.code).toBe('INVALID_BODY');
    // Catastrophic backtracking would freeze every lookup: refused, and nothing stored.
    const nested = await put('CN-XK', { ...newAgreement, declaredCode: { ...newAgreement.declaredCode, pattern: '^XK(\\d+)+$' } });
    expect(nested.status).toBe(400);
    expect(nested.body.error.code).toBe('INVALID_BODY');
    expect(nested.body.error.message).toMatch(/nested quantifiers/);
    const alias = await put('CN-XK', { ...newAgreement, declaredCode: { ...newAgreement.declaredCode, aliasPatterns: ['^XK(A|AB)*$'] } });
    expect(alias.status).toBe(400);
    expect((await api(`${gw.url}/v1/agreements/CN-XK`, gw.keys.lookup)).status).toBe(404);
    // Not a speed target: with the pattern stored, this code would backtrack 2^29 times and hang.
    const started = Date.now();
    expect((await api(`${gw.url}/v1/recognition/XK${'1'.repeat(29)}A`, gw.keys.lookup)).body.decision).toBe('NO_AGREEMENT');
    expect(Date.now() - started).toBeLessThan(5000);
    const taken = await put('CN-XK', { ...newAgreement, economies: ['XK', 'DE'] });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CONFLICT');
    const badJson = await api(`${gw.url}/admin/agreements/CN-XK`, gw.keys.admin, {
      method: 'PUT',
      raw: '{"id": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('MALFORMED_JSON');
    const list = await api(`${gw.url}/v1/agreements`, gw.keys.lookup);
    expect(list.body.count).toBe(31);
  });

  it('adds the 32nd agreement and corrects one, with history, surviving a restart', async () => {
    const put = (id: string, body: unknown) => api(`${gw.url}/admin/agreements/${id}`, gw.keys.admin, { method: 'PUT', body });
    const created = await put('CN-XK', newAgreement);
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('IN_FORCE');
    const corrected = await put('CN-XK', { ...newAgreement, inForceOn: '2026-03-01' });
    expect(corrected.status).toBe(200);
    const after = await api(`${gw.url}/v1/agreements`, gw.keys.lookup);
    expect(after.body.count).toBe(32);
    expect(after.body.economyCount).toBe(58);
    const history = await api(`${gw.url}/admin/agreements/CN-XK/revisions`, gw.keys.admin);
    expect(history.body.revisions.map((r: any) => r.body.inForceOn)).toEqual(['2026-01-01', '2026-03-01']);

    // The declared-code pattern takes effect at once for lookups.
    const lookup = await api(`${gw.url}/v1/recognition/XK12345678`, gw.keys.lookup);
    expect(lookup.body.decision).toBe('NO_DATA');
    expect((await api(`${gw.url}/v1/recognition/XK123`, gw.keys.lookup)).body.error.code).toBe('INVALID_CODE');

    await gw.close();
    gw = await startTestGateway({ engine, databaseUrl, ...folders });
    const restarted = await api(`${gw.url}/v1/agreements/CN-XK`, gw.keys.lookup);
    expect(restarted.status).toBe(200);
    expect(restarted.body.inForceOn).toBe('2026-03-01');
  });

  it('maps hostile requests to 4xx error bodies, never 5xx', async () => {
    const cases = [
      await api(`${gw.url}/v1/agreements/${'A'.repeat(5000)}`, gw.keys.lookup),
      await api(`${gw.url}/v1/economies/%E0%A4%A`, gw.keys.lookup),
      await api(`${gw.url}/v1/economies/%00%00`, gw.keys.lookup),
      await api(`${gw.url}/admin/agreements/CN-XK`, gw.keys.admin, { method: 'PUT', raw: 'x'.repeat(70_000), headers: { 'content-type': 'application/json' } }),
      await api(`${gw.url}/admin/agreements/CN-XK`, gw.keys.admin, { method: 'PUT', raw: '['.repeat(5000), headers: { 'content-type': 'application/json' } }),
      await api(`${gw.url}/admin/agreements/CN-XK`, gw.keys.admin, { method: 'PUT', raw: '"just a string"', headers: { 'content-type': 'application/json' } }),
      await api(`${gw.url}/no/such/route`, gw.keys.admin),
    ];
    for (const c of cases) {
      expect(c.status).toBeGreaterThanOrEqual(400);
      expect(c.status).toBeLessThan(500);
      expect(c.body.error.code).toMatch(/^[A-Z_]+$/);
    }
    expect(cases[3]!.status).toBe(413);
  });
});
