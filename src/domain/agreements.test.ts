import { describe, it, expect } from 'vitest';
import { agreementStatusOn } from './agreements.js';
import type { Agreement } from './types.js';

function agreement(dates: Pick<Agreement, 'inForceOn' | 'suspendedOn' | 'terminatedOn'>): Agreement {
  return {
    id: 'CN-XX',
    partner: 'XX',
    name: 'test',
    economies: ['XX'],
    counterpart: null,
    signedOn: '2019',
    partnerProgramme: null,
    recognisedTiers: [],
    scope: null,
    declaredCode: { pattern: '^XX[A-Z0-9]{1,20}$', example: null, generic: true, aliasPatterns: [] },
    economyAliases: {},
    confidence: 'M',
    notes: null,
    sources: [],
    ...dates,
  };
}

describe('agreementStatusOn', () => {
  it('is SIGNED before the implementation date and IN_FORCE from it', () => {
    const a = agreement({ inForceOn: '2015-11-01', suspendedOn: null, terminatedOn: null });
    expect(agreementStatusOn(a, '2015-10-31')).toBe('SIGNED');
    expect(agreementStatusOn(a, '2015-11-01')).toBe('IN_FORCE');
    expect(agreementStatusOn(a, '2026-11-20')).toBe('IN_FORCE');
  });
  it('is SIGNED forever when no implementation date is known', () => {
    expect(agreementStatusOn(agreement({ inForceOn: null, suspendedOn: null, terminatedOn: null }), '2999-12-31')).toBe('SIGNED');
  });
  it('is SUSPENDED from the suspension date and TERMINATED from the termination date', () => {
    const a = agreement({ inForceOn: '2015-11-01', suspendedOn: '2020-01-01', terminatedOn: '2021-01-01' });
    expect(agreementStatusOn(a, '2019-12-31')).toBe('IN_FORCE');
    expect(agreementStatusOn(a, '2020-01-01')).toBe('SUSPENDED');
    expect(agreementStatusOn(a, '2021-01-01')).toBe('TERMINATED');
  });
  it('termination wins even without an implementation date', () => {
    expect(agreementStatusOn(agreement({ inForceOn: null, suspendedOn: null, terminatedOn: '2020-01-01' }), '2020-06-01')).toBe('TERMINATED');
  });
});
