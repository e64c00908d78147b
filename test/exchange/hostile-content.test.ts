// Hostile partner content (issue 13, items 2, 3 and 11): schema-valid lists whose values the database
// cannot hold, and signatures that must not count. Each is pushed signed, over real HTTP, on both
// engines: the run ends REJECTED with a reason (the record and path named), never FAILED/INTERNAL or
// a 5xx, the published data is unchanged, and the next good list still applies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDetachedCms } from '../../src/crypto/index.js';
import { sandboxPopulation, type MoOperator } from '../../src/sandbox/population.js';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  cmsSign,
  euList,
  euOperators,
  expectErrorBody,
  expectRun,
  expectUnchanged,
  getExchange,
  hkList,
  isoDay,
  makePki,
  moList,
  moOperator,
  partnerView,
  push,
  snapshot,
  tempDir,
  trustAnchor,
  type ApiResult,
  type Partner,
  type TestPki,
} from './helpers.js';

const MO_GENERATED = `${isoDay(-1)}T03:00:00+08:00`;
const MO_OPS: MoOperator[] = [moOperator('100000001'), moOperator('100000002'), moOperator('100000003')];
const WATCH = MO_OPS.map((op) => `MO${op.numeroAEO}`);

/** The MO list with record `i` changed: what a partner whose export went wrong would send. */
function moWith(i: number, change: Partial<MoOperator>, opts: { generatedAt?: string } = {}): Buffer {
  return moList(2, MO_OPS.map((op, k) => (k === i ? { ...op, ...change } : op)), { generatedAt: opts.generatedAt ?? MO_GENERATED });
}

/** Bytes of a JSON list with `edit` applied to its parsed form (keys the renderer would never write). */
function editJson(bytes: Buffer, edit: (message: Record<string, any>) => void): Buffer {
  const message = JSON.parse(bytes.toString('utf8')) as Record<string, any>;
  edit(message);
  return Buffer.from(JSON.stringify(message), 'utf8');
}

interface Hostile {
  name: string;
  partner: Partner;
  body: () => Buffer;
  /** Acceptable reasons: the XML parser may refuse a character before the value check sees it. */
  reasons: string[];
  /** Where the problem is, when the reason is SCHEMA_INVALID. */
  problem?: { record: number | null; path: string };
  received?: number;
}

const HOSTILE: Hostile[] = [
  { name: 'a NUL in a JSON name (\\u0000)', partner: 'MO', body: () => moWith(1, { denominacao: { pt: 'Nul\u0000Lda', zh: '測試' } }), reasons: ['SCHEMA_INVALID'], problem: { record: 1, path: '/denominacao/pt' }, received: 3 },
  { name: 'a C0 control XML 1.0 forbids (U+0007) in a name', partner: 'MO', body: () => moWith(2, { denominacao: { pt: 'Bell\u0007Lda', zh: '測試' } }), reasons: ['SCHEMA_INVALID'], problem: { record: 2, path: '/denominacao/pt' }, received: 3 },
  { name: 'the non-character U+FFFF in a name', partner: 'MO', body: () => moWith(0, { denominacao: { pt: 'Max\uFFFFLda', zh: '測試' } }), reasons: ['SCHEMA_INVALID'], problem: { record: 0, path: '/denominacao/pt' }, received: 3 },
  { name: 'a lone surrogate (\\ud800) in a name', partner: 'MO', body: () => moWith(0, { denominacao: { pt: 'Half\ud800Lda', zh: '測試' } }), reasons: ['SCHEMA_INVALID'], problem: { record: 0, path: '/denominacao/pt' }, received: 3 },
  { name: 'a status date in the year 0000', partner: 'MO', body: () => moWith(1, { estadoDesde: '0000-01-01' }), reasons: ['SCHEMA_INVALID'], problem: { record: 1, path: '/estadoDesde' }, received: 3 },
  { name: 'a validity end that is no calendar date (2023-02-29)', partner: 'MO', body: () => moWith(2, { validoAte: '2023-02-29' }), reasons: ['SCHEMA_INVALID'], problem: { record: 2, path: '/validoAte' }, received: 3 },
  { name: 'a generatedAt in the year 0000 (the run must still end)', partner: 'MO', body: () => moWith(0, {}, { generatedAt: '0000-01-01T00:00:00Z' }), reasons: ['SCHEMA_INVALID'], problem: { record: null, path: '/geradoEm' }, received: 3 },
  {
    name: 'a NUL in a JSON key (the problem path quotes it)',
    partner: 'MO',
    body: () => editJson(moWith(0, {}), (m) => (m.operadores[1]['x\u0000y'] = 1)),
    reasons: ['SCHEMA_INVALID'],
    received: 3,
  },
  {
    name: 'a NUL in an HK name',
    partner: 'HK',
    body: () => {
      const [op] = sandboxPopulation('HK', 0, { size: 1 });
      return hkList(1, [{ ...op!, companyName: { en: 'Harbour\u0000Ltd', zh: '海港' } }], { generatedAt: MO_GENERATED });
    },
    reasons: ['SCHEMA_INVALID'],
    problem: { record: 0, path: '/companyName/en' },
    received: 1,
  },
  ...(['\u0000', '&#x1;', '&#0;', '\u0001'] as const).map(
    (evil): Hostile => ({
      name: `an EU name holding ${JSON.stringify(evil)} (raw byte or character reference)`,
      partner: 'EU',
      body: () => euWithName(evil),
      reasons: ['SCHEMA_INVALID', 'PAYLOAD_MALFORMED'],
    }),
  ),
];

/** An EU list whose one operator's name holds `evil` verbatim (raw bytes, or a reference the renderer would escape). */
function euWithName(evil: string): Buffer {
  const ops = euOperators(3).map((op, i) => (i === 1 ? { ...op, Name: 'PLACEHOLDER' } : op));
  const xml = euList(2, ops, { generatedAt: `${isoDay(-1)}T01:00:00Z` }).toString('utf8');
  return Buffer.from(xml.replace('PLACEHOLDER', `Evil${evil}Name`), 'utf8');
}

describe.each(ENGINES)('hostile partner content (%s)', (engine) => {
  let tg: TestGateway;
  const pki: Partial<Record<Partner, TestPki>> = {};
  let certs: { dir: string; remove: () => void };

  beforeAll(async () => {
    certs = tempDir('hostile');
    for (const p of ['EU', 'HK', 'MO'] as const) {
      pki[p] = makePki(p);
      trustAnchor(certs.dir, p, pki[p]);
    }
    tg = await startTestGateway({ engine, certsDir: certs.dir });
    const first = moList(1, MO_OPS, { generatedAt: `${isoDay(-2)}T03:00:00+08:00` });
    expectRun(await push(tg, 'MO', first, cmsSign(first, pki.MO!)), 200, 'APPLIED', null);
  });
  afterAll(async () => {
    await tg?.close();
    for (const p of Object.values(pki)) p.remove();
    certs?.remove();
  });

  const expectClosedRun = async (res: ApiResult, reasons: string[]): Promise<void> => {
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.outcome).toBe('REJECTED');
    expect(reasons).toContain(res.body.reason);
    // The run is closed and shows as such from outside too.
    const stored = await getExchange(tg, res.body.id as string);
    expect(stored.body).toMatchObject({ outcome: 'REJECTED', reason: res.body.reason });
    expect(typeof stored.body.finishedAt).toBe('string');
    expect(typeof stored.body.reasonMessage).toBe('string');
  };

  for (const h of HOSTILE) {
    it(`${h.name}: REJECTED, the run closed, nothing applied`, async () => {
      const before = await snapshot(tg, 'MO', WATCH);
      const body = h.body();
      const res = await push(tg, h.partner, body, cmsSign(body, pki[h.partner]!));
      await expectClosedRun(res, h.reasons);
      if (res.body.reason === 'SCHEMA_INVALID') {
        expect(res.body.problems.length).toBeGreaterThan(0);
        if (h.problem) expect(res.body.problems[0]).toMatchObject(h.problem);
        // Stored problems hold only storable text, whatever the partner wrote.
        expect(JSON.stringify(res.body.problems)).not.toMatch(/\\u0000/);
      }
      if (h.received !== undefined) expect(res.body.counts).toMatchObject({ received: h.received, added: 0 });
      expect((await partnerView(tg, h.partner)).lastOutcome).toBe('REJECTED');
      await expectUnchanged(tg, 'MO', before);
    });
  }

  it('a CA certificate (basicConstraints CA:TRUE) does not sign lists, even one of the partner anchors', async () => {
    const body = moWith(0, {});
    const res = await push(tg, 'MO', body, signDetachedCms(body, pki.MO!.ca));
    await expectClosedRun(res, ['SIGNER_UNTRUSTED']);
  });

  it('a signingTime years ahead of the clock is refused', async () => {
    const body = moWith(0, {});
    const res = await push(tg, 'MO', body, signDetachedCms(body, pki.MO!.signer, new Date(Date.now() + 3 * 365 * 86_400_000)));
    await expectClosedRun(res, ['SIGNATURE_INVALID']);
    expect(res.body.reasonMessage).toMatch(/signingTime/);
  });

  it('an admin body the database could not hold is a 400, and nothing is stored', async () => {
    const current = await api(`${tg.url}/v1/agreements/CN-MO`, tg.keys.admin);
    expect(current.status).toBe(200);
    const { status: _s, exchange: _e, ...facts } = current.body as Record<string, unknown>;
    void _s;
    void _e;
    for (const name of ['Macao\u0000', 'Macao\u0007', 'Macao\ud800']) {
      const res = await api(`${tg.url}/admin/agreements/CN-MO`, tg.keys.admin, { method: 'PUT', body: { ...facts, name } });
      expectErrorBody(res, 400, 'INVALID_BODY');
    }
    const key = await api(`${tg.url}/admin/agreements/CN-MO`, tg.keys.admin, { method: 'PUT', body: { ...facts, ['n\u0000']: 1 } });
    expectErrorBody(key, 400, 'INVALID_BODY');
    const revisions = await api(`${tg.url}/admin/agreements/CN-MO/revisions`, tg.keys.admin);
    expect(revisions.body.revisions).toEqual([]);
  });

  it('after all of it the partner is not stuck: the next good list applies', async () => {
    const good = moList(2, [...MO_OPS, moOperator('100000009')], { generatedAt: MO_GENERATED });
    const res = await push(tg, 'MO', good, cmsSign(good, pki.MO!));
    expectRun(res, 200, 'APPLIED', null);
    expect(res.body.counts).toMatchObject({ received: 4, added: 1, unchanged: 3 });
  });
});
