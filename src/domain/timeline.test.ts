import { describe, it, expect } from 'vitest';
import { operatorEvent } from './fixtures.test-support.js';
import { latestKnown, stateOn } from './timeline.js';
import type { OperatorEvent, OperatorStatus } from './types.js';

const T0 = Date.UTC(2019, 2, 1); // first list
const T1 = Date.UTC(2026, 0, 16); // suspension recorded
const T2 = Date.UTC(2026, 1, 10); // correction recorded
const T3 = Date.UTC(2026, 5, 1); // removal recorded

function event(status: OperatorStatus, statusSince: string, recordedAt: number, over: Partial<OperatorEvent> = {}): OperatorEvent {
  return operatorEvent({ status, partnerStatus: status.toLowerCase(), statusSince, exchangeId: `x-${recordedAt}`, recordedAt, ...over });
}

const valid = event('VALID', '2019-03-01', T0);
const suspended = event('SUSPENDED', '2026-01-15', T1);
const corrected = event('VALID', '2019-03-01', T2);
const revoked = event('REVOKED', '2026-06-01', T3);

describe('stateOn', () => {
  it('a single VALID event covers every date from its status date', () => {
    expect(stateOn([valid], '2019-03-01', T0)).toBe(valid);
    expect(stateOn([valid], '2030-01-01', T3)).toBe(valid);
  });
  it('is null before the first status date (not listed yet)', () => {
    expect(stateOn([valid], '2019-02-28', T3)).toBeNull();
    expect(stateOn([valid, suspended, corrected], '2000-01-01', T3)).toBeNull();
  });
  it('is null when nothing was recorded yet at asKnownAt', () => {
    expect(stateOn([valid], '2026-01-01', T0 - 1)).toBeNull();
    expect(stateOn([], '2026-01-01', T3)).toBeNull();
  });
  it('a later suspension applies from its status date only', () => {
    const events = [valid, suspended];
    expect(stateOn(events, '2026-01-14', T1)).toBe(valid);
    expect(stateOn(events, '2026-01-15', T1)).toBe(suspended);
    expect(stateOn(events, '2027-01-01', T1)).toBe(suspended);
  });
  it('a correction back to the old status date overrides the suspension for every date since', () => {
    const events = [valid, suspended, corrected];
    expect(stateOn(events, '2019-03-01', T2)).toBe(corrected);
    expect(stateOn(events, '2026-01-15', T2)).toBe(corrected);
    expect(stateOn(events, '2027-01-01', T2)).toBe(corrected);
    expect(stateOn(events, '2019-02-28', T2)).toBeNull();
  });
  it('as known before the correction, the suspension is still seen', () => {
    const events = [valid, suspended, corrected];
    expect(stateOn(events, '2026-01-15', T2 - 1)).toBe(suspended);
    expect(stateOn(events, '2026-01-14', T2 - 1)).toBe(valid);
  });
  it('an operator that left a FULL list is REVOKED from that list date', () => {
    const events = [valid, suspended, corrected, revoked];
    expect(stateOn(events, '2026-05-31', T3)).toBe(corrected);
    expect(stateOn(events, '2026-06-01', T3)).toBe(revoked);
    expect(stateOn(events, '2026-06-01', T3 - 1)).toBe(corrected);
  });
  it('among events recorded at the same instant the later-inserted one wins', () => {
    const first = event('VALID', '2020-01-01', T1);
    const second = event('SUSPENDED', '2020-01-01', T1);
    expect(stateOn([first, second], '2021-01-01', T1)).toBe(second);
  });
  it('an older event still answers for dates before a newer event starts', () => {
    const late = event('VALID', '2024-01-01', T0);
    const earlierStart = event('SUSPENDED', '2022-01-01', T1);
    const laterStart = event('VALID', '2025-01-01', T2);
    const events = [late, earlierStart, laterStart];
    expect(stateOn(events, '2021-12-31', T2)).toBeNull();
    expect(stateOn(events, '2023-06-01', T2)).toBe(earlierStart);
    expect(stateOn(events, '2024-06-01', T2)).toBe(earlierStart); // overrode `late` from 2022 on
    expect(stateOn(events, '2025-06-01', T2)).toBe(laterStart);
  });
});

describe('latestKnown', () => {
  const events = [valid, suspended, corrected, revoked];
  it('gives the newest event recorded at or before asKnownAt', () => {
    expect(latestKnown(events, T3)).toBe(revoked);
    expect(latestKnown(events, T2)).toBe(corrected);
    expect(latestKnown(events, T2 - 1)).toBe(suspended);
    expect(latestKnown(events, Number.MAX_SAFE_INTEGER)).toBe(revoked);
  });
  it('is null before the first event and for no events', () => {
    expect(latestKnown(events, T0 - 1)).toBeNull();
    expect(latestKnown([], T3)).toBeNull();
  });
});
