// FULL vs DELTA semantics (contract 6.4) with Macao JSON lists (6.3: tipo COMPLETA / PARCIAL), and the
// history they leave (4.1: `date` = valid time, `asKnownAt` = transaction time) — on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoOperator } from '../../src/sandbox/population.js';
import { ENGINES } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, decisionOf, expectRun, isoDay, lookup, makePki, moList, moOperator, partnerView, push, tempDir, trustAnchor, type TestPki } from './helpers.js';

let pki: TestPki;
beforeAll(() => {
  pki = makePki('MO');
});
afterAll(() => pki.remove());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An instant strictly between what happened before and what happens after. */
async function instantBetween(): Promise<string> {
  await sleep(25);
  const at = new Date().toISOString();
  await sleep(25);
  return at;
}

const [A, B, C, D, E, F, G] = ['200000001', '200000002', '200000003', '200000004', '200000005', '200000006', '200000007'];
const code = (n: string | undefined): string => `MO${n!}`;

const DAY1 = isoDay(-30);
const DAY2 = isoDay(-20);
const DAY3 = isoDay(-10);
const at = (day: string): string => `${day}T10:00:00+08:00`;

describe.each(ENGINES)('FULL and DELTA lists and their history (%s)', (engine) => {
  let tg: TestGateway;
  let certs: { dir: string; remove: () => void };
  let beforeFirst: string;
  let between12: string;
  let between23: string;
  let run1: string;
  let run2: string;
  let run3: string;
  const first: MoOperator[] = [A, B, C, D, E, F].map((n) => moOperator(n));
  const suspendedB = moOperator(B, { estado: 'SUSPENSO', estadoDesde: DAY2 });

  beforeAll(async () => {
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'MO', pki);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
  });

  afterAll(async () => {
    await tg?.close();
    certs?.remove();
  });

  it('applies a first FULL list (COMPLETA)', async () => {
    expect(await decisionOf(tg, code(A))).toBe('NO_DATA');
    beforeFirst = await instantBetween();
    const body = moList(1, first, { kind: 'FULL', generatedAt: at(DAY1) });
    expect(JSON.parse(body.toString('utf8')).tipo).toBe('COMPLETA');
    const res = await push(tg, 'MO', body, cmsSign(body, pki));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body).toMatchObject({ kind: 'FULL', sequence: 1, counts: { received: 6, added: 6, changed: 0, removed: 0, unchanged: 0, invalid: 0 } });
    run1 = res.body.id;
    for (const n of [A, B, C, D, E, F]) expect(await decisionOf(tg, code(n))).toBe('RECOGNISED');
    expect(await partnerView(tg, 'MO')).toMatchObject({ lastSequence: 1, operatorCount: 6 });
  });

  it('a DELTA list (PARCIAL) changes only the operators it lists', async () => {
    between12 = await instantBetween();
    const body = moList(2, [suspendedB, moOperator(G, { validoDesde: DAY2, estadoDesde: DAY2 })], { kind: 'DELTA', generatedAt: at(DAY2) });
    expect(JSON.parse(body.toString('utf8')).tipo).toBe('PARCIAL');
    const res = await push(tg, 'MO', body, cmsSign(body, pki));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body).toMatchObject({ kind: 'DELTA', sequence: 2, counts: { received: 2, added: 1, changed: 1, removed: 0, unchanged: 0, invalid: 0 } });
    run2 = res.body.id;

    // Absent from the DELTA: unchanged, still cited from list 1.
    for (const n of [A, C, D, E, F]) {
      const answer = await lookup(tg, code(n));
      expect(answer.body.decision, n).toBe('RECOGNISED');
      expect(answer.body.provenance.exchangeId).toBe(run1);
    }
    const b = await lookup(tg, code(B));
    expect(b.body).toMatchObject({ decision: 'SUSPENDED', operator: { status: 'SUSPENDED', statusSince: DAY2 }, provenance: { exchangeId: run2, sequence: 2 } });
    expect((await lookup(tg, code(G))).body).toMatchObject({ decision: 'RECOGNISED', provenance: { exchangeId: run2 } });
    expect(await partnerView(tg, 'MO')).toMatchObject({ lastSequence: 2, operatorCount: 7 });
  });

  it('answers the status on an earlier date, and what was known at an earlier instant', async () => {
    // Valid time: the suspension is dated DAY2.
    expect(await decisionOf(tg, code(B), { date: isoDay(-25) })).toBe('RECOGNISED');
    expect(await decisionOf(tg, code(B), { date: isoDay(-21) })).toBe('RECOGNISED');
    expect(await decisionOf(tg, code(B), { date: DAY2 })).toBe('SUSPENDED');
    // Transaction time: before list 2 arrived, B was recognised today and G unknown.
    expect(await decisionOf(tg, code(B), { asKnownAt: between12 })).toBe('RECOGNISED');
    expect(await decisionOf(tg, code(G), { asKnownAt: between12 })).toBe('NOT_LISTED');
    // Before any list: no data at all.
    expect(await decisionOf(tg, code(A), { asKnownAt: beforeFirst })).toBe('NO_DATA');
  });

  it('a FULL list revokes the operators it leaves out, as of its generatedAt date', async () => {
    between23 = await instantBetween();
    const body = moList(3, [moOperator(A), suspendedB, moOperator(D), moOperator(E), moOperator(F), moOperator(G, { validoDesde: DAY2, estadoDesde: DAY2 })], {
      kind: 'FULL',
      generatedAt: at(DAY3),
    });
    const res = await push(tg, 'MO', body, cmsSign(body, pki));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body.counts).toEqual({ received: 6, added: 0, changed: 0, removed: 1, unchanged: 6, invalid: 0 });
    run3 = res.body.id;

    const c = await lookup(tg, code(C));
    expect(c.body).toMatchObject({ decision: 'REVOKED', recognised: false, operator: { status: 'REVOKED', statusSince: DAY3 }, provenance: { exchangeId: run3, sequence: 3 } });
    expect(await decisionOf(tg, code(C), { date: isoDay(-11) })).toBe('RECOGNISED');
    expect(await decisionOf(tg, code(C), { date: DAY3 })).toBe('REVOKED');
    expect(await decisionOf(tg, code(C), { asKnownAt: between23 })).toBe('RECOGNISED');
    // The others did not move.
    expect(await decisionOf(tg, code(B))).toBe('SUSPENDED');
    for (const n of [A, D, E, F, G]) expect(await decisionOf(tg, code(n))).toBe('RECOGNISED');
    expect(await partnerView(tg, 'MO')).toMatchObject({ lastSequence: 3, operatorCount: 6 });
  });

  it('an operator that comes back in a later list is listed again', async () => {
    const body = moList(4, [moOperator(C, { estadoDesde: isoDay(-5) })], { kind: 'DELTA', generatedAt: at(isoDay(-5)) });
    const res = await push(tg, 'MO', body, cmsSign(body, pki));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body.counts).toMatchObject({ received: 1, added: 1, changed: 0, removed: 0 });
    expect(await decisionOf(tg, code(C))).toBe('RECOGNISED');
    expect(await decisionOf(tg, code(C), { date: isoDay(-7) })).toBe('REVOKED');
    expect(await partnerView(tg, 'MO')).toMatchObject({ lastSequence: 4, operatorCount: 7 });
  });
});
