import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { parseRateLimits, take, type RateLimit } from './rate-limit.js';

describe('AEO_RATE_LIMITS', () => {
  it('parses the contract example and defaults to partner=60/min', () => {
    const problems: string[] = [];
    expect(parseRateLimits('lookup=5000/s, partner=60/min,admin=20/s', problems)).toEqual([
      { limitClass: 'lookup', count: 5000, perMs: 1_000 },
      { limitClass: 'partner', count: 60, perMs: 60_000 },
      { limitClass: 'admin', count: 20, perMs: 1_000 },
    ]);
    expect(problems).toEqual([]);
    expect(loadConfig({ AEO_API_KEYS: 'admin:aaaaaaaaaaaaaaaaaaaa' }).rateLimits).toEqual([{ limitClass: 'partner', count: 60, perMs: 60_000 }]);
    expect(loadConfig({ AEO_API_KEYS: 'admin:aaaaaaaaaaaaaaaaaaaa', AEO_RATE_LIMITS: '' }).rateLimits).toEqual([]);
  });

  it('names every bad entry', () => {
    const problems: string[] = [];
    expect(parseRateLimits('root=5/s,lookup=0/s,lookup=5/fortnight,admin=5,admin=1/s,admin=2/s', problems)).toEqual([
      { limitClass: 'admin', count: 1, perMs: 1_000 },
    ]);
    expect(problems).toHaveLength(5);
    expect(problems[4]).toMatch(/admin twice/);
    expect(() => loadConfig({ AEO_API_KEYS: 'admin:aaaaaaaaaaaaaaaaaaaa', AEO_RATE_LIMITS: 'lookup=fast' })).toThrow(/AEO_RATE_LIMITS/);
  });
});

describe('the token bucket', () => {
  const limit: RateLimit = { limitClass: 'partner', count: 3, perMs: 60_000 };

  it('allows the burst, then asks to wait until one request is earned back', () => {
    const bucket = { tokens: 3, at: 0 };
    expect([take(bucket, limit, 0), take(bucket, limit, 0), take(bucket, limit, 0)]).toEqual([0, 0, 0]);
    expect(take(bucket, limit, 0)).toBe(20); // one request per 20 s
    expect(take(bucket, limit, 15_000)).toBe(5);
    expect(take(bucket, limit, 20_000)).toBe(0);
    expect(take(bucket, limit, 20_000)).toBe(20);
  });

  it('never stores more than the burst', () => {
    const bucket = { tokens: 0, at: 0 };
    take(bucket, limit, 10 * 60_000);
    expect(bucket.tokens).toBe(2);
  });
});
