// The API the console needs, tested without a browser first (architecture: "the console is a client
// like any other"): run filters with keyset paging, a quarantined list's diff, an operator's
// history, and the raw payload as a download — on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, expectErrorBody, isoDay, makePki, moList, moOperator, push, tempDir, trustAnchor, type TestPki } from '../exchange/helpers.js';

let pki: TestPki;
beforeAll(() => {
  pki = makePki('MO');
});
afterAll(() => pki.remove());

const numbers = Array.from({ length: 10 }, (_, i) => String(300000001 + i));
const at = (day: string): string => `${day}T10:00:00+08:00`;

describe.each(ENGINES)('console API (%s)', (engine) => {
  let tg: TestGateway;
  let certs: { dir: string; remove: () => void };
  let firstRun: string;
  let heldRun: string;
  let badRun: string;

  beforeAll(async () => {
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'MO', pki);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
    const send = async (seq: number, ops: ReturnType<typeof moOperator>[], kind: 'FULL' | 'DELTA', day: string) => {
      const body = moList(seq, ops, { kind, generatedAt: at(day) });
      return push(tg, 'MO', body, cmsSign(body, pki));
    };
    const first = await send(1, numbers.map((n) => moOperator(n)), 'FULL', isoDay(-20));
    expect(first.body.outcome).toBe('APPLIED');
    firstRun = first.body.id;
    // A renewal of the first operator, then a FULL that would drop 8 of 10: quarantined.
    const renewed = await send(2, [moOperator(numbers[0]!, { estado: 'SUSPENSO', estadoDesde: isoDay(-10) })], 'DELTA', isoDay(-10));
    expect(renewed.body.outcome).toBe('APPLIED');
    const held = await send(3, [moOperator(numbers[0]!), moOperator(numbers[1]!, { grau: 'B' }), moOperator('399999999')], 'FULL', isoDay(-1));
    expect(held.body.outcome).toBe('QUARANTINED');
    heldRun = held.body.id;
    const bad = moList(4, [moOperator(numbers[2]!)], { kind: 'DELTA', generatedAt: at(isoDay(0)) });
    const rejected = await push(tg, 'MO', bad, cmsSign(Buffer.from('other bytes'), pki));
    expect(rejected.body.outcome).toBe('REJECTED');
    badRun = rejected.body.id;
  }, 120_000);

  afterAll(async () => {
    await tg?.close();
    certs?.remove();
  });

  it('filters runs by outcome, reason, trigger and time, and pages them with a cursor', async () => {
    const rejected = await api(`${tg.url}/v1/exchanges?outcome=REJECTED&reason=SIGNATURE_INVALID`, tg.keys.admin);
    expect(rejected.status).toBe(200);
    expect(rejected.body.exchanges.map((r: { id: string }) => r.id)).toEqual([badRun]);
    expect(rejected.body.nextCursor).toBeNull();

    const none = await api(`${tg.url}/v1/exchanges?trigger=schedule`, tg.keys.admin);
    expect(none.body.exchanges).toEqual([]);
    const future = await api(`${tg.url}/v1/exchanges?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, tg.keys.admin);
    expect(future.body.exchanges).toEqual([]);

    // Pages of 1: all four runs, newest first, each once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { exchanges: { id: string }[]; nextCursor: string | null } } = await api(
        `${tg.url}/v1/exchanges?partner=MO&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        tg.keys.admin,
      );
      seen.push(...page.body.exchanges.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null && seen.length < 10);
    expect(seen).toHaveLength(4);
    expect(seen[0]).toBe(badRun);
    expect(seen[3]).toBe(firstRun);
    expect(new Set(seen).size).toBe(4);
  });

  it('refuses filters it does not understand with a 400', async () => {
    for (const q of ['outcome=MAYBE', 'trigger=cron', 'from=yesterday', 'cursor=%21%21', 'limit=0', 'reason=bad%20reason', 'partner=E1']) {
      expectErrorBody(await api(`${tg.url}/v1/exchanges?${q}`, tg.keys.admin), 400, 'BAD_REQUEST');
    }
  });

  it("shows what a quarantined list would change, page by page, against the applied one", async () => {
    const removed = await api(`${tg.url}/admin/exchanges/${heldRun}/diff?section=removed&limit=5`, tg.keys.admin);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({
      exchangeId: heldRun,
      partner: 'MO',
      sequence: 3,
      outcome: 'QUARANTINED',
      counts: { received: 3, added: 1, changed: 2, removed: 8, unchanged: 0 },
      activeBefore: 10,
      activeAfter: 3,
      section: 'removed',
      total: 8,
      offset: 0,
    });
    expect(removed.body.removalRatio).toBeCloseTo(0.8);
    expect(removed.body.rows).toHaveLength(5);
    expect(removed.body.rows[0]).toMatchObject({ before: { status: 'VALID' }, after: { status: 'REVOKED', partnerStatus: 'REMOVED_FROM_LIST' } });
    const rest = await api(`${tg.url}/admin/exchanges/${heldRun}/diff?section=removed&offset=5&limit=5`, tg.keys.admin);
    expect(rest.body.rows).toHaveLength(3);
    const all = [...removed.body.rows, ...rest.body.rows].map((r: { declaredCode: string }) => r.declaredCode);
    expect(new Set(all).size).toBe(8);
    expect(all).not.toContain(`MO${numbers[0]!}`);

    const changed = await api(`${tg.url}/admin/exchanges/${heldRun}/diff?section=changed`, tg.keys.admin);
    const byCode = new Map(changed.body.rows.map((r: { declaredCode: string }) => [r.declaredCode, r]));
    expect(byCode.get(`MO${numbers[0]!}`)).toMatchObject({ before: { status: 'SUSPENDED' }, after: { status: 'VALID' } });
    expect(byCode.get(`MO${numbers[1]!}`)).toMatchObject({ before: { tier: 'A' }, after: { tier: 'B' } });
    const added = await api(`${tg.url}/admin/exchanges/${heldRun}/diff?section=added`, tg.keys.admin);
    expect(added.body.rows).toEqual([expect.objectContaining({ declaredCode: 'MO399999999', before: null })]);

    // The review view changed nothing.
    const run = await api(`${tg.url}/v1/exchanges/${heldRun}`, tg.keys.admin);
    expect(run.body).toMatchObject({ outcome: 'QUARANTINED', review: null });
    expectErrorBody(await api(`${tg.url}/admin/exchanges/${heldRun}/diff?section=everything`, tg.keys.admin), 400, 'BAD_REQUEST');
    expectErrorBody(await api(`${tg.url}/admin/exchanges/${heldRun}/diff`, tg.keys.lookup), 403, 'FORBIDDEN');
    expectErrorBody(await api(`${tg.url}/admin/exchanges/00000000-0000-4000-8000-000000000000/diff`, tg.keys.admin), 404, 'NOT_FOUND');
  });

  it("gives an operator's history with both times and the run of each statement", async () => {
    const res = await api(`${tg.url}/admin/operators/MO${numbers[0]!}/history`, tg.keys.admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ code: `MO${numbers[0]!}`, partner: 'MO', partnerId: numbers[0] });
    const events = res.body.events as { status: string; statusSince: string; recordedAt: string; exchangeId: string; sequence: number }[];
    expect(events.map((e) => [e.status, e.sequence])).toEqual([
      ['VALID', 1],
      ['SUSPENDED', 2],
    ]);
    expect(events[0]!.exchangeId).toBe(firstRun);
    expect(events[1]!.statusSince).toBe(isoDay(-10));
    expect(Date.parse(events[1]!.recordedAt)).toBeGreaterThanOrEqual(Date.parse(events[0]!.recordedAt));
    // Other spellings of the same code find the same operator.
    const spaced = await api(`${tg.url}/admin/operators/${encodeURIComponent(` mo-${numbers[0]!} `)}/history`, tg.keys.admin);
    expect(spaced.body.events).toHaveLength(2);
    expectErrorBody(await api(`${tg.url}/admin/operators/MO123456789/history`, tg.keys.admin), 404, 'NOT_FOUND');
    expectErrorBody(await api(`${tg.url}/admin/operators/MO12/history`, tg.keys.admin), 400, 'INVALID_CODE');
    expectErrorBody(await api(`${tg.url}/admin/operators/MO${numbers[0]!}/history`, tg.keys.lookup), 403, 'FORBIDDEN');
  });

  it('serves the raw payload only as an attachment, byte for byte', async () => {
    const res = await fetch(`${tg.url}/admin/exchanges/${firstRun}/payload`, { headers: { authorization: `Bearer ${tg.keys.admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="MO-1-/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await res.arrayBuffer());
    const run = await api(`${tg.url}/v1/exchanges/${firstRun}`, tg.keys.admin);
    expect((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex')).toBe(run.body.payloadSha256);
    expectErrorBody(await api(`${tg.url}/admin/exchanges/${firstRun}/payload`, tg.keys.lookup), 403, 'FORBIDDEN');
    expectErrorBody(await api(`${tg.url}/admin/exchanges/${firstRun}/payload`, null), 401, 'UNAUTHENTICATED');
  });
});
