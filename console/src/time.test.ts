// Component tests for the console's time display (run by vitest in node; Intl has full ICU).
import { describe, expect, it } from 'vitest';
import { daysUntil, formatDate, formatInstant, instantToWall, wallTimeToInstant } from './time';

describe('console time display', () => {
  it('shows an instant with its offset in the chosen zone', () => {
    expect(formatInstant('2026-11-20T02:00:03Z', 'Asia/Shanghai')).toBe('2026-11-20 10:00:03 +08:00');
    expect(formatInstant('2026-11-20T02:00:03Z', 'UTC')).toBe('2026-11-20 02:00:03 +00:00');
    expect(formatInstant('2026-07-01T12:00:00Z', 'Europe/Berlin')).toBe('2026-07-01 14:00:00 +02:00');
    expect(formatInstant('2026-01-01T12:00:00Z', 'Europe/Berlin')).toBe('2026-01-01 13:00:00 +01:00');
    expect(formatInstant('2026-01-01T12:00:00Z', 'Asia/Kolkata')).toBe('2026-01-01 17:30:00 +05:30');
  });

  it('crosses the date line correctly (the day shown is the zone’s day)', () => {
    expect(formatInstant('2026-11-19T18:30:00Z', 'Asia/Shanghai')).toBe('2026-11-20 02:30:00 +08:00');
  });

  it('shows missing instants as a dash and leaves unparsable text as it is', () => {
    expect(formatInstant(null, 'UTC')).toBe('—');
    expect(formatInstant('not a time', 'UTC')).toBe('not a time');
  });

  it('shows calendar dates exactly as written (no zone shift)', () => {
    expect(formatDate('2026-01-15')).toBe('2026-01-15');
    expect(formatDate(null)).toBe('—');
  });

  it('turns a wall time in a zone into the instant, and back', () => {
    expect(wallTimeToInstant('2026-11-20T10:00', 'Asia/Shanghai')).toBe('2026-11-20T02:00:00Z');
    expect(wallTimeToInstant('2026-07-01T14:00:30', 'Europe/Berlin')).toBe('2026-07-01T12:00:30Z');
    expect(wallTimeToInstant('garbage', 'UTC')).toBeNull();
    expect(instantToWall('2026-11-20T02:00:00Z', 'Asia/Shanghai')).toBe('2026-11-20T10:00:00');
  });

  it('counts whole days left', () => {
    expect(daysUntil('2026-12-31T00:00:00Z', Date.parse('2026-12-01T00:00:00Z'))).toBe(30);
    expect(daysUntil('2026-11-30T00:00:00Z', Date.parse('2026-12-01T00:00:00Z'))).toBe(-1);
  });
});
