// Per-token rate limits (contract 8): a token bucket per token, keyed by the token's SHA-256, so a
// token over its limit never takes from another's budget. Buckets live in this process: with N
// processes behind a balancer a token can get up to N times its limit (docs/operations.md).
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorBody } from '../errors.js';

/** Scope families a limit can name; every `partner-<CODE>` scope is `partner`. */
export const LIMIT_CLASSES = ['admin', 'lookup', 'partner', 'viewer', 'operator', 'metrics'] as const;
export type LimitClass = (typeof LIMIT_CLASSES)[number];

export interface RateLimit {
  limitClass: LimitClass;
  /** Requests allowed per `perMs` (and the burst a fresh token may use at once). */
  count: number;
  perMs: number;
}

export const DEFAULT_RATE_LIMITS = 'partner=60/min';
const UNITS: Record<string, number> = { s: 1_000, sec: 1_000, m: 60_000, min: 60_000, h: 3_600_000, hour: 3_600_000 };

/** `lookup=5000/s,partner=60/min,admin=20/s` → limits; problems name each bad entry. */
export function parseRateLimits(raw: string, problems: string[]): RateLimit[] {
  const limits: RateLimit[] = [];
  for (const entry of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([a-z]+)=(\d{1,9})\/([a-z]+)$/.exec(entry);
    const limitClass = m?.[1] as LimitClass | undefined;
    const count = Number(m?.[2]);
    const perMs = UNITS[m?.[3] ?? ''];
    if (!m || !limitClass || !LIMIT_CLASSES.includes(limitClass) || !(count > 0) || perMs === undefined) {
      problems.push(`AEO_RATE_LIMITS entry "${entry.slice(0, 40)}" must be <${LIMIT_CLASSES.join('|')}>=<count>/<s|min|h>`);
    } else if (limits.some((l) => l.limitClass === limitClass)) {
      problems.push(`AEO_RATE_LIMITS names ${limitClass} twice`);
    } else {
      limits.push({ limitClass, count, perMs });
    }
  }
  return limits;
}

export const limitClassOf = (scope: string): string => (scope.startsWith('partner-') ? 'partner' : scope);

interface Bucket {
  tokens: number;
  at: number;
}

/** Takes one request from a bucket; returns 0 when allowed, else the seconds until the next one is. */
export function take(bucket: Bucket, limit: RateLimit, now: number): number {
  const rate = limit.count / limit.perMs; // requests per ms
  bucket.tokens = Math.min(limit.count, bucket.tokens + (now - bucket.at) * rate);
  bucket.at = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
}

/**
 * Middleware in front of the routes. Only tokens `identify` knows are limited (an unknown one is
 * answered 401 by the route's auth); unlimited scopes pass untouched.
 */
export function rateLimiter(limits: readonly RateLimit[], identify: (token: string) => string | null, now: () => number = Date.now): RequestHandler {
  const byClass = new Map(limits.map((l) => [l.limitClass as string, l]));
  const buckets = new Map<string, Bucket>(); // bounded: one per configured token
  return (req, res, next) => {
    if (byClass.size === 0) return next();
    const match = /^Bearer ([\x21-\x7e]{1,1024})$/i.exec(req.headers.authorization ?? '');
    const scope = match ? identify(match[1]!) : null;
    const limit = scope === null ? undefined : byClass.get(limitClassOf(scope));
    if (!match || !limit) return next();
    const key = createHash('sha256').update(match[1]!, 'utf8').digest('hex');
    const t = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.count, at: t };
      buckets.set(key, bucket);
    }
    const wait = take(bucket, limit, t);
    if (wait === 0) return next();
    res.set('Retry-After', String(wait));
    res.status(429).json(errorBody('RATE_LIMITED', `This token is over its limit of ${limit.count} requests per ${limit.perMs / 1000} s.`));
  };
}
