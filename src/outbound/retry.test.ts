import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY, isRetryable, parseRetryPolicy, retryAfterMs } from './retry.js';

describe('push retries (contract 9.4)', () => {
  it('doubles from 1 min up to 60 min, jittered into [½, 1]', () => {
    expect([1, 2, 3, 7, 8, 20].map((n) => backoffMs(n, DEFAULT_RETRY, () => 1))).toEqual([60_000, 120_000, 240_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(backoffMs(1, DEFAULT_RETRY, () => 0)).toBe(30_000);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('120', 0)).toBe(120_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(undefined, 0)).toBeNull();
  });
  it('retries network errors, 408, 429 and 5xx only', () => {
    expect([null, 408, 429, 500, 503].every(isRetryable)).toBe(true);
    expect([400, 401, 404, 409, 422].some(isRetryable)).toBe(false);
  });
  it('parses AEO_OUTBOUND_RETRY', () => {
    expect(parseRetryPolicy('1m,60m,24h')).toEqual(DEFAULT_RETRY);
    expect(parseRetryPolicy('20ms,100ms,2s')).toEqual({ baseMs: 20, capMs: 100, giveUpMs: 2000 });
    expect(parseRetryPolicy('1m,1s,1h')).toBeNull();
    expect(parseRetryPolicy('1m,60m')).toBeNull();
  });
});
