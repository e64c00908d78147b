// The audit log (contract 12.3) and request ids over real HTTP, on both engines: every admin action
// leaves a row naming the actor, refused ones too; filters and keyset paging; the hash chain holds,
// and breaks when a row is altered by SQL. The steps of one engine run in order against one gateway.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/audit/audit-log.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { newAgreement } from '../support/agreement-fixture.js';
import { cmsSign, euList, euOperators, expectErrorBody, expectRun, isoDay, makePki, push, tempDir, trustAnchor, type TestPki } from '../exchange/helpers.js';


let pki: TestPki;
beforeAll(() => {
  pki = makePki('EU');
});
afterAll(() => {
  pki.remove();
});

const OPS = euOperators(10);

describe.each(ENGINES)('audit log and request ids (%s)', (engine) => {
  let gw: TestGateway;
  let certs: { dir: string; remove: () => void };
  const logLines: string[] = [];
  let quarantinedId: string;

  const entries = async (query = ''): Promise<any[]> => {
    const res = await api(`${gw.url}/admin/audit${query}`, gw.keys.viewer);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.entries as any[];
  };
  const newest = async (): Promise<any> => (await entries('?limit=1'))[0];

  beforeAll(async () => {
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', pki);
    // Sandbox mode for MO's simulated pull (sync now); no startup sync, EU lists come from this test.
    gw = await startTestGateway({ engine, sandbox: true, syncOnStart: false, certsDir: certs.dir, logLines });
    const list = euList(1, OPS, { generatedAt: `${isoDay(-3)}T01:00:00Z` });
    expectRun(await push(gw, 'EU', list, cmsSign(list, pki)), 200, 'APPLIED', null);
  });
  afterAll(async () => {
    await gw?.close();
    certs?.remove();
  });

  it('returns the caller’s sane X-Request-Id, or a new one, and names it in every log line of the request', async () => {
    const sane = await api(`${gw.url}/v1/partners`, gw.keys.viewer, { headers: { 'x-request-id': 'clearance-42.a_b' } });
    expect(sane.headers.get('x-request-id')).toBe('clearance-42.a_b');
    for (const insane of ['has space', 'x'.repeat(65), 'semi;colon', '']) {
      const res = await api(`${gw.url}/v1/partners`, gw.keys.viewer, { headers: { 'x-request-id': insane } });
      expect(res.headers.get('x-request-id'), insane).toMatch(/^[0-9a-f-]{36}$/);
    }
    const generated = await api(`${gw.url}/healthz`, null);
    const unauthenticated = await api(`${gw.url}/v1/partners`, null);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(unauthenticated.headers.get('x-request-id')).not.toBe(generated.headers.get('x-request-id'));

    // A push: the pipeline's own lines (not only the request line) carry the request's id.
    const list = euList(2, OPS, { generatedAt: `${isoDay(-2)}T01:00:00Z` });
    const pushed = await api(`${gw.url}/exchange/v1/inbound/EU`, gw.keys.partner.EU!, {
      method: 'POST',
      raw: list,
      headers: { 'content-type': 'application/xml', 'x-aeo-signature': cmsSign(list, pki).toString('base64'), 'x-request-id': 'push-0001' },
    });
    expect(pushed.status).toBe(200);
    const mine = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === 'push-0001');
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['exchange finished', 'request']));
    const requestLine = mine.find((l) => l.msg === 'request')!;
    expect(requestLine).toMatchObject({ status: 200, scope: 'partner-EU', actor: expect.stringMatching(/^partner-EU#[0-9a-f]{8}$/) });
    expect(logLines.join('\n')).not.toContain(gw.keys.partner.EU!);
  });

  it('records a reject by the operator with its note and request id, in the same change; refusals too', async () => {
    const empty = euList(3, [], { generatedAt: `${isoDay(-1)}T01:00:00Z` });
    const quarantined = await push(gw, 'EU', empty, cmsSign(empty, pki));
    expectRun(quarantined, 200, 'QUARANTINED', 'EMPTY_LIST');
    const id = quarantined.body.id as string;

    const asViewer = await api(`${gw.url}/admin/exchanges/${id}/reject`, gw.keys.viewer, { method: 'POST' });
    expectErrorBody(asViewer, 403, 'FORBIDDEN');
    expect(await newest()).toMatchObject({
      actor: expect.stringMatching(/^viewer#[0-9a-f]{8}$/),
      scopes: ['viewer'],
      action: 'exchange.reject',
      target: id,
      outcome: 'REFUSED',
      after: { error: 'FORBIDDEN' },
      requestId: asViewer.headers.get('x-request-id'),
    });

    const rejected = await api(`${gw.url}/admin/exchanges/${id}/reject`, gw.keys.operator, {
      body: { note: 'Partner confirmed the empty list was a mistake' },
      headers: { 'x-request-id': 'reject-0001' },
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body.review).toMatchObject({ decision: 'rejected', by: 'ops-night' });
    const done = await newest();
    expect(done).toEqual({
      id: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      actor: 'ops-night',
      scopes: ['operator'],
      action: 'exchange.reject',
      target: id,
      outcome: 'DONE',
      note: 'Partner confirmed the empty list was a mistake',
      before: { outcome: 'QUARANTINED', reason: 'EMPTY_LIST' },
      after: { outcome: 'REJECTED', reason: 'EMPTY_LIST', review: rejected.body.review },
      requestId: 'reject-0001',
    });

    const again = await api(`${gw.url}/admin/exchanges/${id}/reject`, gw.keys.operator, { method: 'POST', headers: { 'x-aeo-note': 'second try' } });
    expectErrorBody(again, 409, 'CONFLICT');
    expect(await newest()).toMatchObject({ actor: 'ops-night', action: 'exchange.reject', outcome: 'REFUSED', note: 'second try', after: { error: 'CONFLICT' } });
    quarantinedId = id;
  });

  it('records an approval by the admin with the X-AEO-Note header, and a failed one', async () => {
    const mass = euList(4, OPS.slice(0, 2), { generatedAt: `${isoDay(-1)}T04:00:00Z` });
    const quarantined = await push(gw, 'EU', mass, cmsSign(mass, pki));
    expectRun(quarantined, 200, 'QUARANTINED', 'MASS_REMOVAL');
    const approved = await api(`${gw.url}/admin/exchanges/${quarantined.body.id}/approve`, gw.keys.admin, {
      method: 'POST',
      headers: { 'x-aeo-note': 'Ticket 4711: EU confirmed the removals' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(await newest()).toMatchObject({
      actor: 'test.admin',
      scopes: ['admin'],
      action: 'exchange.approve',
      target: quarantined.body.id,
      outcome: 'DONE',
      note: 'Ticket 4711: EU confirmed the removals',
      before: { outcome: 'QUARANTINED', reason: 'MASS_REMOVAL' },
      after: { outcome: 'APPLIED', review: { decision: 'approved', by: 'test.admin' } },
    });

    const missing = randomUUID();
    expectErrorBody(await api(`${gw.url}/admin/exchanges/${missing}/approve`, gw.keys.operator, { method: 'POST' }), 404, 'NOT_FOUND');
    expect(await newest()).toMatchObject({ action: 'exchange.approve', target: missing, outcome: 'FAILED', after: { error: 'NOT_FOUND' } });
  });

  it('records sync now: done (with the run), and refused', async () => {
    const synced = await api(`${gw.url}/admin/partners/MO/sync`, gw.keys.operator, { method: 'POST' });
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);
    expect(await newest()).toMatchObject({
      actor: 'ops-night',
      action: 'exchange.sync',
      target: 'MO',
      outcome: 'DONE',
      after: { exchangeId: synced.body.id, outcome: synced.body.outcome },
    });
    expectErrorBody(await api(`${gw.url}/admin/partners/MO/sync`, gw.keys.viewer, { method: 'POST' }), 403, 'FORBIDDEN');
    expect(await newest()).toMatchObject({ action: 'exchange.sync', target: 'MO', outcome: 'REFUSED', after: { error: 'FORBIDDEN' } });
    expectErrorBody(await api(`${gw.url}/admin/partners/ZZ/sync`, gw.keys.admin, { method: 'POST' }), 404, 'UNKNOWN_PARTNER');
    expect(await newest()).toMatchObject({ actor: 'test.admin', action: 'exchange.sync', target: 'ZZ', outcome: 'FAILED' });
  });

  it('records registry edits with before and after; a refusal without a token is anonymous', async () => {
    const put = (body: unknown, token: string | null) =>
      api(`${gw.url}/admin/agreements/CN-XK`, token, { method: 'PUT', body, headers: { 'x-aeo-note': 'GACC Announcement 2026 No.1' } });
    expect((await put(newAgreement, gw.keys.admin)).status).toBe(201);
    expect(await newest()).toMatchObject({ action: 'registry.edit', target: 'CN-XK', outcome: 'DONE', note: 'GACC Announcement 2026 No.1', before: null, after: newAgreement });
    expect((await put({ ...newAgreement, inForceOn: '2026-03-01' }, gw.keys.admin)).status).toBe(200);
    const corrected = await newest();
    expect(corrected.before.inForceOn).toBe('2026-01-01');
    expect(corrected.after.inForceOn).toBe('2026-03-01');
    const revisions = await api(`${gw.url}/admin/agreements/CN-XK/revisions`, gw.keys.viewer);
    expect(revisions.body.revisions.map((r: any) => r.recordedBy)).toEqual(['test.admin', 'test.admin']);

    expectErrorBody(await put(newAgreement, null), 401, 'UNAUTHENTICATED');
    expect(await newest()).toMatchObject({ actor: 'anonymous', scopes: [], action: 'registry.edit', outcome: 'REFUSED', after: { error: 'UNAUTHENTICATED' } });
    expectErrorBody(await put(newAgreement, gw.keys.operator), 403, 'FORBIDDEN');
    expectErrorBody(await put({ ...newAgreement, sources: 'nope' }, gw.keys.admin), 400, 'INVALID_BODY');
    expect(await newest()).toMatchObject({ actor: 'test.admin', outcome: 'FAILED', after: { error: 'INVALID_BODY' } });
  });

  it('filters by actor, action, outcome and time, newest first, and pages without gaps or repeats', async () => {
    const all = await entries('?limit=500');
    expect(all.length).toBeGreaterThanOrEqual(12);
    const ids = all.map((e) => e.id as number);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    expect((await entries('?actor=ops-night')).every((e) => e.actor === 'ops-night')).toBe(true);
    const rejects = await entries('?action=exchange.reject');
    expect(rejects.map((e) => e.outcome)).toEqual(['REFUSED', 'DONE', 'REFUSED']);
    expect(rejects.every((e) => e.target === quarantinedId)).toBe(true);
    const refused = await entries('?outcome=REFUSED&action=registry.edit');
    expect(refused.map((e) => e.actor)).toEqual(['ops-night', 'anonymous']);

    const middle = all[Math.floor(all.length / 2)];
    const older = await entries(`?to=${encodeURIComponent(middle.at)}&limit=500`);
    expect(older.every((e) => e.at < middle.at)).toBe(true);
    const newer = await entries(`?from=${encodeURIComponent(middle.at)}&limit=500`);
    expect(newer.every((e) => e.at >= middle.at)).toBe(true);
    expect(older.length + newer.length).toBe(all.length);
    expect((await entries('?from=2099-01-01T00:00:00Z')).length).toBe(0);

    const paged: number[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api(`${gw.url}/admin/audit?limit=5${cursor ? `&cursor=${cursor}` : ''}`, gw.keys.viewer);
      paged.push(...res.body.entries.map((e: any) => e.id as number));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(ids);

    for (const bad of ['?action=exchange.nuke', '?outcome=MAYBE', '?from=yesterday', '?cursor=-3', '?limit=501', '?actor=a&actor=b']) {
      expectErrorBody(await api(`${gw.url}/admin/audit${bad}`, gw.keys.viewer), 400, 'BAD_REQUEST');
    }
    expectErrorBody(await api(`${gw.url}/admin/audit`, gw.keys.lookup), 403, 'FORBIDDEN');
  });

  it('commits an action only with its audit row: when the row cannot be written, nothing changes', async () => {
    const db = gw.gateway.db;
    await db.exec('ALTER TABLE audit_log ADD CONSTRAINT audit_blocked CHECK (false) NOT VALID');
    try {
      const res = await api(`${gw.url}/admin/agreements/CN-XK`, gw.keys.admin, { method: 'PUT', body: { ...newAgreement, inForceOn: '2026-05-01' } });
      expectErrorBody(res, 500, 'INTERNAL');
    } finally {
      await db.exec('ALTER TABLE audit_log DROP CONSTRAINT audit_blocked');
    }
    const revisions = await api(`${gw.url}/admin/agreements/CN-XK/revisions`, gw.keys.viewer);
    expect(revisions.body.revisions.map((r: any) => r.body.inForceOn)).toEqual(['2026-01-01', '2026-03-01']);
    expect((await api(`${gw.url}/v1/agreements/CN-XK`, gw.keys.lookup)).body.inForceOn).toBe('2026-03-01');
  });

  it('keeps the chain; refuses UPDATE and DELETE; verify names the row altered by SQL (last: it breaks the chain)', async () => {
    const db = gw.gateway.db;
    expect(await verify(db)).toEqual({ ok: true, rows: (await entries('?limit=500')).length });
    await expect(db.query("UPDATE audit_log SET note = 'rewritten' WHERE id = (SELECT min(id) FROM audit_log)")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);

    const all = await entries('?limit=500');
    const victim = all[all.length - 3];
    await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
      UPDATE audit_log SET actor = 'someone.else' WHERE id = ${Number(victim.id)};
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    const result = await verify(db);
    expect(result).toMatchObject({ ok: false, id: victim.id, rows: 2 });
    expect(result.ok === false && result.problem).toContain('content does not match its hash');
  });
});
