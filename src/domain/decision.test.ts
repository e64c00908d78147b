import { describe, it, expect } from 'vitest';
import { compileAgreements, parseDeclaredCode } from './codes.js';
import { decide, type DecisionInput } from './decision.js';
import { withinValidity } from './timeline.js';
import { agreement, operatorEvent } from './fixtures.test-support.js';
import { DECISION_ORDER, type OperatorEvent } from './types.js';


const code = (pattern: string) => ({ pattern, example: null, generic: false, aliasPatterns: [] });
const { byEconomy } = compileAgreements([
  agreement({ id: 'CN-EU', partner: 'EU', economies: ['DE'], declaredCode: { ...code('^DE[A-Z0-9]{1,15}$'), aliasPatterns: ['^DE(AEOC|AEOS|AEOF)[A-Z0-9/]{1,20}$'] }, recognisedTiers: ['AEOS', 'AEOF'] }),
  agreement({ id: 'CN-MO', partner: 'MO', economies: ['MO'], declaredCode: code('^MO\\d{9}$'), inForceOn: '2023-06-01', recognisedTiers: ['A'] }),
  agreement({ id: 'CN-RU', partner: 'RU', economies: ['RU'], declaredCode: code('^RU[A-Z0-9]{1,20}$'), inForceOn: null, recognisedTiers: ['AEO'] }),
  agreement({ id: 'CN-SX', partner: 'SX', economies: ['SX'], declaredCode: code('^SX\\d{4}$'), suspendedOn: '2025-01-01', recognisedTiers: ['AEO'] }),
]);

const operator = (over: Partial<OperatorEvent> = {}): OperatorEvent => operatorEvent({ partnerStatus: 'active', ...over });

function input(raw: string, over: Partial<DecisionInput> = {}): DecisionInput {
  const base = { parsed: parseDeclaredCode(raw, byEconomy), date: '2026-11-20', hasData: true, state: operator(), stale: false, onStale: 'serve' as const, ...over };
  // By default the state's own statement is the whole history.
  const valid = base.state !== null && withinValidity([base.state], base.date, Infinity);
  return { withinValidity: valid, ...base };
}

const DE = 'DE123456789012345';

describe('decide: each row of the table', () => {
  it('INVALID_CODE for a code that is not one, or does not fit its agreement', () => {
    expect(decide(input('hello world!'))).toBe('INVALID_CODE');
    expect(decide(input('MO12'))).toBe('INVALID_CODE');
  });
  it('NO_AGREEMENT for an economy no agreement covers', () => {
    expect(decide(input('US1234567'))).toBe('NO_AGREEMENT');
  });
  it('AGREEMENT_NOT_IN_FORCE before implementation, with no known date, and when suspended', () => {
    expect(decide(input('MO123456789', { date: '2023-05-31' }))).toBe('AGREEMENT_NOT_IN_FORCE');
    expect(decide(input('RU12345'))).toBe('AGREEMENT_NOT_IN_FORCE');
    expect(decide(input('SX1234'))).toBe('AGREEMENT_NOT_IN_FORCE');
  });
  it('NO_DATA when no list from the partner was applied', () => {
    expect(decide(input(DE, { hasData: false, state: null }))).toBe('NO_DATA');
  });
  it('NOT_LISTED when the list does not hold the operator on the date', () => {
    expect(decide(input(DE, { state: null }))).toBe('NOT_LISTED');
  });
  it('REVOKED and SUSPENDED from the operator status', () => {
    expect(decide(input(DE, { state: operator({ status: 'REVOKED' }) }))).toBe('REVOKED');
    expect(decide(input(DE, { state: operator({ status: 'SUSPENDED' }) }))).toBe('SUSPENDED');
  });
  it('EXPIRED once validUntil is before the date (the last valid day itself still counts)', () => {
    expect(decide(input(DE, { state: operator({ validUntil: '2026-11-19' }) }))).toBe('EXPIRED');
    expect(decide(input(DE, { state: operator({ validUntil: '2026-11-20' }) }))).toBe('RECOGNISED');
    // Before the first day of every known period, or between two of them (a renewal's gap).
    expect(decide(input(DE, { state: operator({ validFrom: '2026-11-21' }) }))).toBe('EXPIRED');
    expect(decide(input(DE, { withinValidity: false }))).toBe('EXPIRED');
    expect(decide(input(DE, { state: operator({ validUntil: '2026-11-19' }), withinValidity: true }))).toBe('RECOGNISED');
  });
  it('TIER_NOT_RECOGNISED for EU AEOC and Macao grade B', () => {
    expect(decide(input(DE, { state: operator({ tier: 'AEOC' }) }))).toBe('TIER_NOT_RECOGNISED');
    expect(decide(input('MO123456789', { state: operator({ tier: 'B' }) }))).toBe('TIER_NOT_RECOGNISED');
    expect(decide(input('MO123456789', { state: operator({ tier: 'A' }) }))).toBe('RECOGNISED');
  });
  it('RECOGNISED for a valid operator in a recognised tier, also through an alias', () => {
    expect(decide(input(DE))).toBe('RECOGNISED');
    expect(decide(input('DE AEOF 00025/08'))).toBe('RECOGNISED');
  });
});

describe('decide: the order of the checks', () => {
  it('a revoked operator whose tier is not recognised is REVOKED', () => {
    expect(decide(input(DE, { state: operator({ status: 'REVOKED', tier: 'AEOC' }) }))).toBe('REVOKED');
  });
  it('a suspended, expired operator is SUSPENDED', () => {
    expect(decide(input(DE, { state: operator({ status: 'SUSPENDED', validUntil: '2020-01-01' }) }))).toBe('SUSPENDED');
  });
  it('an expired AEOC is EXPIRED', () => {
    expect(decide(input(DE, { state: operator({ tier: 'AEOC', validUntil: '2020-01-01' }) }))).toBe('EXPIRED');
  });
  it('an agreement not in force with a listed, valid operator is AGREEMENT_NOT_IN_FORCE', () => {
    expect(decide(input('MO123456789', { date: '2023-05-31', state: operator({ tier: 'A' }) }))).toBe('AGREEMENT_NOT_IN_FORCE');
    expect(decide(input('SX1234', { state: operator({ tier: 'AEO' }) }))).toBe('AGREEMENT_NOT_IN_FORCE');
  });
  it('an agreement not in force without data is AGREEMENT_NOT_IN_FORCE, not NO_DATA', () => {
    expect(decide(input('RU12345', { hasData: false, state: null }))).toBe('AGREEMENT_NOT_IN_FORCE');
  });
  it('an invalid code stays INVALID_CODE whatever else is passed', () => {
    expect(decide(input('SG', { hasData: false, state: null, stale: true, onStale: 'fail-closed' }))).toBe('INVALID_CODE');
  });
});

describe('decide: staleness only withholds a would-be RECOGNISED', () => {
  it('stale + serve → RECOGNISED (the caller reports stale: true)', () => {
    expect(decide(input(DE, { stale: true, onStale: 'serve' }))).toBe('RECOGNISED');
  });
  it('stale + fail-closed → STALE_DATA', () => {
    expect(decide(input(DE, { stale: true, onStale: 'fail-closed' }))).toBe('STALE_DATA');
  });
  it('fail-closed without staleness → RECOGNISED', () => {
    expect(decide(input(DE, { stale: false, onStale: 'fail-closed' }))).toBe('RECOGNISED');
  });
  it('stale + fail-closed leaves every other decision as it is', () => {
    const failClosed = { stale: true, onStale: 'fail-closed' } as const;
    expect(decide(input(DE, { ...failClosed, state: operator({ status: 'SUSPENDED' }) }))).toBe('SUSPENDED');
    expect(decide(input(DE, { ...failClosed, state: null }))).toBe('NOT_LISTED');
    expect(decide(input(DE, { ...failClosed, state: operator({ tier: 'AEOC' }) }))).toBe('TIER_NOT_RECOGNISED');
    expect(decide(input(DE, { ...failClosed, state: operator({ validUntil: '2020-01-01' }) }))).toBe('EXPIRED');
  });
});

describe('decide: the order of the rows', () => {
  it('answers the first row that applies, in DECISION_ORDER: each step clears one condition and keeps every later one', () => {
    // Every condition of a later row holds at each step, so a row checked too late (or too early) shows.
    const worst = operator({ status: 'REVOKED', validUntil: '2026-01-01', tier: 'AEOC' });
    const stale = { stale: true, onStale: 'fail-closed' } as const;
    const steps: DecisionInput[] = [
      input('MO12', { hasData: false, state: worst, ...stale }),
      input('US1234567', { hasData: false, state: worst, ...stale }),
      input('MO123456789', { date: '2023-05-31', hasData: false, state: worst, ...stale }),
      input(DE, { hasData: false, state: worst, ...stale }),
      input(DE, { state: null, ...stale }),
      input(DE, { state: worst, ...stale }),
      input(DE, { state: { ...worst, status: 'SUSPENDED' }, ...stale }),
      input(DE, { state: { ...worst, status: 'VALID' }, ...stale }),
      input(DE, { state: { ...worst, status: 'VALID', validUntil: null }, ...stale }),
      input(DE, { state: operator({ tier: 'AEOS' }), ...stale }),
      input(DE, { state: operator({ tier: 'AEOS' }) }),
    ];
    expect(steps.map(decide)).toEqual([...DECISION_ORDER]);
  });
});
