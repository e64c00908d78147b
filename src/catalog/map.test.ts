// The generic mapping: value maps, templates, fallbacks, checks and list-level rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from './load.js';
import { compileMapping, mapMessage, type CompiledMapping } from './map.js';
import {
  EU_SAMPLE_OPERATOR,
  euOperators,
  euParsed,
  HK_SAMPLE_RECORD,
  hkMessage,
  MO_SAMPLE_RECORD,
  moMessage,
  REPO_PARTNERS_DIR,
  REPO_SCHEMAS_DIR,
} from './samples.fixture.js';
import type { MappingSpec, PartnerDefinition } from './types.js';

const OPTIONS = { fallbackDate: '2026-11-20', economyAliases: { EL: 'GR' } };
let eu: PartnerDefinition;
let hk: PartnerDefinition;
let mo: PartnerDefinition;

beforeAll(async () => {
  [eu, hk, mo] = (await loadCatalog(REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR)) as [PartnerDefinition, PartnerDefinition, PartnerDefinition];
});

const mapEu = (operators = [EU_SAMPLE_OPERATOR], recordCount?: number): ReturnType<typeof mapMessage> =>
  mapMessage(euParsed(operators, recordCount), eu.mapping, OPTIONS);

describe('mapMessage: record fields', () => {
  it('an unknown status word is a problem at the status pointer, and the record is not returned', () => {
    const result = mapEu([{ ...EU_SAMPLE_OPERATOR, Status: 'EXPIRED' }]);
    expect(result.problems).toEqual([{ record: 0, path: '/Status', message: 'has a value the partner mapping does not know' }]);
    expect(result.records).toEqual([]);
  });

  it('partner words never reach Object.prototype', () => {
    expect(mapEu([{ ...EU_SAMPLE_OPERATOR, Status: 'constructor' }]).problems).toHaveLength(1);
  });

  it('ANNULLED is REVOKED, with the partner word kept', () => {
    const [record] = mapEu([{ ...EU_SAMPLE_OPERATOR, Status: 'ANNULLED' }]).records;
    expect(record).toMatchObject({ status: 'REVOKED', partnerStatus: 'ANNULLED' });
  });

  it('aliases are normalised, and dropped when empty or equal to the declared code', () => {
    const spaced = mapEu([{ ...EU_SAMPLE_OPERATOR, AuthorisationNumber: 'de aeof 00025/08' }]).records[0];
    expect(spaced?.aliases).toEqual(['DEAEOF00025/08']);
    const empty = mapEu([{ ...EU_SAMPLE_OPERATOR, AuthorisationNumber: '' }]).records[0];
    expect(empty?.aliases).toEqual([]);
    const same = mapEu([{ ...EU_SAMPLE_OPERATOR, AuthorisationNumber: EU_SAMPLE_OPERATOR.EORI }]).records[0];
    expect(same?.aliases).toEqual([]);
  });

  it('statusSince falls back to the given date when the record has none; validUntil is null when absent', () => {
    const noDate = { ...hkMessage(), aeos: [{ ...HK_SAMPLE_RECORD, statusChangedOn: undefined }] };
    const [record] = mapMessage(JSON.parse(JSON.stringify(noDate)), hk.mapping, OPTIONS).records;
    expect(record).toMatchObject({ statusSince: '2026-11-20', validUntil: null });
  });

  it('numbers are stringified before a value-map lookup (HK tier 2 → TIER2)', () => {
    expect(mapMessage(hkMessage(), hk.mapping, OPTIONS).records[0]?.tier).toBe('TIER2');
  });

  it('a declared code template without its value is a problem, not "HK"', () => {
    const message = { ...hkMessage(), aeos: [{ ...HK_SAMPLE_RECORD, aeoNumber: '' }] };
    const result = mapMessage(message, hk.mapping, OPTIONS);
    expect(result.problems).toEqual(expect.arrayContaining([{ record: 0, path: '/aeoNumber', message: 'is missing' }]));
  });

  it('an object where text is expected is a problem', () => {
    const message = moMessage([{ ...MO_SAMPLE_RECORD, denominacao: { pt: { nested: 1 } as unknown as string } }]);
    expect(mapMessage(message, mo.mapping, OPTIONS).problems).toEqual([{ record: 0, path: '/denominacao/pt', message: 'must be a text or a number' }]);
  });

  it('a date field that is not YYYY-MM-DD is a problem', () => {
    const message = moMessage([{ ...MO_SAMPLE_RECORD, validoAte: '31/05/2026' }]);
    expect(mapMessage(message, mo.mapping, OPTIONS).problems).toEqual([{ record: 0, path: '/validoAte', message: 'must be a date (YYYY-MM-DD)' }]);
  });
});

describe('mapMessage: checks and list rules', () => {
  it('Country must be the economy of the EORI', () => {
    const result = mapEu([{ ...EU_SAMPLE_OPERATOR, Country: 'FR' }]);
    expect(result.problems).toEqual([{ record: 0, path: '/Address/Country', message: 'must be the economy of the declared code' }]);
  });

  it('an EL EORI with Country GR (or EL) passes through the agreement alias', () => {
    const greek = { ...EU_SAMPLE_OPERATOR, EORI: 'EL094019245', AuthorisationNumber: 'ELAEOF0001' };
    expect(mapEu([{ ...greek, Country: 'GR' }]).problems).toEqual([]);
    expect(mapEu([{ ...greek, Country: 'EL' }]).problems).toEqual([]);
    expect(mapMessage(euParsed([{ ...greek, Country: 'GR' }]), eu.mapping, { fallbackDate: '2026-11-20' }).problems).toHaveLength(1);
  });

  it('a repeated EORI is a problem on the later record, naming the earlier one', () => {
    const ops = euOperators(3);
    ops[2] = { ...ops[2]!, EORI: ops[0]!.EORI };
    const result = mapEu(ops);
    expect(result.problems).toEqual([{ record: 2, path: '/EORI', message: 'repeats the code of record 0' }]);
  });

  it('an alias equal to another record’s code is a repeat too', () => {
    const ops = euOperators(2);
    ops[1] = { ...ops[1]!, AuthorisationNumber: ops[0]!.AuthorisationNumber };
    expect(mapEu(ops).problems).toEqual([{ record: 1, path: '/AuthorisationNumber', message: 'repeats the code of record 0' }]);
  });

  it('recordCount must equal the number of records', () => {
    expect(mapEu(euOperators(2), 3).problems).toEqual([{ record: null, path: '/recordCount', message: 'says 3 records but the list holds 2' }]);
  });

  it('a sequence that is not a safe integer is a problem', () => {
    const parsed = { ...euParsed([EU_SAMPLE_OPERATOR]), sequence: '90071992547409931' };
    expect(mapMessage(parsed, eu.mapping, OPTIONS).problems).toEqual([
      { record: null, path: '/sequence', message: 'must be a non-negative integer no larger than 2^53 - 1' },
    ]);
  });

  it('a list kind the mapping does not know is a problem', () => {
    expect(mapMessage({ ...moMessage(), tipo: 'TOTAL' }, mo.mapping, OPTIONS).problems).toEqual([
      { record: null, path: '/tipo', message: 'is not a list kind the partner mapping knows' },
    ]);
  });

  it('an empty list with recordCount 0 maps without problems', () => {
    const result = mapEu([], 0);
    expect(result).toMatchObject({ problems: [], records: [] });
    expect(result.header.recordCount).toBe(0);
  });

  it('a fallback-date function that cannot read generatedAt is a header problem', () => {
    const result = mapMessage(hkMessage(), hk.mapping, {
      fallbackDate: () => {
        throw new Error('bad');
      },
    });
    expect(result.problems).toEqual([{ record: null, path: '/header/generatedAt', message: 'is not a date-time the gateway can read' }]);
  });

  // Speed is measured in bench/ (never timed here): this checks that a list of realistic size maps whole.
  it('maps 100 000 records, every one of them', () => {
    const aeos = Array.from({ length: 100_000 }, (_, i) => ({ ...HK_SAMPLE_RECORD, aeoNumber: String(100000000000000 + i) }));
    const message = JSON.parse(JSON.stringify(hkMessage(aeos))) as unknown;
    const result = mapMessage(message, hk.mapping, OPTIONS);
    expect(result.problems).toEqual([]);
    expect(result.records).toHaveLength(100_000);
    expect(result.records[99_999]!.partnerId).toBe(String(100000000000000 + 99_999));
  });
});

describe('compileMapping', () => {
  const base = (): MappingSpec => structuredClone<MappingSpec>(hk.manifest.mapping);

  it('refuses a template without a placeholder or with a broken one', () => {
    expect(() => compileMapping({ ...base(), record: { ...base().record, declaredCode: { template: 'HK' } } })).toThrow(/no \{pointer\} placeholder/);
    expect(() => compileMapping({ ...base(), record: { ...base().record, aliases: ['X{/a'] } })).toThrow(/unmatched brace/);
  });

  it('refuses status and kind values outside our vocabulary', () => {
    const spec = base();
    (spec.record.status.map as Record<string, string>).ACTIVE = 'ACTIVE';
    expect(() => compileMapping(spec)).toThrow(/not VALID, SUSPENDED or REVOKED/);
  });

  it('knows when the declared code is built from the partnerId alone', () => {
    expect(hk.mapping.partnerIdInCode).toBe(true);
    const other: CompiledMapping = compileMapping({ ...base(), record: { ...base().record, declaredCode: { template: 'HK{/address}' } } });
    expect(other.partnerIdInCode).toBe(false);
  });

  it('with an independent declared code, a repeated partnerId is still found', () => {
    const mapping = compileMapping({ ...base(), record: { ...base().record, declaredCode: { template: 'HK{/certifiedOn}{/aeoNumber}' } } });
    const aeos = [HK_SAMPLE_RECORD, { ...HK_SAMPLE_RECORD, certifiedOn: '2017-01-01' }];
    expect(mapMessage(hkMessage(aeos), mapping, OPTIONS).problems).toEqual([{ record: 1, path: '/aeoNumber', message: 'repeats the code of record 0' }]);
  });
});
