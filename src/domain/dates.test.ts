import { describe, it, expect } from 'vitest';
import { dateInZone, isIsoDate, isValidTimeZone, parseInstant } from './dates.js';

describe('isIsoDate', () => {
  it('accepts real calendar dates in 1900–2999', () => {
    for (const d of ['2026-11-20', '1900-01-01', '2999-12-31', '2024-02-29', '2000-02-29']) expect(isIsoDate(d)).toBe(true);
  });
  it('refuses impossible dates, other shapes and years out of range', () => {
    for (const d of [
      '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00',
      '1899-12-31', '3000-01-01', '2026-1-01', '2026-01-01T00:00:00Z', ' 2026-01-01', '2026-01-01\n',
      '20260101', '', '２０２６-01-01',
    ]) expect(isIsoDate(d), d).toBe(false);
  });
});

describe('parseInstant', () => {
  it('parses Z and offsets to epoch milliseconds', () => {
    expect(parseInstant('2026-11-20T02:00:03Z')).toBe(Date.UTC(2026, 10, 20, 2, 0, 3));
    expect(parseInstant('2026-11-20T10:00:03+08:00')).toBe(Date.UTC(2026, 10, 20, 2, 0, 3));
    expect(parseInstant('2026-11-19T21:30:03-04:30')).toBe(Date.UTC(2026, 10, 20, 2, 0, 3));
    expect(parseInstant('2026-11-20t02:00:03z')).toBe(Date.UTC(2026, 10, 20, 2, 0, 3));
    expect(parseInstant('2026-11-20T02:00:03-00:00')).toBe(Date.UTC(2026, 10, 20, 2, 0, 3));
  });
  it('keeps milliseconds and truncates finer fractions', () => {
    expect(parseInstant('2026-11-20T02:00:03.5Z')).toBe(Date.UTC(2026, 10, 20, 2, 0, 3, 500));
    expect(parseInstant('2026-11-20T02:00:03.123456789Z')).toBe(Date.UTC(2026, 10, 20, 2, 0, 3, 123));
  });
  it('does not map two-digit years onto the 1900s', () => {
    expect(parseInstant('0050-01-01T00:00:00Z')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
  });
  it('refuses anything that is not a full RFC 3339 timestamp', () => {
    for (const s of [
      '2026-11-20', '2026-11-20 02:00:03Z', '2026-11-20T02:00Z', '2026-11-20T02:00:03', '2026-11-20T02:00:03+0800',
      '2026-11-20T02:00:03+08', '2026-02-30T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T23:60:00Z',
      '2016-12-31T23:59:60Z', '2026-11-20T02:00:03+24:00', '2026-11-20T02:00:03.Z', '1763604003000', '',
      `2026-11-20T02:00:03.${'1'.repeat(100)}Z`,
    ]) expect(parseInstant(s), s).toBeNull();
  });
});

describe('isValidTimeZone', () => {
  it('knows IANA zones and UTC', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
  });
  it('refuses unknown names', () => {
    for (const tz of ['', 'Mars/Olympus', 'Asia/Shanghai ', 'not a zone']) expect(isValidTimeZone(tz), tz).toBe(false);
  });
});

describe('dateInZone', () => {
  const instant = Date.UTC(2026, 10, 19, 16, 30); // 00:30 on the 20th in Shanghai
  it('gives the calendar date in the zone', () => {
    expect(dateInZone(instant, 'Asia/Shanghai')).toBe('2026-11-20');
    expect(dateInZone(instant, 'UTC')).toBe('2026-11-19');
    expect(dateInZone(new Date(instant), 'America/Los_Angeles')).toBe('2026-11-19');
  });
  it('handles the instant just before midnight and across DST changes', () => {
    expect(dateInZone(Date.UTC(2026, 10, 19, 15, 59, 59, 999), 'Asia/Shanghai')).toBe('2026-11-19');
    expect(dateInZone(Date.UTC(2026, 2, 29, 22, 30), 'Europe/Berlin')).toBe('2026-03-30'); // CEST, +2
  });
  it('pads years below 1000', () => {
    expect(dateInZone(new Date('0850-06-01T12:00:00Z'), 'UTC')).toBe('0850-06-01');
  });
  it('throws on an unknown zone or an invalid instant', () => {
    expect(() => dateInZone(instant, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => dateInZone(Number.NaN, 'UTC')).toThrow(RangeError);
  });
});
