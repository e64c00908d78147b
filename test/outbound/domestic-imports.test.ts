// POST /admin/domestic/imports and the register reads (contract 9.1), over real HTTP on both engines;
// each import and review a DONE audit row (contract 12.3) that commits with its outcome, or neither does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/audit/audit-log.js';
import { sandboxRegister } from '../../src/sandbox/domestic.js';
import type { Enterprise } from '../../src/domestic/types.js';
import { ENGINES } from '../support/databases.js';
import { failingAtCommit } from '../support/audit-commit.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';

const REGISTER = sandboxRegister(50);
const CSV_FIELDS = ['customsCode', 'uscc', 'nameZh', 'nameEn', 'addressZh', 'addressEn', 'level', 'status', 'statusSince', 'levelSince', 'rectificationUntil', 'registeringCustoms'] as const;
const toCsv = (rows: readonly Enterprise[]): string =>
  [CSV_FIELDS.join(','), ...rows.map((e) => CSV_FIELDS.map((f) => `"${String(e[f] ?? '').replace(/"/g, '""')}"`).join(','))].join('\r\n') + '\r\n';

describe.each(ENGINES)('domestic register imports (%s)', (engine) => {
  let tg: TestGateway;
  const post = (body: unknown, type = 'application/json', query = '') =>
    api(`${tg.url}/admin/domestic/imports${query}`, tg.keys.admin, { raw: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': type } });
  const enterprises = async (query = '') => (await api(`${tg.url}/admin/domestic/enterprises${query}`, tg.keys.admin)).body;
  /** The audit rows of domestic.import with this outcome, oldest first. */
  const auditRows = async (outcome: 'DONE' | 'FAILED') =>
    ((await api(`${tg.url}/admin/audit?action=domestic.import&outcome=${outcome}&limit=500`, tg.keys.viewer)).body.entries as {
      actor: string; target: string; note: string | null; after: Record<string, unknown> | null; requestId: string | null;
    }[]).reverse();

  beforeAll(async () => {
    tg = await startTestGateway({ engine });
  });
  afterAll(async () => {
    await tg?.close();
  });

  it('needs the admin token', async () => {
    expect((await api(`${tg.url}/admin/domestic/enterprises`, null)).status).toBe(401);
    expect((await api(`${tg.url}/admin/domestic/enterprises`, tg.keys.lookup)).status).toBe(403);
    expect((await api(`${tg.url}/admin/domestic/imports`, tg.keys.partner.EU!, { body: { kind: 'FULL', enterprises: [] } })).status).toBe(403);
  });

  it('imports a FULL CSV, then the same again is NO_CHANGE', async () => {
    const first = await post(toCsv(REGISTER), 'text/csv');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ outcome: 'APPLIED', kind: 'FULL', counts: { received: 50, added: 50, removed: 0 } });
    const again = await post(toCsv(REGISTER), 'text/csv; charset=utf-8');
    expect(again.body).toMatchObject({ outcome: 'NO_CHANGE', counts: { unchanged: 50 } });
    const all = await enterprises();
    expect(all.total).toBe(50);
    expect(all.enterprises.map((e: Enterprise) => e.aeoCode)).toEqual(REGISTER.map((e) => e.aeoCode).sort().slice(0, 50));
  });

  it('rejects the whole import for one bad record, with per-record problems, and changes nothing', async () => {
    const rows = REGISTER.map((e, i) => (i === 3 ? { ...e, uscc: e.uscc.slice(0, 17) + (e.uscc[17] === '0' ? '1' : '0') } : e));
    const r = await post({ kind: 'DELTA', enterprises: [{ ...rows[0], nameZh: '改名' }, rows[3]] });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ outcome: 'REJECTED', reason: 'SCHEMA_INVALID', problems: [{ record: 1, path: '/uscc' }] });
    const one = await api(`${tg.url}/admin/domestic/enterprises/${REGISTER[0]!.aeoCode}`, tg.keys.admin);
    expect(one.body.nameZh).toBe(REGISTER[0]!.nameZh);
    const csv = await post(toCsv([REGISTER[0]!, { ...REGISTER[1]!, level: 'GOLD' as never }]), 'text/csv', '?kind=DELTA');
    expect(csv.body.problems).toEqual([{ record: 1, path: '/level', message: expect.stringMatching(/one of/) }]);
  });

  it('a DELTA changes one enterprise and keeps its history (both times)', async () => {
    const target = REGISTER.find((e) => e.status === 'VALID' && e.level === 'ADVANCED_CERTIFIED' && e.customsCode !== '1234567890')!;
    const r = await post({ kind: 'DELTA', enterprises: [{ ...target, status: 'SUSPENDED', statusSince: '2026-11-30' }] });
    expect(r.body).toMatchObject({ outcome: 'APPLIED', counts: { changed: 1, received: 1 } });
    const one = await api(`${tg.url}/admin/domestic/enterprises/${target.aeoCode.toLowerCase()}`, tg.keys.admin);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ status: 'SUSPENDED', inRegister: true });
    expect(one.body.history.map((h: { status: string; recordedAt: string }) => h.status)).toEqual(['VALID', 'SUSPENDED']);
    expect(one.body.history[1].recordedAt > one.body.history[0].recordedAt).toBe(true);
    expect((await api(`${tg.url}/admin/domestic/enterprises/AEOCN9999999999`, tg.keys.admin)).status).toBe(404);
  });

  it('holds a FULL removing over 20 % and an empty FULL; approve applies, reject drops', async () => {
    const held = await post({ kind: 'FULL', enterprises: REGISTER.slice(0, 30) });
    expect(held.body).toMatchObject({ outcome: 'QUARANTINED', reason: 'MASS_REMOVAL', counts: { removed: 20 } });
    expect((await enterprises()).total).toBe(50);
    const empty = await post({ kind: 'FULL', enterprises: [] });
    expect(empty.body).toMatchObject({ outcome: 'QUARANTINED', reason: 'EMPTY_LIST' });
    const rejected = await api(`${tg.url}/admin/domestic/imports/${empty.body.id}/reject`, tg.keys.admin, { method: 'POST' });
    expect(rejected.body).toMatchObject({ outcome: 'REJECTED', review: { decision: 'rejected' } });
    const approved = await api(`${tg.url}/admin/domestic/imports/${held.body.id}/approve`, tg.keys.admin, { method: 'POST' });
    expect(approved.body).toMatchObject({ outcome: 'APPLIED', review: { decision: 'approved' } });
    expect((await enterprises()).total).toBe(30);
    expect((await api(`${tg.url}/admin/domestic/imports/${held.body.id}/approve`, tg.keys.admin, { method: 'POST' })).status).toBe(409);
    const gone = await api(`${tg.url}/admin/domestic/enterprises/${REGISTER[40]!.aeoCode}`, tg.keys.admin);
    expect(gone.body.inRegister).toBe(false);
  });

  it('filters, pages with a cursor and counts the total', async () => {
    const page1 = await enterprises('?limit=10');
    expect(page1.enterprises).toHaveLength(10);
    const page2 = await enterprises(`?limit=10&cursor=${page1.nextCursor}`);
    expect(page2.enterprises[0].aeoCode > page1.enterprises[9].aeoCode).toBe(true);
    const advanced = await enterprises('?level=ADVANCED_CERTIFIED&limit=1000');
    expect(advanced.enterprises.every((e: Enterprise) => e.level === 'ADVANCED_CERTIFIED')).toBe(true);
    expect(advanced.nextCursor).toBeNull();
    expect((await enterprises('?q=1234567890')).enterprises.map((e: Enterprise) => e.aeoCode)).toEqual(['AEOCN1234567890']);
    for (const bad of ['?level=GOLD', '?status=X', '?limit=0', '?cursor=zzz', '?level=A&level=B']) {
      expect((await api(`${tg.url}/admin/domestic/enterprises${bad}`, tg.keys.admin)).status).toBe(400);
    }
  });

  it('leaves one DONE row per import and review (outcome and counts, or decision), with the admin and the note', async () => {
    const done = await auditRows('DONE');
    // Every import so far and the two reviews: APPLIED, NO_CHANGE, REJECTED ×2, APPLIED, QUARANTINED ×2, reject, approve.
    expect(done.map((r) => r.after!.outcome)).toEqual(['APPLIED', 'NO_CHANGE', 'REJECTED', 'REJECTED', 'APPLIED', 'QUARANTINED', 'QUARANTINED', 'REJECTED', 'APPLIED']);
    expect(new Set(done.map((r) => r.actor))).toEqual(new Set(['test.admin']));
    expect(done[2]!.after).toEqual({ outcome: 'REJECTED', counts: { received: 2, added: 0, changed: 0, removed: 0, unchanged: 0, invalid: 1 } });
    expect(done.slice(-2).map((r) => r.after!.decision)).toEqual(['reject', 'approve']);
    expect(done.at(-1)!.target).toBe(done[5]!.target); // the approved one is the first held import

    const target = REGISTER.find((e) => e.status === 'VALID')!;
    const r = await api(`${tg.url}/admin/domestic/imports`, tg.keys.admin, {
      body: { kind: 'DELTA', enterprises: [{ ...target, nameEn: 'Renamed Ltd' }] }, headers: { 'x-aeo-note': 'ticket 42' },
    });
    expect(r.body.outcome).toBe('APPLIED');
    expect((await auditRows('DONE')).at(-1)).toMatchObject({
      actor: 'test.admin', target: r.body.id, note: 'ticket 42', after: { outcome: 'APPLIED', counts: r.body.counts }, requestId: expect.any(String),
    });
  });

  it('stores neither the import nor its DONE row when the transaction fails at commit; the chain stays intact', async () => {
    const db = tg.gateway.db;
    const target = REGISTER.find((e) => e.status === 'VALID' && e.customsCode !== '1234567890')!;
    const events = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM domestic_events'))[0]!.n;
    const eventsBefore = await events();
    const doneBefore = (await auditRows('DONE')).length;
    const res = await failingAtCommit(db, ['domestic.import'], () =>
      api(`${tg.url}/admin/domestic/imports`, tg.keys.admin, { body: { kind: 'DELTA', enterprises: [{ ...target, nameZh: '不应保存' }] }, headers: { 'x-aeo-note': 'doomed' } }),
    );
    expect(res.status).toBe(500);
    expect(await events()).toBe(eventsBefore);
    expect((await api(`${tg.url}/admin/domestic/enterprises/${target.aeoCode}`, tg.keys.admin)).body.nameZh).not.toBe('不应保存');
    expect(await auditRows('DONE')).toHaveLength(doneBefore);
    expect((await auditRows('FAILED')).at(-1)).toMatchObject({ target: 'register', note: 'doomed', after: { error: 'INTERNAL' } });

    // A review likewise: the held import stays held and unreviewed, and can be approved afterwards.
    const held = await post({ kind: 'FULL', enterprises: [] });
    expect(held.body.outcome).toBe('QUARANTINED');
    const doneHeld = (await auditRows('DONE')).length;
    const reject = () => api(`${tg.url}/admin/domestic/imports/${held.body.id}/reject`, tg.keys.admin, { method: 'POST' });
    expect((await failingAtCommit(db, ['domestic.import'], reject)).status).toBe(500);
    expect((await api(`${tg.url}/admin/domestic/imports/${held.body.id}`, tg.keys.admin)).body).toMatchObject({ outcome: 'QUARANTINED', review: null });
    expect(await auditRows('DONE')).toHaveLength(doneHeld);
    expect((await reject()).body).toMatchObject({ outcome: 'REJECTED', review: { decision: 'rejected' } });
    expect((await auditRows('DONE')).at(-1)).toMatchObject({ target: held.body.id, after: { decision: 'reject', outcome: 'REJECTED' } });
    expect(await verify(db)).toMatchObject({ ok: true });
  });

  it('answers bad bodies with coded 4xx errors', async () => {
    expect((await post('{', 'application/json')).body.error.code).toBe('MALFORMED_JSON');
    expect((await post({ kind: 'HALF', enterprises: [] })).body.error.code).toBe('INVALID_BODY');
    expect((await post('x', 'text/plain')).status).toBe(415);
    expect((await post('a,b\n1\n', 'text/csv')).body.error.code).toBe('INVALID_BODY');
    expect((await post(toCsv([]), 'text/csv', '?kind=HALF')).status).toBe(400);
  });
});
