import { describe, expect, it } from 'vitest';
import { HEALTH_WORDS, LATE_AFTER_MS, partnerHealth, type HealthFacts } from './health.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DUE = Date.parse('2026-11-20T02:00:00Z');
const HOUR = 3_600_000;

/** A healthy partner: every other case changes one or more facts of it. */
const ok: HealthFacts = {
  enabled: true,
  everApplied: true,
  quarantinePending: 0,
  stale: false,
  recentOutcomes: ['APPLIED', 'NO_CHANGE'],
  lastSuccessAt: DUE + 60_000,
  previousDueAt: DUE,
  now: NOW,
};

// Each word's facts, with every later word's condition true as well: the earlier word must win.
const failingAndLate: Partial<HealthFacts> = { recentOutcomes: ['FAILED', 'REJECTED'], lastSuccessAt: DUE - HOUR };
const cases: [HealthFacts, string][] = [
  [{ ...ok, ...failingAndLate, enabled: false, everApplied: false, quarantinePending: 1, stale: true }, 'DISABLED'],
  [{ ...ok, ...failingAndLate, everApplied: false, quarantinePending: 1, stale: true, lastSuccessAt: null }, 'NEVER_SYNCED'],
  [{ ...ok, ...failingAndLate, quarantinePending: 2, stale: true }, 'QUARANTINED'],
  [{ ...ok, ...failingAndLate, stale: true }, 'STALE'],
  [{ ...ok, ...failingAndLate }, 'FAILING'],
  [{ ...ok, lastSuccessAt: DUE - HOUR, recentOutcomes: ['FAILED', 'APPLIED'] }, 'LATE'],
  [ok, 'OK'],
];

describe('partnerHealth', () => {
  it('has the contract words in the contract order', () => {
    expect(HEALTH_WORDS).toEqual(['DISABLED', 'NEVER_SYNCED', 'QUARANTINED', 'STALE', 'FAILING', 'LATE', 'OK']);
    expect(cases.map(([, word]) => word)).toEqual(HEALTH_WORDS);
  });

  it.each(cases)('answers the first word that applies: %#', (facts, word) => {
    expect(partnerHealth(facts)).toBe(word);
  });

  it('is FAILING only when the last two runs failed or were rejected', () => {
    expect(partnerHealth({ ...ok, recentOutcomes: ['FAILED', 'FAILED'] })).toBe('FAILING');
    expect(partnerHealth({ ...ok, recentOutcomes: ['REJECTED', 'FAILED'] })).toBe('FAILING');
    expect(partnerHealth({ ...ok, recentOutcomes: ['FAILED'] })).toBe('OK');
    expect(partnerHealth({ ...ok, recentOutcomes: ['FAILED', 'APPLIED'] })).toBe('OK');
    expect(partnerHealth({ ...ok, recentOutcomes: ['APPLIED', 'FAILED'] })).toBe('OK');
    // A quarantined run is neither failed nor rejected.
    expect(partnerHealth({ ...ok, recentOutcomes: ['FAILED', 'QUARANTINED'] })).toBe('OK');
  });

  it('is LATE only after the due time + 2 h, without a success since the due time', () => {
    const noSuccess = { ...ok, lastSuccessAt: DUE - HOUR };
    expect(partnerHealth({ ...noSuccess, now: DUE + LATE_AFTER_MS })).toBe('OK');
    expect(partnerHealth({ ...noSuccess, now: DUE + LATE_AFTER_MS + 1 })).toBe('LATE');
    expect(partnerHealth({ ...ok, lastSuccessAt: DUE, now: DUE + 5 * HOUR })).toBe('OK');
    expect(partnerHealth({ ...ok, lastSuccessAt: null, now: DUE + 5 * HOUR })).toBe('LATE');
    expect(partnerHealth({ ...noSuccess, previousDueAt: null })).toBe('OK');
  });
});
