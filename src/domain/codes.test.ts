import { describe, it, expect } from 'vitest';
import { compileAgreements, GENERIC_CODE, normaliseCode, parseDeclaredCode } from './codes.js';
import { agreement } from './fixtures.test-support.js';

const EU_STATES = ['AT', 'BE', 'DE', 'GR', 'IT', 'NL'];


const EU = agreement({
  id: 'CN-EU',
  partner: 'EU',
  economies: EU_STATES,
  declaredCode: {
    pattern: '^(AT|BE|DE|GR|EL|IT|NL)[A-Z0-9]{1,15}$',
    example: 'DE123456789012345',
    generic: false,
    aliasPatterns: ['^(DE|IT|NL|GR|EL)(AEOC|AEOS|AEOF)[A-Z0-9/]{1,20}$'],
  },
  economyAliases: { EL: 'GR' },
});
const SG = agreement({
  id: 'CN-SG',
  partner: 'SG',
  economies: ['SG'],
  declaredCode: { pattern: '^SG\\d{12}$', example: 'SG123456789012', generic: false, aliasPatterns: [] },
});
const MO = agreement({
  id: 'CN-MO',
  partner: 'MO',
  economies: ['MO'],
  declaredCode: { pattern: '^MO\\d{9}$', example: 'MO123456789', generic: false, aliasPatterns: [] },
});
const NZ = agreement({
  id: 'CN-NZ',
  partner: 'NZ',
  economies: ['NZ'],
  declaredCode: { pattern: '^NZ[A-Z0-9/]{1,20}$', example: null, generic: true, aliasPatterns: [] },
});

const { byId, byEconomy } = compileAgreements([EU, SG, MO, NZ]);
const parse = (raw: string) => parseDeclaredCode(raw, byEconomy);

describe('normaliseCode', () => {
  it('trims, upper-cases, drops spaces and dashes, unwraps the legacy form', () => {
    expect(normaliseCode('de 123456789012345')).toBe('DE123456789012345');
    expect(normaliseCode(' DE-1234 ')).toBe('DE1234');
    expect(normaliseCode('aeo<mo100000001>')).toBe('MO100000001');
    expect(normaliseCode('AEO<NZ1234>')).toBe('NZ1234');
    expect(normaliseCode('DE AEOF 00025/08')).toBe('DEAEOF00025/08');
    expect(normaliseCode('AEO<>')).toBe('');
    expect(normaliseCode('')).toBe('');
  });
  it('drops Unicode spaces (full-width, no-break) too', () => {
    expect(normaliseCode('SG\u3000123456789012')).toBe('SG123456789012');
    expect(normaliseCode('sg\u00a0123456789012')).toBe('SG123456789012');
  });
  it('upper-cases ASCII letters only, so non-ASCII never turns into a valid-looking code', () => {
    expect(normaliseCode('ſg123456789012')).toBe('ſG123456789012'); // long s would upper-case to S
    expect(normaliseCode('ıt12345')).toBe('ıT12345'); // dotless i would upper-case to I
    expect(normaliseCode('deß1')).toBe('DEß1'); // ß would upper-case to SS
  });
});

describe('compileAgreements', () => {
  it('indexes by id, economy and alias prefix', () => {
    expect(byId.get('CN-EU')?.agreement).toBe(EU);
    expect(byEconomy.get('DE')).toBe(byId.get('CN-EU'));
    expect(byEconomy.get('GR')).toBe(byId.get('CN-EU'));
    expect(byEconomy.get('EL')).toBe(byId.get('CN-EU'));
    expect(byEconomy.get('SG')).toBe(byId.get('CN-SG'));
    expect(byEconomy.has('US')).toBe(false);
  });
  it('anchors patterns even when the data forgot to', () => {
    const { byEconomy: idx } = compileAgreements([
      agreement({ id: 'CN-IL', partner: 'IL', economies: ['IL'], declaredCode: { pattern: 'IL\\d{9}', example: null, generic: false, aliasPatterns: [] } }),
    ]);
    expect(parseDeclaredCode('IL123456789', idx).kind).toBe('ok');
    expect(parseDeclaredCode('IL1234567890', idx).kind).toBe('invalid');
  });
  it('names the agreement whose pattern does not compile', () => {
    const bad = agreement({ id: 'CN-XX', partner: 'XX', economies: ['XX'], declaredCode: { pattern: '^XX[', example: null, generic: true, aliasPatterns: [] } });
    expect(() => compileAgreements([SG, bad])).toThrow(/CN-XX/);
    const badAlias = { ...bad, declaredCode: { ...bad.declaredCode, pattern: '^XX\\d+$', aliasPatterns: ['(('] } };
    expect(() => compileAgreements([badAlias])).toThrow(/CN-XX/);
  });
  it('refuses duplicate ids, economies claimed twice and aliases to uncovered economies', () => {
    expect(() => compileAgreements([SG, SG])).toThrow(/CN-SG.*duplicate/);
    const otherSg = { ...SG, id: 'CN-SG2' };
    expect(() => compileAgreements([SG, otherSg])).toThrow(/CN-SG2.*SG.*CN-SG/);
    const strayAlias = { ...SG, economyAliases: { SP: 'SX' } };
    expect(() => compileAgreements([strayAlias])).toThrow(/CN-SG.*SP/);
  });
});

describe('parseDeclaredCode', () => {
  it('accepts an EORI under the EU agreement', () => {
    const parsed = parse('de 123456789012345');
    expect(parsed).toMatchObject({ kind: 'ok', code: 'DE123456789012345', economy: 'DE', isAlias: false });
    expect(parsed.kind === 'ok' && parsed.agreement.agreement.id).toBe('CN-EU');
  });
  it('accepts an EU AEO authorisation number as an alias', () => {
    expect(parse('DE AEOF 00025/08')).toMatchObject({ kind: 'ok', code: 'DEAEOF00025/08', economy: 'DE', isAlias: true });
  });
  it('maps the EORI prefix EL to the ISO economy GR', () => {
    const parsed = parse('EL123456789');
    expect(parsed).toMatchObject({ kind: 'ok', code: 'EL123456789', economy: 'GR', isAlias: false });
    expect(parsed.kind === 'ok' && parsed.agreement.agreement.id).toBe('CN-EU');
    expect(parse('GR123456789')).toMatchObject({ kind: 'ok', economy: 'GR' });
    expect(parse('ELAEOS1234/5')).toMatchObject({ kind: 'ok', economy: 'GR', isAlias: true });
  });
  it('spells a Greek code and authorisation number both ways, the code as given first', () => {
    expect(parse('GR123456789')).toMatchObject({ spellings: ['GR123456789', 'EL123456789'] });
    expect(parse('EL123456789')).toMatchObject({ spellings: ['EL123456789', 'GR123456789'] });
    expect(parse('GRAEOS1234/5')).toMatchObject({ isAlias: true, spellings: ['GRAEOS1234/5', 'ELAEOS1234/5'] });
    expect(parse('DE123456789012345')).toMatchObject({ spellings: ['DE123456789012345'] });
  });
  it('unwraps legacy remarks and matches the partner pattern', () => {
    expect(parse('aeo<mo100000001>')).toMatchObject({ kind: 'ok', code: 'MO100000001', economy: 'MO', isAlias: false });
    expect(parse('AEO<NZ1234>')).toMatchObject({ kind: 'ok', code: 'NZ1234', economy: 'NZ' });
  });
  it('keeps `/` for a generic agreement', () => {
    expect(parse('nz 12/34')).toMatchObject({ kind: 'ok', code: 'NZ12/34', economy: 'NZ' });
  });
  it('says no-agreement for an economy no agreement covers', () => {
    expect(parse('US1234567')).toEqual({ kind: 'no-agreement', code: 'US1234567', economy: 'US' });
  });
  it('is invalid when the code does not fit its agreement pattern', () => {
    expect(parse('SG123')).toEqual({ kind: 'invalid', code: 'SG123', reason: 'pattern' });
    expect(parse('DE1234567890123456')).toMatchObject({ kind: 'invalid', reason: 'pattern' }); // EORI too long
    expect(parse('DE12/3')).toMatchObject({ kind: 'invalid', reason: 'pattern' }); // `/` only in authorisation numbers
  });
  it('is invalid when it is not a code at all', () => {
    for (const raw of ['', '   ', 'AEO<>', 'D', 'DE', '12345', 'D1234', 'DE.1234', 'DE_1', `DE${'1'.repeat(31)}`, 'SG１２３４５６７８９０１２']) {
      expect(parse(raw), JSON.stringify(raw)).toMatchObject({ kind: 'invalid', reason: 'shape' });
    }
  });
  it('refuses non-ASCII letters that upper-case to ASCII instead of accepting them', () => {
    expect(parse('ſg123456789012')).toMatchObject({ kind: 'invalid', reason: 'shape' }); // would be SG123456789012
    expect(parse('ıt12345')).toMatchObject({ kind: 'invalid', reason: 'shape' }); // would be IT12345
    expect(parse('ßG1')).toMatchObject({ kind: 'invalid', reason: 'shape' }); // would be SSG1
    expect(parse('DE\u20131234')).toMatchObject({ kind: 'invalid' }); // an en dash is not a `-`
    expect(parse('中国123')).toMatchObject({ kind: 'invalid', reason: 'shape' });
  });
  it('refuses hostile lengths without normalising them, echoing a short prefix', () => {
    const parsed = parse('d'.repeat(10_000));
    expect(parsed).toEqual({ kind: 'invalid', code: 'D'.repeat(32), reason: 'too-long' });
    expect(parse(` ${'SG123456789012'} `.padEnd(201, ' '))).toMatchObject({ kind: 'invalid', reason: 'too-long' });
    expect(parse(` ${'SG123456789012'} `.padEnd(200, ' '))).toMatchObject({ kind: 'ok', code: 'SG123456789012' });
  });
  it('GENERIC_CODE is the contract shape', () => {
    expect(GENERIC_CODE.test('AB1')).toBe(true);
    expect(GENERIC_CODE.test(`AB${'/'.repeat(30)}`)).toBe(true);
    expect(GENERIC_CODE.test(`AB${'1'.repeat(31)}`)).toBe(false);
    expect(GENERIC_CODE.test('A11')).toBe(false);
  });
});

describe('the EU legacy remarks form (registry update 2026-12)', () => {
  it('reads AEO<EORI> as the EORI', () => {
    expect(normaliseCode('AEO<FR123456789>')).toBe('FR123456789');
    expect(normaliseCode(' aeo<fr123456789> ')).toBe('FR123456789');
  });
});
