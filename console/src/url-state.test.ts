import { describe, expect, it } from 'vitest';
import { apiQuery, readFilters, writeFilters } from './url-state';

const KEYS = ['partner', 'outcome', 'from'] as const;

describe('console filters in the URL', () => {
  it('reads only the named, non-empty filters', () => {
    expect(readFilters('?partner=EU&outcome=&evil=1&from=2026-11-01T00:00:00Z', KEYS)).toEqual({ partner: 'EU', from: '2026-11-01T00:00:00Z' });
  });

  it('writes filters in a stable order, dropping empty ones, so URLs are bookmarkable', () => {
    expect(writeFilters({ outcome: 'REJECTED', partner: 'EU', from: '' }, KEYS)).toBe('?partner=EU&outcome=REJECTED');
    expect(writeFilters({}, KEYS)).toBe('');
  });

  it('round-trips values that need encoding', () => {
    const f = { partner: 'EU', from: '2026-11-01T00:00:00+08:00' };
    expect(readFilters(writeFilters(f, KEYS), KEYS)).toEqual(f);
  });

  it('adds paging to the API query', () => {
    expect(apiQuery({ partner: 'MO' }, KEYS, { cursor: 'abc', limit: '50' })).toBe('?partner=MO&cursor=abc&limit=50');
  });
});
