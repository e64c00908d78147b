import { describe, expect, it } from 'vitest';
import { parseCsv, CsvError } from './csv.js';
import { diffRegister, guardImport } from './diff.js';
import { parseEnterprise, parseEnterprises } from './validate.js';
import type { Enterprise } from './types.js';

const ok = {
  customsCode: '1234567890',
  uscc: '91350100M000100Y43',
  nameZh: '上海示例进出口有限公司',
  nameEn: 'Shanghai Example Import & Export Co., Ltd.',
  level: 'ADVANCED_CERTIFIED',
  status: 'VALID',
  statusSince: '2024-03-01',
};

const enterprise = (code: string, extra: Partial<Enterprise> = {}): Enterprise => {
  const r = parseEnterprise({ ...ok, customsCode: code }, 0);
  if (!('enterprise' in r)) throw new Error('fixture');
  return { ...r.enterprise, ...extra };
};

describe('a register record', () => {
  it('derives aeoCode, defaults levelSince to statusSince and keeps empty English names', () => {
    const r = parseEnterprise({ ...ok, nameEn: '' }, 0);
    expect(r).toEqual({ enterprise: expect.objectContaining({ aeoCode: 'AEOCN1234567890', levelSince: '2024-03-01', nameEn: '', rectificationUntil: null }) });
  });

  it('names each bad field with a pointer and the record index', () => {
    const r = parseEnterprise({ ...ok, customsCode: '12345', uscc: '91350100M000100Y44', level: 'GOLD', aeoCode: 'AEOCN0000000000', extra: 1 }, 7);
    expect('problems' in r && r.problems.map((p) => `${p.record}${p.path}`).sort()).toEqual(['7/aeoCode', '7/customsCode', '7/extra', '7/level', '7/uscc']);
  });

  it('requires rectificationUntil with RECTIFICATION and refuses it otherwise', () => {
    expect(parseEnterprise({ ...ok, status: 'RECTIFICATION' }, 0)).toEqual({ problems: [expect.objectContaining({ path: '/rectificationUntil' })] });
    expect(parseEnterprise({ ...ok, rectificationUntil: '2027-03-31' }, 0)).toEqual({ problems: [expect.objectContaining({ path: '/rectificationUntil' })] });
    expect(parseEnterprise({ ...ok, status: 'RECTIFICATION', rectificationUntil: '2027-03-31' }, 0)).toHaveProperty('enterprise.rectificationUntil', '2027-03-31');
  });

  it('counts a repeated customs code as invalid', () => {
    const r = parseEnterprises([ok, ok]);
    expect(r.invalid).toBe(1);
    expect(r.problems).toEqual([{ record: 1, path: '/customsCode', message: 'repeats record 0' }]);
  });
});

describe('CSV', () => {
  it('reads quoted cells with commas, quotes and line breaks; CRLF; a BOM', () => {
    const rows = parseCsv('\ufeffcustomsCode,nameEn\r\n1234567890,"A ""B"", C\nD"\r\n');
    expect(rows).toEqual([{ customsCode: '1234567890', nameEn: 'A "B", C\nD' }]);
  });
  it('refuses ragged rows, duplicate headers and an open quote', () => {
    expect(() => parseCsv('a,b\n1\n')).toThrow(CsvError);
    expect(() => parseCsv('a,a\n1,2\n')).toThrow(/twice/);
    expect(() => parseCsv('a\n"x\n')).toThrow(/quoted/);
    expect(() => parseCsv('')).toThrow(/header/);
  });
});

describe('register diff and guard', () => {
  const current = new Map(['0000000001', '0000000002', '0000000003', '0000000004', '0000000005'].map((c) => [c, enterprise(c)]));

  it('FULL: added, changed, unchanged and removed', () => {
    const d = diffRegister('FULL', current, [enterprise('0000000001'), enterprise('0000000002', { status: 'SUSPENDED' }), enterprise('0000000003'), enterprise('0000000004'), enterprise('0000000009')]);
    expect(d.counts).toEqual({ received: 5, added: 1, changed: 1, removed: 1, unchanged: 3, invalid: 0 });
    expect(d.removals.map((e) => e.customsCode)).toEqual(['0000000005']);
    expect(guardImport('FULL', d)).toBeNull();
  });

  it('DELTA removes nothing; an empty FULL and a FULL removing over 20 % are held', () => {
    expect(diffRegister('DELTA', current, [enterprise('0000000009')]).counts.removed).toBe(0);
    expect(guardImport('FULL', diffRegister('FULL', current, []))?.reason).toBe('EMPTY_LIST');
    expect(guardImport('FULL', diffRegister('FULL', current, [enterprise('0000000001'), enterprise('0000000002'), enterprise('0000000003')]))?.reason).toBe('MASS_REMOVAL');
    expect(guardImport('DELTA', diffRegister('DELTA', current, []))).toBeNull();
  });
});
