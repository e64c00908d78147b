// The agreement registry data (partners/agreements.json) against its schemas and the reference facts.
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Agreement } from '../domain/types.js';

// ajv and ajv-formats are CommonJS; under NodeNext their default import is `module.exports`,
// which carries the real export again as `.default` (at run time and in the types).
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as unknown;
}

const agreementSchema = readJson('../../schemas/agreement.schema.json') as Record<string, unknown>;
const fileSchema = readJson('../../schemas/agreements.schema.json') as Record<string, unknown>;
const file = readJson('../../partners/agreements.json');

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema(agreementSchema);
const validateAgreement = ajv.getSchema('https://aeo-gateway.local/schemas/agreement.schema.json')!;
const validateFile = ajv.compile(fileSchema);

const agreements = (file as { agreements: Agreement[] }).agreements;
const byId = new Map(agreements.map((a) => [a.id, a]));
const get = (id: string): Agreement => {
  const a = byId.get(id);
  if (!a) throw new Error(`no agreement ${id}`);
  return a;
};

const EU_MEMBERS = ['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK'];

/** The economy prefixes a pattern allows: `^(AT|BE|...)...` or `^SG...`. */
function patternPrefixes(pattern: string): string[] {
  const group = /^\^\(([A-Z|]+)\)/.exec(pattern);
  if (group) return group[1]!.split('|');
  const single = /^\^([A-Z]{2})/.exec(pattern);
  return single ? [single[1]!] : [];
}

describe('partners/agreements.json', () => {
  it('is valid against schemas/agreements.schema.json', () => {
    const ok = validateFile(file);
    expect(validateFile.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('holds the 31 identified agreements in the reference order, ids = CN- + partner, unique', () => {
    expect(agreements).toHaveLength(31);
    expect(agreements.map((a) => a.partner)).toEqual([
      'SG', 'KR', 'HK', 'EU', 'CH', 'NZ', 'IL', 'AU', 'JP', 'BY', 'UY', 'KZ', 'MN', 'AE', 'BR', 'GB',
      'RS', 'CL', 'IR', 'UG', 'ZA', 'RU', 'PH', 'CR', 'MO', 'UZ', 'BI', 'IS', 'BJ', 'EC', 'TH',
    ]);
    for (const a of agreements) expect(a.id).toBe(`CN-${a.partner}`);
    expect(new Set(agreements.map((a) => a.id)).size).toBe(31);
  });

  it('covers 57 distinct economies, none in two agreements', () => {
    const all = agreements.flatMap((a) => a.economies);
    expect(all).toHaveLength(57);
    expect(new Set(all).size).toBe(57);
    for (const a of agreements) {
      if (a.partner !== 'EU') expect(a.economies).toEqual([a.partner]);
    }
  });

  it('EU: the 27 member states, AEOS and AEOF only, EL accepted for GR', () => {
    const eu = get('CN-EU');
    expect([...eu.economies].sort()).toEqual(EU_MEMBERS);
    expect(eu.economies).not.toContain('EL');
    expect(eu.recognisedTiers).toEqual(['AEOS', 'AEOF']);
    expect(eu.economyAliases).toEqual({ EL: 'GR' });
    expect(eu.inForceOn).toBe('2015-11-01');
    const pattern = new RegExp(eu.declaredCode.pattern);
    expect(pattern.test('DE123456789012345')).toBe(true);
    expect(pattern.test('EL123456789')).toBe(true);
    expect(pattern.test('GR123456789')).toBe(true);
    expect(pattern.test('US123456789')).toBe(false);
    expect(pattern.test('DE1234567890123456')).toBe(false); // 16 after the prefix
    const alias = eu.declaredCode.aliasPatterns.map((p) => new RegExp(p));
    expect(alias).toHaveLength(1);
    expect(alias[0]!.test('DEAEOF00025/08')).toBe(true);
    expect(alias[0]!.test('ELAEOS1234')).toBe(true);
    expect(alias[0]!.test('USAEOF00025/08')).toBe(false);
  });

  it('reference dates and tiers of HK, MO, AU, GB and the signed-only agreements', () => {
    expect(get('CN-HK').recognisedTiers).toEqual(['TIER1', 'TIER2']);
    expect(get('CN-HK').inForceOn).toBe('2014-05-18');
    expect(get('CN-HK').notes).toContain('2014-09-01');
    expect(get('CN-MO').recognisedTiers).toEqual(['A']);
    expect(get('CN-MO').inForceOn).toBe('2023-06-01');
    expect(get('CN-AU').inForceOn).toBe('2023-12-14');
    expect(get('CN-GB').inForceOn).toBe('2020-02-01');
    expect(get('CN-GB').confidence).toBe('L');
    expect(get('CN-SG').signedOn).toBe('2012-06');
    expect(get('CN-KZ').signedOn).toBe('2019-04') // registry update 2026-12: signed at the 2nd Belt and Road Forum;
    for (const id of ['CN-KZ', 'CN-IR', 'CN-RU', 'CN-PH', 'CN-UZ', 'CN-IS']) {
      expect(get(id).inForceOn, id).toBeNull();
    }
    for (const a of agreements) {
      expect(a.suspendedOn).toBeNull();
      expect(a.terminatedOn).toBeNull();
    }
  });

  it('unknown tiers are [] and explained; a null fact is never left unexplained', () => {
    for (const a of agreements) {
      if (a.recognisedTiers.length === 0) expect(a.notes, a.id).toMatch(/tiers[^.]*unknown/i);
      if (a.inForceOn === null) expect(a.notes, a.id).toMatch(/implementation date found \(unknown\)/i);
      if (a.scope === null) expect(a.notes, a.id).toMatch(/scope unknown/i);
      if (a.signedOn === null) expect(a.notes, a.id).toMatch(/sign(ing|ed)[^.]*(unknown|no separate signing)/i);
    }
  });

  it('every declared-code pattern compiles, is anchored and starts with the economy code(s)', () => {
    for (const a of agreements) {
      const rule = a.declaredCode;
      for (const p of [rule.pattern, ...rule.aliasPatterns]) {
        expect(p.startsWith('^') && p.endsWith('$'), `${a.id}: ${p}`).toBe(true);
        expect(() => new RegExp(p), `${a.id}: ${p}`).not.toThrow();
      }
      const expected = [...a.economies, ...Object.keys(a.economyAliases)].sort();
      expect(patternPrefixes(rule.pattern).sort(), a.id).toEqual(expected);
      for (const p of rule.aliasPatterns) expect(patternPrefixes(p).sort(), a.id).toEqual(expected);
      for (const alias of Object.values(a.economyAliases)) expect(a.economies).toContain(alias);
    }
  });

  it('every example fits its own pattern and no other agreement\'s', () => {
    for (const a of agreements) {
      const example = a.declaredCode.example;
      if (example === null) continue;
      expect(new RegExp(a.declaredCode.pattern).test(example), `${a.id}: ${example}`).toBe(true);
      for (const other of agreements) {
        if (other === a) continue;
        expect(new RegExp(other.declaredCode.pattern).test(example), `${example} vs ${other.id}`).toBe(false);
      }
    }
  });

  it('generic rules are exactly economy + 1–20 alphanumerics, without example, and say the format is unknown', () => {
    const specific = agreements.filter((a) => !a.declaredCode.generic).map((a) => a.partner);
    expect(specific.sort()).toEqual(['AU', 'EC', 'EU', 'HK', 'IL', 'JP', 'MO', 'NZ', 'SG', 'UG', 'ZA']);
    for (const a of agreements) {
      const rule = a.declaredCode;
      if (!rule.generic) {
        expect(rule.example, a.id).not.toBeNull();
        continue;
      }
      expect(rule.pattern).toBe(`^${a.partner}[A-Z0-9]{1,20}$`);
      expect(rule.example).toBeNull();
      expect(rule.aliasPatterns).toEqual([]);
      expect(a.notes, a.id).toMatch(/format unknown/i);
    }
    expect(get('CN-CH').notes).toContain('CHE + 9 digits');
    expect(get('CN-KR').notes).toContain('12 characters');
  });

  it('the specific declared-code formats of the reference', () => {
    const patterns = Object.fromEntries(agreements.map((a) => [a.partner, a.declaredCode.pattern]));
    expect(patterns).toMatchObject({
      SG: '^SG\\d{12}$',
      HK: '^HK[0-9A-Z]{15}$',
      MO: '^MO\\d{9}$',
      IL: '^IL\\d{9}$',
      AU: '^AU\\d{11}$',
      JP: '^JP\\d{17}$',
      UG: '^UG\\d{10}$',
      ZA: '^ZA\\d{5,8}$',
      EC: '^EC\\d{13}$',
      NZ: '^NZ\\d{1,20}$',
    });
    // The sandbox operators of contract section 7 fit.
    for (const [id, code] of [['CN-SG', 'SG123456789012'], ['CN-HK', 'HK100000000000001'], ['CN-MO', 'MO100000001'], ['CN-EU', 'NL857117683'], ['CN-EU', 'IT01234567890']] as const) {
      expect(new RegExp(get(id).declaredCode.pattern).test(code), code).toBe(true);
    }
  });

  it('sources: at least one each, URLs are https, GACC announcement numbers cited', () => {
    for (const a of agreements) {
      expect(a.sources.length).toBeGreaterThan(0);
      for (const s of a.sources) if (/^[a-z]+:\/\//.test(s)) expect(s, a.id).toMatch(/^https:\/\/[^\s]+$/);
    }
    expect(get('CN-JP').sources).toContain('GACC Announcement 2019 No.71');
    expect(get('CN-EU').sources).toContain('GACC Announcement 2015 No.52');
    expect(get('CN-SG').sources).toContain('https://caishui.org/152.html');
  });
});

describe('schemas/agreement.schema.json', () => {
  const sample = (): Record<string, unknown> => structuredClone(get('CN-SG')) as unknown as Record<string, unknown>;
  const valid = (value: unknown): boolean => validateAgreement(value) === true;

  it('accepts every agreement of the file on its own (admin PUT bodies)', () => {
    for (const a of agreements) expect(valid(a), a.id).toBe(true);
  });

  it('rejects an extra property, at the top and inside declaredCode', () => {
    expect(valid({ ...sample(), status: 'IN_FORCE' })).toBe(false);
    const s = sample();
    s.declaredCode = { ...(s.declaredCode as object), extra: true };
    expect(valid(s)).toBe(false);
  });

  it('rejects a missing field, even a nullable one', () => {
    for (const field of ['id', 'notes', 'inForceOn', 'economyAliases', 'sources']) {
      const s = sample();
      delete s[field];
      expect(valid(s), field).toBe(false);
    }
    const s = sample();
    delete (s.declaredCode as Record<string, unknown>).generic;
    expect(valid(s)).toBe(false);
  });

  it('rejects bad dates', () => {
    for (const inForceOn of ['2023-13-01', '2023-02-30', '2023-06', '01/06/2023', '']) {
      expect(valid({ ...sample(), inForceOn }), inForceOn).toBe(false);
    }
    for (const signedOn of ['2012-6', '2012-13', '12-06-2012', '2012-06-01T00:00:00Z']) {
      expect(valid({ ...sample(), signedOn }), signedOn).toBe(false);
    }
    for (const signedOn of ['2012', '2012-06', '2012-06-30', null]) {
      expect(valid({ ...sample(), signedOn }), String(signedOn)).toBe(true);
    }
  });

  it('rejects bad codes, enums, patterns and aliases', () => {
    const bad: Record<string, unknown>[] = [
      { id: 'CN-sg' },
      { id: 'SG' },
      { partner: 'SGP' },
      { economies: [] },
      { economies: ['SG', 'SG'] },
      { economies: ['sg'] },
      { confidence: 'X' },
      { confidence: null },
      { scope: 'export' },
      { sources: [] },
      { recognisedTiers: ['AEOS', 'AEOS'] },
      { economyAliases: { el: 'GR' } },
      { economyAliases: { EL: 'Greece' } },
      { declaredCode: { pattern: 'SG\\d{12}$', example: null, generic: false, aliasPatterns: [] } },
      { declaredCode: { pattern: '^SG\\d{12}', example: null, generic: false, aliasPatterns: [] } },
      { declaredCode: { pattern: '^SG(\\d{12}$', example: null, generic: false, aliasPatterns: [] } },
      { declaredCode: { pattern: '^SG\\d{12}$', example: null, generic: 'no', aliasPatterns: [] } },
      { declaredCode: { pattern: '^SG\\d{12}$', example: null, generic: false, aliasPatterns: ['SGX'] } },
    ];
    for (const change of bad) expect(valid({ ...sample(), ...change }), JSON.stringify(change)).toBe(false);
  });

  it('the file schema rejects an unknown top-level property and a bad agreement inside', () => {
    expect(validateFile({ agreements: [] })).toBe(true);
    expect(validateFile({ agreements: [], extra: 1 })).toBe(false);
    expect(validateFile({ agreements: [{ ...sample(), inForceOn: '2013-3-15' }] })).toBe(false);
  });
});
