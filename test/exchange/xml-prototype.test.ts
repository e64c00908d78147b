// `__proto__`, `constructor` and `prototype` as XML element and attribute names in a signed EU list,
// end to end: the parser, the schema check and the mapping treat them as data. Nothing reaches
// Object.prototype, the run ends with a coded outcome, and a clean list still applies afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { decisionOf, euList, euOperators, isoDay, makePki, opensslSign, push, tempDir, trustAnchor, type TestPki } from './helpers.js';

const OPS = euOperators(3);
const FIRST_EORI = OPS[0]!.EORI;

/** A list whose XML text is changed by `edit` (after rendering, before signing). */
const hostile = (sequence: number, edit: (xml: string) => string): Buffer =>
  Buffer.from(edit(euList(sequence, OPS, { generatedAt: `${isoDay(-1)}T01:00:00Z` }).toString('utf8')));

const inFirstOperator = (inner: string) => (xml: string) => xml.replace('<Operator>', `<Operator>${inner}`);

/** [case, edit, reason, the problem path that names the key (schema cases)]. */
const CASES: [string, (xml: string) => string, string, string | null][] = [
  ['element __proto__ in a record', inFirstOperator('<__proto__><polluted>yes</polluted></__proto__>'), 'SCHEMA_INVALID', '/__proto__'],
  ['element constructor/prototype in a record', inFirstOperator('<constructor><prototype><polluted>yes</polluted></prototype></constructor>'), 'SCHEMA_INVALID', '/constructor'],
  ['element __proto__ beside the records', (xml) => xml.replace('</AEOList>', '<__proto__ polluted="yes">yes</__proto__></AEOList>'), 'SCHEMA_INVALID', '/__proto__'],
  ['attribute constructor on the root', (xml) => xml.replace('<AEOList ', '<AEOList constructor="polluted" '), 'SCHEMA_INVALID', '/constructor'],
  ['attribute prototype on a record', (xml) => xml.replace('<Operator>', '<Operator prototype="x">'), 'SCHEMA_INVALID', '/prototype'],
  // An attribute named __proto__ cannot be held as data by the parser: refused outright.
  ['attribute __proto__ on the root', (xml) => xml.replace('<AEOList ', '<AEOList __proto__="polluted" '), 'PAYLOAD_MALFORMED', null],
  ['attribute __proto__ on a record', (xml) => xml.replace('<Operator>', '<Operator __proto__="polluted">'), 'PAYLOAD_MALFORMED', null],
  ['an EORI that reads __proto__', (xml) => xml.replace(`<EORI>${FIRST_EORI}</EORI>`, '<EORI>__proto__</EORI>'), 'SCHEMA_INVALID', '/EORI'],
];

function expectPrototypeClean(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

describe.each(ENGINES)('prototype-named XML in a signed EU list (%s)', (engine) => {
  let tg: TestGateway;
  let pki: TestPki;
  let certs: { dir: string; remove: () => void };

  beforeAll(async () => {
    pki = makePki('EU');
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', pki);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
  });
  afterAll(async () => {
    await tg?.close();
    certs?.remove();
    pki?.remove();
  });

  it.each(CASES.map(([name, edit, reason, path], i) => [name, reason, edit, path, i + 1] as const))(
    '%s: REJECTED %s, nothing polluted',
    async (_name, reason, edit, path, sequence) => {
      const body = hostile(sequence, edit);
      const res = await push(tg, 'EU', body, opensslSign(body, pki));
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ outcome: 'REJECTED', reason });
      if (path !== null) expect(res.body.problems.map((p: { path: string }) => p.path)).toContain(path);
      expectPrototypeClean();
      // Nothing of it was applied.
      expect(await decisionOf(tg, FIRST_EORI)).toBe('NO_DATA');
    },
  );

  it('then applies a clean list, and lookups answer', async () => {
    const body = euList(CASES.length + 1, OPS, { generatedAt: `${isoDay(-1)}T02:00:00Z` });
    const res = await push(tg, 'EU', body, opensslSign(body, pki));
    expect(res.body.outcome).toBe('APPLIED');
    expect(await decisionOf(tg, FIRST_EORI)).toBe('RECOGNISED');
    expectPrototypeClean();
  });
});
