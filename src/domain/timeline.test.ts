import { describe, it, expect } from 'vitest';
import { operatorEvent } from './fixtures.test-support.js';
import { latestKnown, stateOn, withinValidity } from './timeline.js';
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

describe('withinValidity: validity periods are history too (a renewal does not rewrite the past)', () => {
  // Macao: a 3-year certificate, then a renewal that starts after a gap; estadoDesde never changes.
  const first = event('VALID', '2020-06-01', T0, { validFrom: '2020-06-01', validUntil: '2023-05-31' });
  const renewed = event('VALID', '2020-06-01', T2, { validFrom: '2023-07-01', validUntil: '2026-06-30' });

  it('the gap between the old expiry and the renewal stays outside every period, as known before and after', () => {
    for (const asKnownAt of [T1, T3]) expect(withinValidity([first, renewed], '2023-06-15', asKnownAt)).toBe(false);
    expect(stateOn([first, renewed], '2023-06-15', T3)).toBe(renewed); // the status alone would say VALID
  });
  it('each period answers for its own dates, and only once recorded', () => {
    expect(withinValidity([first, renewed], '2022-01-01', T3)).toBe(true);
    expect(withinValidity([first, renewed], '2025-01-01', T3)).toBe(true);
    expect(withinValidity([first, renewed], '2025-01-01', T1)).toBe(false); // the renewal was not known yet
    expect(withinValidity([first, renewed], '2026-07-01', T3)).toBe(false);
    expect(withinValidity([first, renewed], '2020-05-31', T3)).toBe(false);
  });
  it('a newer statement of the same period corrects its end', () => {
    const shortened = event('VALID', '2020-06-01', T3, { validFrom: '2020-06-01', validUntil: '2022-12-31' });
    expect(withinValidity([first, shortened], '2023-03-01', T2)).toBe(true);
    expect(withinValidity([first, shortened], '2023-03-01', T3)).toBe(false);
  });
  it('statements that state no period do not bound validity; an end alone bounds it from above', () => {
    expect(withinValidity([event('VALID', '2019-03-01', T0)], '1990-01-01', T3)).toBe(true);
    const endOnly = event('VALID', '2019-03-01', T0, { validUntil: '2024-05-31' });
    expect(withinValidity([endOnly], '2024-05-31', T3)).toBe(true);
    expect(withinValidity([endOnly], '2024-06-01', T3)).toBe(false);
    expect(withinValidity([], '2024-06-01', T3)).toBe(false);
  });
});
