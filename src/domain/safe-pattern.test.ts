import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unsafePatternReason } from './safe-pattern.js';

describe('unsafePatternReason', () => {
  it('refuses nested quantifiers and repeated alternations', () => {
    for (const p of ['^XK(\\d+)+$', '^XK(\\d*)*$', '^XK(A|AB)*$', '^XK(?:\\d{1,3}){2,}$', '^XK([A-Z]?)+$', '^(XK(\\d+))*$', '^XK(\\d+)+?$']) {
      expect(unsafePatternReason(p), p).toMatch(/nested quantifiers/);
    }
  });
  it('refuses backreferences, lookbehind and too many repeats', () => {
    expect(unsafePatternReason('^XK(\\d)\\1$')).toMatch(/backreference/);
    expect(unsafePatternReason('^XK(?<d>\\d)\\k<d>$')).toMatch(/backreference/);
    expect(unsafePatternReason('^XK(?<=K)\\d$')).toMatch(/lookbehind/);
    expect(unsafePatternReason('^XK\\d*\\d*\\d*\\d*\\d*$')).toMatch(/at most 4/);
  });
  it('accepts the shapes declared codes have', () => {
    for (const p of ['^XK\\d{8}$', '^(AT|BE|EL)[A-Z0-9]{1,15}$', '^(DE|GR)(AEOC|AEOS|AEOF)[A-Z0-9/]{1,20}$', '^SG(\\d{9}[A-Z])?$', '^XK[(+*)]+$', '^(AB){1}\\d+$']) {
      expect(unsafePatternReason(p), p).toBeNull();
    }
  });
  it('accepts every pattern of the shipped registry', () => {
    const data = JSON.parse(readFileSync(new URL('../../partners/agreements.json', import.meta.url), 'utf8')) as {
      agreements: { declaredCode: { pattern: string; aliasPatterns: string[] } }[];
    };
    for (const a of data.agreements) {
      for (const p of [a.declaredCode.pattern, ...a.declaredCode.aliasPatterns]) expect(unsafePatternReason(p), p).toBeNull();
    }
  });
});
