// Payload schemas: strict, problems located by record index and pointer, bounded on huge bad lists.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from './load.js';
import { parsePayload } from './parse.js';
import { MAX_PROBLEMS } from './problems.js';
import {
  bytesOf,
  EU_SAMPLE_OPERATOR,
  euOperators,
  euParsed,
  euXml,
  HK_SAMPLE_RECORD,
  hkMessage,
  MO_SAMPLE_RECORD,
  moMessage,
  REPO_PARTNERS_DIR,
  REPO_SCHEMAS_DIR,
  type EuOperatorXml,
} from './samples.fixture.js';
import type { PartnerDefinition } from './types.js';
import { compilePayloadValidator, findItemsSchema } from './validate.js';

let eu: PartnerDefinition;
let hk: PartnerDefinition;
let mo: PartnerDefinition;

beforeAll(async () => {
  const defs = await loadCatalog(REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR);
  [eu, hk, mo] = defs as [PartnerDefinition, PartnerDefinition, PartnerDefinition];
});

async function euProblems(operators: EuOperatorXml[], recordCount?: number): Promise<ReturnType<PartnerDefinition['validatePayload']>> {
  const parsed = await parsePayload(bytesOf(euXml(operators, recordCount)), 'xml', eu.manifest.xml);
  return eu.validatePayload(parsed);
}

describe('EU payload schema', () => {
  it('a bad EORI is reported with the record index and the pointer inside the record', async () => {
    const ops = euOperators(3);
    ops[1] = { ...ops[1]!, EORI: 'US123' };
    const problems = await euProblems(ops);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ record: 1, path: '/EORI' });
    expect(problems[0]!.message).toMatch(/pattern/);
  });

  it('Greek EORIs use EL; GR is accepted as well', async () => {
    expect(await euProblems([{ ...EU_SAMPLE_OPERATOR, EORI: 'EL123456789', AuthorisationNumber: 'ELAEOS 0001/2020', Country: 'GR' }])).toEqual([]);
  });

  it('missing and unknown elements are named by their own pointer', async () => {
    const parsed = (await parsePayload(bytesOf(euXml()), 'xml', eu.manifest.xml)) as { Operator: Record<string, unknown>[] };
    const op = parsed.Operator[0]!;
    delete op.Name;
    op.Extra = 'x';
    (op.Address as Record<string, unknown>).Country = 'Germany';
    const problems = eu.validatePayload(parsed);
    expect(problems.map((p) => [p.record, p.path])).toEqual(
      expect.arrayContaining([
        [0, '/Name'],
        [0, '/Extra'],
        [0, '/Address/Country'],
      ]),
    );
  });

  it('header problems have record null and the full pointer', async () => {
    const parsed = (await parsePayload(bytesOf(euXml()), 'xml', eu.manifest.xml)) as Record<string, unknown>;
    parsed.sequence = '-1';
    parsed.receiver = 'US';
    const problems = eu.validatePayload(parsed);
    expect(problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ record: null, path: '/sequence' }), expect.objectContaining({ record: null, path: '/receiver' })]),
    );
  });

  it('unknown status words and tiers are schema problems', async () => {
    const problems = await euProblems([{ ...EU_SAMPLE_OPERATOR, Status: 'EXPIRED', AuthorisationType: 'AEOX' }]);
    expect(problems.map((p) => p.path).sort()).toEqual(['/AuthorisationType', '/Status']);
  });

  it('an empty list is valid at this stage (the empty-list guard is elsewhere)', async () => {
    expect(await euProblems([], 0)).toEqual([]);
  });

  it('the parsed-form fixture is what the XML parses to', async () => {
    const ops = euOperators(3);
    expect(await parsePayload(bytesOf(euXml(ops)), 'xml', eu.manifest.xml)).toEqual(euParsed(ops));
  });

  it('one bad record among 100 000 is found, with its index', () => {
    const ops = euOperators(100_000);
    ops[73_210] = { ...ops[73_210]!, StatusDate: '2019-02-30' };
    const problems = eu.validatePayload(euParsed(ops));
    expect(problems).toEqual([expect.objectContaining({ record: 73_210, path: '/StatusDate' })]);
  });
});

describe('HK and MO payload schemas', () => {
  it('HK: aeoNumber, tier and status are checked', () => {
    const message = hkMessage([{ ...HK_SAMPLE_RECORD, aeoNumber: '12345', tier: 3, status: 'active' }]);
    expect(hk.validatePayload(message).map((p) => [p.record, p.path])).toEqual([
      [0, '/aeoNumber'],
      [0, '/tier'],
      [0, '/status'],
    ]);
  });

  it('HK: zh is optional, en is not', () => {
    expect(hk.validatePayload(hkMessage([{ ...HK_SAMPLE_RECORD, companyName: { en: 'X' } }]))).toEqual([]);
    const noEn = hkMessage([{ ...HK_SAMPLE_RECORD, companyName: { zh: '海港' } as unknown as { en: string } }]);
    expect(hk.validatePayload(noEn)).toEqual([expect.objectContaining({ record: 0, path: '/companyName/en' })]);
  });

  it('HK: a fractional or negative sequence is refused', () => {
    const message = hkMessage();
    message.header.sequence = 1.5;
    expect(hk.validatePayload(message)).toEqual([expect.objectContaining({ record: null, path: '/header/sequence' })]);
  });

  it('MO: numeroAEO has 9 digits, grau is A or B, tipo is COMPLETA or PARCIAL', () => {
    const message = { ...moMessage([{ ...MO_SAMPLE_RECORD, numeroAEO: '12345678', grau: 'C' }]), tipo: 'FULL' };
    expect(mo.validatePayload(message).map((p) => [p.record, p.path])).toEqual([
      [null, '/tipo'],
      [0, '/numeroAEO'],
      [0, '/grau'],
    ]);
  });

  it('a generatedAt without a zone is refused', () => {
    expect(mo.validatePayload({ ...moMessage(), geradoEm: '2026-11-20T03:00:00' })).toEqual([
      expect.objectContaining({ record: null, path: '/geradoEm' }),
      expect.objectContaining({ record: null, path: '/geradoEm' }),
    ]);
  });
});

describe('bounded reporting', () => {
  it(`100 000 records all bad: at most ${MAX_PROBLEMS} problems, quickly`, () => {
    const bad = Array.from({ length: 100_000 }, () => ({ aeoNumber: 'x', tier: 9, status: 'NO', extra: true }));
    const message = { ...hkMessage(), aeos: bad };
    const started = performance.now();
    const problems = hk.validatePayload(message);
    const elapsed = performance.now() - started;
    expect(problems).toHaveLength(MAX_PROBLEMS);
    expect(problems[0]!.record).toBe(0);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('a schema the record split cannot follow still reports (one allErrors pass)', () => {
    const schema = {
      type: 'object',
      properties: { list: { anyOf: [{ type: 'array', items: { type: 'integer' } }] } },
    };
    expect(findItemsSchema(schema, ['list'])).toBeNull();
    const validate = compilePayloadValidator(schema, '/list');
    expect(validate({ list: [1, 'two', 3] })).toEqual(expect.arrayContaining([expect.objectContaining({ record: 1, path: '' })]));
  });

  it('follows local $refs to the records item schema', () => {
    const schema = {
      $id: 'urn:test:refs',
      type: 'object',
      properties: { body: { $ref: '#/$defs/body' } },
      $defs: {
        body: { type: 'object', properties: { rows: { type: 'array', items: { $ref: '#/$defs/row' } } } },
        row: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      },
    };
    expect(findItemsSchema(schema, ['body', 'rows'])).toEqual(['$defs', 'body', 'properties', 'rows', 'items']);
    const validate = compilePayloadValidator(schema, '/body/rows');
    expect(validate({ body: { rows: [{ id: 'a' }, {}] } })).toEqual([{ record: 1, path: '/id', message: "must have required property 'id'" }]);
  });
});
