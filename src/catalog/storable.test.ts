// What the database can hold, checked before it sees it: every class of value, and the mapping
// reporting each as a problem at the field's source path.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from './load.js';
import { mapMessage } from './map.js';
import { EU_SAMPLE_OPERATOR, euParsed, MO_SAMPLE_RECORD, moMessage, REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR } from './samples.fixture.js';
import { countFault, dateFault, firstTextFault, instantFault, storableText, textFault } from './storable.js';
import type { PartnerDefinition } from './types.js';

describe('textFault', () => {
  it('refuses NUL (PostgreSQL text cannot hold it), the C0 controls and non-characters XML 1.0 forbids, and lone surrogates', () => {
    expect(textFault('a\u0000b')).toMatch(/U\+0000.*cannot be stored/);
    for (const ch of ['\u0001', '\u0008', '\u000B', '\u000C', '\u001F', '\uFFFE', '\uFFFF']) expect(textFault(`x${ch}`)).toMatch(/XML 1\.0/);
    expect(textFault('\uD800')).toMatch(/surrogate/);
    expect(textFault('a\uDC00')).toMatch(/surrogate/);
  });
  it('accepts tab, line breaks, any real character (astral ones too) and C1 controls', () => {
    for (const ok of ['a\tb\nc\rd', 'Beispiel Logistik GmbH', '海港貨運有限公司', '😀 \u{10FFFF}', '\u0085', '']) expect(textFault(ok)).toBeNull();
  });
  it('storableText replaces what cannot be stored, and nothing else', () => {
    expect(storableText('a\u0000b\uD800c😀')).toBe('a\uFFFDb\uFFFDc😀');
  });
});

describe('dates, instants and counts', () => {
  it('a date is a calendar date of the years 0001–9999', () => {
    for (const bad of ['0000-01-01', '2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '20240101', '+12345-01-01']) expect(dateFault(bad), bad).not.toBeNull();
    for (const ok of ['0001-01-01', '2024-02-29', '9999-12-31']) expect(dateFault(ok), ok).toBeNull();
  });
  it('an instant is a real RFC 3339 date-time in the years 0001–9999 (UTC)', () => {
    for (const bad of ['0000-01-01T00:00:00Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:59:59-01:00', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:60Z', '2026-01-01T00:00:00+24:00', '2026-01-01 00:00:00Z']) {
      expect(instantFault(bad), bad).not.toBeNull();
    }
    for (const ok of ['0001-01-01T00:00:00Z', '2026-11-20T01:00:00+08:00', '2026-11-20t01:00:00.123456789z', '9999-12-31T23:59:59Z']) expect(instantFault(ok), ok).toBeNull();
  });
  it('a count is a non-negative safe integer', () => {
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN, Infinity]) expect(countFault(bad)).not.toBeNull();
    expect(countFault(2 ** 53 - 1)).toBeNull();
  });
  it('firstTextFault finds a bad value or key anywhere in a JSON body, with its pointer', () => {
    expect(firstTextFault({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toEqual({ path: '/a/1/c', message: expect.stringMatching(/U\+0000/) });
    expect(firstTextFault({ 'k\u0001': 1 })).toEqual({ path: '/k\uFFFD', message: expect.stringMatching(/key/) });
    expect(firstTextFault({ a: 1, b: [null, true, 'fine'] })).toBeNull();
  });
});

describe('mapMessage refuses values the database could not hold, naming record and path', () => {
  let eu: PartnerDefinition;
  let mo: PartnerDefinition;
  beforeAll(async () => {
    [eu, , mo] = (await loadCatalog(REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR)) as [PartnerDefinition, PartnerDefinition, PartnerDefinition];
  });
  const options = { fallbackDate: '2026-11-20' };

  it('a NUL in a name, a year-0000 status date and an impossible validity date', () => {
    const result = mapMessage(
      euParsed([EU_SAMPLE_OPERATOR, { ...EU_SAMPLE_OPERATOR, EORI: 'DE1', Name: 'Evil\u0000Name' }, { ...EU_SAMPLE_OPERATOR, EORI: 'DE2', StatusDate: '0000-01-01' }]),
      eu.mapping,
      options,
    );
    expect(result.problems).toEqual([
      { record: 1, path: '/Name', message: expect.stringMatching(/U\+0000/) },
      { record: 2, path: '/StatusDate', message: expect.stringMatching(/0001-01-01/) },
    ]);
    const mapped = mapMessage({ ...moMessage(), operadores: [{ ...MO_SAMPLE_RECORD, validoDesde: '2023-02-29' }] }, mo.mapping, options);
    expect(mapped.problems).toEqual([{ record: 0, path: '/validoDesde', message: expect.any(String) }]);
  });

  it('a header generatedAt in the year 0000 or a control character in the sender is a header problem', () => {
    const bad = mapMessage({ ...moMessage(), geradoEm: '0000-06-01T00:00:00Z' }, mo.mapping, { fallbackDate: () => '2026-01-01' });
    expect(bad.problems).toEqual([{ record: null, path: '/geradoEm', message: expect.stringMatching(/0001/) }]);
    expect(bad.records).toEqual([]);
    expect(mapMessage({ ...moMessage(), remetente: 'M\u0007' }, mo.mapping, options).problems).toEqual([{ record: null, path: '/remetente', message: expect.stringMatching(/XML/) }]);
  });
});
