// When to try a push again (pure): exponential backoff with jitter, or the partner's Retry-After.
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** After this long since the first attempt, the batch is DEAD_LETTER. */
  giveUpMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, capMs: 3_600_000, giveUpMs: 86_400_000 };

/** `1m,60m,24h` (ms, s, m, h) → a policy; null when it does not read. */
export function parseRetryPolicy(text: string): RetryPolicy | null {
  const parts = text.split(',').map((p) => /^(\d+)(ms|s|m|h)$/.exec(p.trim()));
  if (parts.length !== 3 || parts.some((m) => m === null)) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const [baseMs, capMs, giveUpMs] = parts.map((m) => Number(m![1]) * unit[m![2] as keyof typeof unit]) as [number, number, number];
  return baseMs > 0 && capMs >= baseMs && giveUpMs >= baseMs ? { baseMs, capMs, giveUpMs } : null;
}

/** Retry-After in delay-seconds or an HTTP date → ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | null {
  if (header === undefined) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Delay before attempt n+1 after n failed attempts: base × 2^(n-1), capped, jittered into [½, 1]. */
export function backoffMs(failedAttempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const full = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(full * (0.5 + random() * 0.5));
}

/** Retried: network errors and timeouts (status null), 408, 429 and 5xx. */
export const isRetryable = (status: number | null): boolean => status === null || status === 408 || status === 429 || status >= 500;
